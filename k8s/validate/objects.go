// Objects to validate: read from YAML streams or rendered by kustomize, each remembering where
// it came from, and the problems found in them.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// object is one Kubernetes object as JSON and as a generic tree (numbers kept as json.Number).
type object struct {
	source string // file, or overlay (and the file the object was written in)
	raw    []byte
	tree   map[string]any
}

func (o *object) apiVersion() string { s, _ := o.tree["apiVersion"].(string); return s }
func (o *object) kind() string       { s, _ := o.tree["kind"].(string); return s }
func (o *object) name() string {
	meta, _ := o.tree["metadata"].(map[string]any)
	s, _ := meta["name"].(string)
	return s
}

// id is Kind/name, the way the errors name an object.
func (o *object) id() string {
	name := o.name()
	if name == "" {
		name = "(no name)"
	}
	return o.kind() + "/" + name
}

// problem is one thing wrong with one object, at a JSON path inside it.
type problem struct {
	source, object, path, message string
}

func (p problem) String() string {
	var b strings.Builder
	b.WriteString(p.source)
	b.WriteString(": ")
	b.WriteString(p.object)
	if p.path != "" {
		b.WriteString(": ")
		b.WriteString(p.path)
	}
	b.WriteString(": ")
	b.WriteString(p.message)
	return b.String()
}

func (o *object) problem(path, format string, args ...any) problem {
	return problem{source: o.source, object: o.id(), path: path, message: fmt.Sprintf(format, args...)}
}

// decodeTree parses JSON keeping numbers exact, so that 1.5 is never taken for an integer.
func decodeTree(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	if tree == nil {
		return nil, errors.New("not an object")
	}
	return tree, nil
}

// readYAMLFile splits a YAML stream into objects (documents that are only comments are skipped).
func readYAMLFile(path string) ([]*object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var objs []*object
	for doc := 1; ; doc++ {
		data, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", doc, err)
		}
		raw, err := yaml.YAMLToJSONStrict(data)
		if err != nil {
			return nil, fmt.Errorf("document %d is not valid YAML: %v", doc, err)
		}
		if string(raw) == "null" {
			continue
		}
		tree, err := decodeTree(raw)
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", doc, err)
		}
		objs = append(objs, &object{source: fmt.Sprintf("%s (document %d)", path, doc), raw: raw, tree: tree})
	}
}

const originAnnotation = "config.kubernetes.io/origin"

// originFS is the disk, except that the top kustomization asks kustomize to annotate every
// object with the file it was written in, so that a problem names that file.
type originFS struct {
	filesys.FileSystem
	top string
}

func (f originFS) ReadFile(path string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(path)
	if err == nil && filepath.Dir(path) == f.top && isKustomizationFile(path) {
		data = append(append([]byte{}, data...), []byte("\nbuildMetadata: [originAnnotations]\n")...)
	}
	return data, err
}

func isKustomizationFile(path string) bool {
	switch filepath.Base(path) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// renderKustomization builds a kustomization as `kubectl kustomize DIR` does (files only from
// inside each kustomization's directory, no plugins) and returns its objects.
func renderKustomization(dir string) ([]*object, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	abs, err = filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(originFS{FileSystem: filesys.MakeFsOnDisk(), top: abs}, abs)
	if err != nil {
		return nil, err
	}
	var objs []*object
	for _, res := range resources.Resources() {
		raw, err := res.MarshalJSON()
		if err != nil {
			return nil, err
		}
		tree, err := decodeTree(raw)
		if err != nil {
			return nil, err
		}
		source := dir
		if meta, ok := tree["metadata"].(map[string]any); ok {
			if notes, ok := meta["annotations"].(map[string]any); ok {
				if origin, ok := notes[originAnnotation].(string); ok {
					source = dir + " (" + originPath(abs, origin) + ")"
					delete(notes, originAnnotation)
					if len(notes) == 0 {
						delete(meta, "annotations")
					}
					if raw, err = json.Marshal(tree); err != nil {
						return nil, err
					}
				}
			}
		}
		objs = append(objs, &object{source: source, raw: raw, tree: tree})
	}
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].source < objs[j].source })
	return objs, nil
}

// originPath turns kustomize's origin annotation (a path relative to the top kustomization,
// or the kustomization that configured a generator) into a path relative to the working
// directory.
func originPath(top, annotation string) string {
	var origin struct {
		Path         string `json:"path"`
		ConfiguredIn string `json:"configuredIn"`
	}
	if err := yaml.Unmarshal([]byte(annotation), &origin); err != nil {
		return "?"
	}
	p := origin.Path
	if p == "" {
		p = origin.ConfiguredIn
	}
	if p == "" {
		return "?"
	}
	full := filepath.Join(top, p)
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, full); err == nil {
			return rel
		}
	}
	return full
}
