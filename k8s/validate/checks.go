// Checks across the objects of one rendering: what a manifest names must exist in it (a
// ConfigMap a volume mounts, after kustomize appended its hash; the Service a StatefulSet
// governs with; the port a Service, NetworkPolicy or ServiceMonitor names), selectors must
// select something, and the ConfigMaps made from data/ must carry every file there.
package main

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func labelSet(m map[string]string) labels.Set { return labels.Set(m) }

// workload is a pod template and the object it belongs to.
type workload struct {
	obj      *object
	template corev1.PodTemplateSpec
}

// typed decodes an object leniently (its schema was checked already); ok is false for
// objects that do not decode.
func typed[T any](o *object) (*T, bool) {
	var v T
	if err := json.Unmarshal(o.raw, &v); err != nil {
		return nil, false
	}
	return &v, true
}

func checkConsistency(objs []*object) []problem {
	var problems []problem
	configMaps := map[string]map[string]bool{}
	services := map[string]*corev1.Service{}
	serviceAccounts := map[string]bool{}
	kafkas := map[string]bool{}
	topics := map[string]bool{}
	var workloads []workload
	for _, o := range objs {
		switch [2]string{o.apiVersion(), o.kind()} {
		case [2]string{"v1", "ConfigMap"}:
			if cm, ok := typed[corev1.ConfigMap](o); ok {
				keys := map[string]bool{}
				for k := range cm.Data {
					keys[k] = true
				}
				for k := range cm.BinaryData {
					keys[k] = true
				}
				configMaps[cm.Name] = keys
			}
		case [2]string{"v1", "Service"}:
			if svc, ok := typed[corev1.Service](o); ok {
				services[svc.Name] = svc
			}
		case [2]string{"v1", "ServiceAccount"}:
			serviceAccounts[o.name()] = true
		case [2]string{"apps/v1", "StatefulSet"}:
			if sts, ok := typed[appsv1.StatefulSet](o); ok {
				workloads = append(workloads, workload{o, sts.Spec.Template})
			}
		case [2]string{"apps/v1", "Deployment"}:
			if d, ok := typed[appsv1.Deployment](o); ok {
				workloads = append(workloads, workload{o, d.Spec.Template})
			}
		case [2]string{"kafka.strimzi.io/v1beta2", "Kafka"}:
			kafkas[o.name()] = true
		case [2]string{"kafka.strimzi.io/v1beta2", "KafkaTopic"}:
			topics[topicName(o)] = true
		}
	}
	selected := func(sel labels.Selector) []workload {
		var out []workload
		for _, w := range workloads {
			if sel.Matches(labels.Set(w.template.Labels)) {
				out = append(out, w)
			}
		}
		return out
	}

	for _, w := range workloads {
		o, spec := w.obj, w.template.Spec
		if spec.ServiceAccountName != "" && !serviceAccounts[spec.ServiceAccountName] {
			problems = append(problems, o.problem("spec.template.spec.serviceAccountName", "ServiceAccount %s is not in the manifests", spec.ServiceAccountName))
		}
		for i, v := range spec.Volumes {
			path := "spec.template.spec.volumes[" + strconv.Itoa(i) + "]"
			if v.ConfigMap != nil {
				problems = append(problems, checkConfigMapRef(o, path+".configMap", v.ConfigMap.Name, v.ConfigMap.Items, configMaps)...)
			}
			if v.Projected != nil {
				for j, src := range v.Projected.Sources {
					if src.ConfigMap != nil {
						problems = append(problems, checkConfigMapRef(o, path+".projected.sources["+strconv.Itoa(j)+"].configMap", src.ConfigMap.Name, src.ConfigMap.Items, configMaps)...)
					}
				}
			}
		}
		if sts, ok := typed[appsv1.StatefulSet](o); ok {
			if svc := services[sts.Spec.ServiceName]; svc == nil {
				problems = append(problems, o.problem("spec.serviceName", "Service %s is not in the manifests", sts.Spec.ServiceName))
			} else if svc.Spec.ClusterIP != corev1.ClusterIPNone {
				problems = append(problems, o.problem("spec.serviceName", "Service %s is not headless (clusterIP: None)", sts.Spec.ServiceName))
			}
		}
	}

	for _, o := range objs {
		switch [2]string{o.apiVersion(), o.kind()} {
		case [2]string{"v1", "Service"}:
			svc := services[o.name()]
			if svc == nil || len(svc.Spec.Selector) == 0 {
				continue
			}
			pods := selected(labels.SelectorFromSet(svc.Spec.Selector))
			if len(pods) == 0 {
				problems = append(problems, o.problem("spec.selector", "selects no pod template in the manifests"))
				continue
			}
			for i, p := range svc.Spec.Ports {
				if p.TargetPort.Type == intstr.String && !namedPortIn(pods, p.TargetPort.StrVal) {
					problems = append(problems, o.problem("spec.ports["+strconv.Itoa(i)+"].targetPort", "no container of the selected pods has a port named %s", p.TargetPort.StrVal))
				}
			}
		case [2]string{"policy/v1", "PodDisruptionBudget"}:
			if pdb, ok := typed[policyv1.PodDisruptionBudget](o); ok && pdb.Spec.Selector != nil {
				if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil && len(selected(sel)) == 0 {
					problems = append(problems, o.problem("spec.selector", "selects no pod template in the manifests"))
				}
			}
		case [2]string{"networking.k8s.io/v1", "NetworkPolicy"}:
			np, ok := typed[networkingv1.NetworkPolicy](o)
			if !ok {
				continue
			}
			sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil {
				continue
			}
			pods := selected(sel)
			if len(pods) == 0 {
				problems = append(problems, o.problem("spec.podSelector", "selects no pod template in the manifests"))
				continue
			}
			for i, rule := range np.Spec.Ingress {
				for j, p := range rule.Ports {
					if p.Port != nil && p.Port.Type == intstr.String && !namedPortIn(pods, p.Port.StrVal) {
						problems = append(problems, o.problem("spec.ingress["+strconv.Itoa(i)+"].ports["+strconv.Itoa(j)+"].port", "no container of the selected pods has a port named %s", p.Port.StrVal))
					}
				}
			}
		case [2]string{"monitoring.coreos.com/v1", "ServiceMonitor"}:
			problems = append(problems, checkServiceMonitor(o, services)...)
		case [2]string{"kafka.strimzi.io/v1beta2", "KafkaTopic"}, [2]string{"kafka.strimzi.io/v1beta2", "KafkaUser"},
			[2]string{"kafka.strimzi.io/v1beta2", "KafkaNodePool"}:
			meta, _ := o.tree["metadata"].(map[string]any)
			lbls, _ := meta["labels"].(map[string]any)
			cluster, _ := lbls["strimzi.io/cluster"].(string)
			if !kafkas[cluster] {
				problems = append(problems, o.problem("metadata.labels[\"strimzi.io/cluster\"]", "names Kafka %q, which is not in the manifests", cluster))
			}
			if o.kind() == "KafkaUser" {
				problems = append(problems, checkACLTopics(o, topics)...)
			}
		}
	}
	return problems
}

