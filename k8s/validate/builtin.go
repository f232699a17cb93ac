// Built-in kinds: each object is decoded strictly into its k8s.io/api Go type (an unknown or
// duplicate field, or a value of the wrong type, is an error) and then walked beside that
// type for missing required fields, required meaning what Kubernetes' OpenAPI generator
// makes of the Go source: +required, or no +optional and no omitempty (markers.go).
package main

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sjson "sigs.k8s.io/json"
)

// builtinKinds are the built-in kinds the suite's manifests may hold, by apiVersion and kind.
var builtinKinds = map[[2]string]func() any{
	{"v1", "Namespace"}:                       func() any { return &corev1.Namespace{} },
	{"v1", "ConfigMap"}:                       func() any { return &corev1.ConfigMap{} },
	{"v1", "Secret"}:                          func() any { return &corev1.Secret{} },
	{"v1", "Service"}:                         func() any { return &corev1.Service{} },
	{"v1", "ServiceAccount"}:                  func() any { return &corev1.ServiceAccount{} },
	{"v1", "PersistentVolumeClaim"}:           func() any { return &corev1.PersistentVolumeClaim{} },
	{"apps/v1", "StatefulSet"}:                func() any { return &appsv1.StatefulSet{} },
	{"apps/v1", "Deployment"}:                 func() any { return &appsv1.Deployment{} },
	{"policy/v1", "PodDisruptionBudget"}:      func() any { return &policyv1.PodDisruptionBudget{} },
	{"networking.k8s.io/v1", "NetworkPolicy"}: func() any { return &networkingv1.NetworkPolicy{} },
}

var jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

var (
	strictFieldError = regexp.MustCompile(`^(unknown|duplicate) field "(.*)"$`)
	typeError        = regexp.MustCompile(`^json: cannot unmarshal (\S+) into Go struct field \S+?\.(\S+) of type (\S+)$`)
)

// decodeTyped decodes raw strictly into v and turns the decoder's errors into problems.
func decodeTyped(o *object, raw []byte, v any, prefix string) []problem {
	strict, err := k8sjson.UnmarshalStrict(raw, v, k8sjson.DisallowDuplicateFields, k8sjson.DisallowUnknownFields)
	var problems []problem
	if err != nil {
		msg := err.Error()
		if m := typeError.FindStringSubmatch(msg); m != nil {
			// The decoder's path has no list indexes: find the element in the tree.
			var tree any
			_ = json.Unmarshal(raw, &tree)
			path := locate(tree, strings.Split(m[2], "."), m[1], "")
			if path == "" {
				path = m[2]
			}
			problems = append(problems, o.problem(joinPath(prefix, path), "wrong type: %s where the API wants %s", m[1], m[3]))
		} else {
			problems = append(problems, o.problem(prefix, "%s", msg))
		}
	}
	for _, e := range strict {
		if m := strictFieldError.FindStringSubmatch(e.Error()); m != nil {
			problems = append(problems, o.problem(joinPath(prefix, m[2]), "%s field", m[1]))
		} else {
			problems = append(problems, o.problem(prefix, "%s", e.Error()))
		}
	}
	return problems
}

func joinPath(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	}
	return prefix + "." + path
}

// locate finds the path, with list indexes, of the first value of JSON type kind ("string",
// "number", "object", "array", "bool") at the dotted path segs of tree.
func locate(tree any, segs []string, kind, at string) string {
	if list, ok := tree.([]any); ok {
		for i, item := range list {
			if p := locate(item, segs, kind, at+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
		return ""
	}
	if len(segs) == 0 {
		if jsonKind(tree) == kind {
			return at
		}
		return ""
	}
	m, ok := tree.(map[string]any)
	if !ok {
		return ""
	}
	child, ok := m[segs[0]]
	if !ok {
		return ""
	}
	return locate(child, segs[1:], kind, joinPath(at, segs[0]))
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

// validateBuiltin checks an object of a built-in kind.
func (s *schemas) validateBuiltin(o *object, newObj func() any) []problem {
	v := newObj()
	problems := decodeTyped(o, o.raw, v, "")
	// The walk also decodes each quantity, int-or-string and time on its own, so that a bad
	// one is named by its path (the decoder's own error has none).
	walked := s.required(o, o.tree, reflect.TypeOf(v), "")
	if len(problems) == 1 && problems[0].path == "" && len(walked) > 0 {
		problems = nil
	}
	if len(problems) == 0 {
		problems = semanticChecks(o, v)
	}
	return append(problems, walked...)
}

// validateMetadata checks a custom resource's metadata as the API server does: ObjectMeta.
func (s *schemas) validateMetadata(o *object) []problem {
	meta, ok := o.tree["metadata"]
	if !ok {
		return []problem{o.problem("metadata", "missing required field")}
	}
	raw, err := json.Marshal(meta)
	if err != nil {
		return []problem{o.problem("metadata", "%v", err)}
	}
	var om metav1.ObjectMeta
	problems := decodeTyped(o, raw, &om, "metadata")
	if len(problems) == 0 {
		if m, ok := meta.(map[string]any); ok {
			problems = append(problems, s.required(o, m, reflect.TypeOf(om), "metadata")...)
		}
		if om.Name == "" {
			problems = append(problems, o.problem("metadata.name", "missing required field"))
		}
	}
	return problems
}

// required walks a decoded tree beside its Go type and reports every required field that is
// absent. Types that decode themselves (quantities, int-or-string, times) are leaves.
func (s *schemas) required(o *object, value any, t reflect.Type, path string) []problem {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || t.Implements(jsonUnmarshaler) {
		raw, err := json.Marshal(value)
		if err == nil {
			err = json.Unmarshal(raw, reflect.New(t).Interface())
		}
		if err != nil {
			return []problem{o.problem(path, "%v", err)}
		}
		return nil
	}
	var problems []problem
	switch t.Kind() {
	case reflect.Struct:
		m, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if strings.Contains(","+opts+",", ",inline,") || (f.Anonymous && name == "") {
				problems = append(problems, s.required(o, m, f.Type, path)...)
				continue
			}
			if name == "" {
				name = f.Name
			}
			child, present := m[name]
			if !present {
				if s.markers.isRequired(t, f) {
					problems = append(problems, o.problem(joinPath(path, name), "missing required field"))
				}
				continue
			}
			problems = append(problems, s.required(o, child, f.Type, joinPath(path, name))...)
		}
	case reflect.Slice, reflect.Array:
		items, ok := value.([]any)
		if !ok {
			return nil
		}
		for i, item := range items {
			problems = append(problems, s.required(o, item, t.Elem(), path+"["+strconv.Itoa(i)+"]")...)
		}
	case reflect.Map:
		m, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		for k, item := range m {
			problems = append(problems, s.required(o, item, t.Elem(), path+"["+strconv.Quote(k)+"]")...)
		}
	}
	return problems
}

// semanticChecks are the few rules of the API server's validation that a schema cannot say
// and a manifest can easily break.
func semanticChecks(o *object, v any) []problem {
	var problems []problem
	if o.name() == "" {
		problems = append(problems, o.problem("metadata.name", "missing required field"))
	}
	var selector *metav1.LabelSelector
	var template *corev1.PodTemplateSpec
	prefix := "spec.template"
	switch w := v.(type) {
	case *appsv1.StatefulSet:
		selector, template = w.Spec.Selector, &w.Spec.Template
		if w.Spec.Replicas != nil && *w.Spec.Replicas != 1 {
			problems = append(problems, o.problem("spec.replicas", "must be 1: each service is the single writer of its RocksDB store"))
		}
	case *appsv1.Deployment:
		selector, template = w.Spec.Selector, &w.Spec.Template
	}
	if template == nil {
		return problems
	}
	if selector == nil {
		problems = append(problems, o.problem("spec.selector", "missing required field"))
	} else if sel, err := metav1.LabelSelectorAsSelector(selector); err != nil {
		problems = append(problems, o.problem("spec.selector", "%v", err))
	} else if !sel.Matches(labelSet(template.Labels)) {
		problems = append(problems, o.problem("spec.selector", "does not match the template's labels %v", template.Labels))
	}
	for i, c := range template.Spec.Containers {
		path := prefix + ".spec.containers[" + strconv.Itoa(i) + "]"
		if c.Image == "" {
			problems = append(problems, o.problem(path+".image", "missing required field (a pod's container needs an image)"))
		}
		problems = append(problems, checkPorts(o, path, c)...)
	}
	return problems
}

// checkPorts holds a suite container to its own conventions: the JG_*_PORT variables, the
// container ports named grpc, metrics and health, and the gRPC probes agree.
func checkPorts(o *object, path string, c corev1.Container) []problem {
	var problems []problem
	named := map[string]int32{}
	for _, p := range c.Ports {
		if p.Name != "" {
			named[p.Name] = p.ContainerPort
		}
	}
	for env, port := range map[string]string{"JG_GRPC_PORT": "grpc", "JG_METRICS_PORT": "metrics", "JG_HEALTH_PORT": "health"} {
		for _, e := range c.Env {
			if e.Name != env {
				continue
			}
			if want, ok := named[port]; !ok {
				problems = append(problems, o.problem(path+".ports", "%s is set but no container port is named %s", env, port))
			} else if e.Value != strconv.Itoa(int(want)) {
				problems = append(problems, o.problem(path+".env", "%s=%s but the port named %s is %d", env, e.Value, port, want))
			}
		}
	}
	for name, probe := range map[string]*corev1.Probe{"startupProbe": c.StartupProbe, "readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		if probe == nil || probe.GRPC == nil {
			continue
		}
		if health, ok := named["health"]; ok && probe.GRPC.Port != health {
			problems = append(problems, o.problem(path+"."+name+".grpc.port", "is %d, not the health port %d", probe.GRPC.Port, health))
		}
	}
	return problems
}