func checkConfigMapRef(o *object, path, name string, items []corev1.KeyToPath, configMaps map[string]map[string]bool) []problem {
	keys, ok := configMaps[name]
	if !ok {
		return []problem{o.problem(path+".name", "ConfigMap %s is not in the manifests (a generated ConfigMap's name must be the generator's, so kustomize can add its hash)", name)}
	}
	var problems []problem
	for i, item := range items {
		if !keys[item.Key] {
			problems = append(problems, o.problem(path+".items["+strconv.Itoa(i)+"].key", "ConfigMap %s has no key %s", name, item.Key))
		}
	}
	return problems
}

func namedPortIn(pods []workload, name string) bool {
	for _, w := range pods {
		for _, c := range w.template.Spec.Containers {
			for _, p := range c.Ports {
				if p.Name == name {
					return true
				}
			}
		}
	}
	return false
}

func checkServiceMonitor(o *object, services map[string]*corev1.Service) []problem {
	var sm struct {
		Spec struct {
			Selector  metav1.LabelSelector `json:"selector"`
			Endpoints []struct {
				Port string `json:"port"`
			} `json:"endpoints"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(o.raw, &sm); err != nil {
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil {
		return nil
	}
	var matched []*corev1.Service
	for _, svc := range services {
		if sel.Matches(labels.Set(svc.Labels)) {
			matched = append(matched, svc)
		}
	}
	if len(matched) == 0 {
		return []problem{o.problem("spec.selector", "selects no Service in the manifests")}
	}
	var problems []problem
	for i, ep := range sm.Spec.Endpoints {
		for _, svc := range matched {
			found := false
			for _, p := range svc.Spec.Ports {
				found = found || p.Name == ep.Port
			}
			if !found {
				problems = append(problems, o.problem("spec.endpoints["+strconv.Itoa(i)+"].port", "Service %s has no port named %s", svc.Name, ep.Port))
			}
		}
	}
	return problems
}

func topicName(o *object) string {
	spec, _ := o.tree["spec"].(map[string]any)
	if name, ok := spec["topicName"].(string); ok && name != "" {
		return name
	}
	return o.name()
}

// checkACLTopics: a KafkaUser's literal topic ACLs must name topics the manifests create.
func checkACLTopics(o *object, topics map[string]bool) []problem {
	spec, _ := o.tree["spec"].(map[string]any)
	authz, _ := spec["authorization"].(map[string]any)
	acls, _ := authz["acls"].([]any)
	var problems []problem
	for i, a := range acls {
		acl, _ := a.(map[string]any)
		res, _ := acl["resource"].(map[string]any)
		if res["type"] != "topic" || (res["patternType"] != nil && res["patternType"] != "literal") {
			continue
		}
		if name, _ := res["name"].(string); !topics[name] {
			problems = append(problems, o.problem("spec.authorization.acls["+strconv.Itoa(i)+"].resource.name", "topic %s has no KafkaTopic in the manifests", name))
		}
	}
	return problems
}

// checkDataFiles: the ConfigMaps generated from data/ carry every credit model and risk rule
// set there, so that adding a file to data/ without data/kustomization.yaml fails.
func checkDataFiles(objs []*object, repo string) []problem {
	want := map[string]string{
		"jianguan-credit-models": "data/credit/*.textproto",
		"jianguan-risk-rules":    "data/risk/rules/*.textproto",
	}
	var problems []problem
	for _, o := range objs {
		if o.apiVersion() != "v1" || o.kind() != "ConfigMap" {
			continue
		}
		for prefix, glob := range want {
			if o.name() != prefix && !strings.HasPrefix(o.name(), prefix+"-") {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(repo, glob))
			data, _ := o.tree["data"].(map[string]any)
			var missing []string
			for _, f := range files {
				if _, ok := data[filepath.Base(f)]; !ok {
					missing = append(missing, filepath.Base(f))
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				problems = append(problems, o.problem("data", "lacks %s of %s: add them to data/kustomization.yaml", strings.Join(missing, ", "), glob))
			}
		}
	}
	return problems
}
