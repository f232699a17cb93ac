// Custom resources, validated against the OpenAPI v3 schema (openAPIV3Schema) of the served
// version of their CustomResourceDefinition. The subset of OpenAPI that CRD schemas use is
// checked: type, nullable, properties, additionalProperties, required, items, enum, minimum,
// maximum, minLength, maxLength, pattern, minItems, maxItems, oneOf, anyOf, allOf, not,
// x-kubernetes-int-or-string and x-kubernetes-preserve-unknown-fields. A field the schema
// does not declare is an error, as kubectl's default strict field validation makes it.
// CEL rules (x-kubernetes-validations) and formats are not checked.
package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type schemas struct {
	crds    map[[2]string]*crdSchema // apiVersion, kind
	markers *markers
}

type crdSchema struct {
	file   string
	schema map[string]any
}

func newSchemas(dirs []string, modCache string) (*schemas, error) {
	m, err := newMarkers(modCache)
	if err != nil {
		return nil, err
	}
	s := &schemas{crds: map[[2]string]*crdSchema{}, markers: m}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s holds no CRD (*.yaml)", dir)
		}
		for _, file := range files {
			if err := s.loadCRDs(file); err != nil {
				return nil, fmt.Errorf("%s: %v", file, err)
			}
		}
	}
	return s, nil
}

func (s *schemas) loadCRDs(file string) error {
	objs, err := readYAMLFile(file)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.kind() != "CustomResourceDefinition" {
			continue
		}
		spec, _ := o.tree["spec"].(map[string]any)
		group, _ := spec["group"].(string)
		names, _ := spec["names"].(map[string]any)
		kind, _ := names["kind"].(string)
		versions, _ := spec["versions"].([]any)
		for _, v := range versions {
			version, _ := v.(map[string]any)
			if served, _ := version["served"].(bool); !served {
				continue
			}
			name, _ := version["name"].(string)
			schema, _ := version["schema"].(map[string]any)
			root, _ := schema["openAPIV3Schema"].(map[string]any)
			if group == "" || kind == "" || name == "" || root == nil {
				return fmt.Errorf("%s: a served version without group, kind, name or openAPIV3Schema", o.id())
			}
			s.crds[[2]string{group + "/" + name, kind}] = &crdSchema{file: file, schema: root}
		}
	}
	return nil
}

// validateAll validates each object by the schema its apiVersion and kind select.
func validateAll(s *schemas, objs []*object) []problem {
	var problems []problem
	for _, o := range objs {
		key := [2]string{o.apiVersion(), o.kind()}
		switch {
		case o.apiVersion() == "" || o.kind() == "":
			problems = append(problems, o.problem("", "apiVersion and kind are required"))
		case builtinKinds[key] != nil:
			problems = append(problems, s.validateBuiltin(o, builtinKinds[key])...)
		case s.crds[key] != nil:
			problems = append(problems, s.validateMetadata(o)...)
			root := s.crds[key].schema
			tree := map[string]any{}
			for k, v := range o.tree {
				if k != "metadata" {
					tree[k] = v
				}
			}
			rootNoMeta := map[string]any{}
			for k, v := range root {
				rootNoMeta[k] = v
			}
			if props, ok := root["properties"].(map[string]any); ok {
				p := map[string]any{}
				for k, v := range props {
					if k != "metadata" {
						p[k] = v
					}
				}
				rootNoMeta["properties"] = p
			}
			for _, e := range validateValue(tree, rootNoMeta, "", true) {
				problems = append(problems, o.problem(e.path, "%s", e.message))
			}
		default:
			problems = append(problems, o.problem("", "no schema for %s %s: neither a built-in kind this validator knows nor a CRD given with -crds", o.apiVersion(), o.kind()))
		}
	}
	return problems
}

type schemaError struct{ path, message string }

// validateValue checks value against an OpenAPI v3 schema node. strict says whether fields
// not declared by the schema are errors (false inside oneOf/anyOf/allOf/not branches, which
// in a structural schema only add constraints to what the parent declares).
func validateValue(value any, schema map[string]any, path string, strict bool) []schemaError {
	var errs []schemaError
	add := func(p, format string, args ...any) {
		errs = append(errs, schemaError{p, fmt.Sprintf(format, args...)})
	}
	if value == nil {
		if nullable, _ := schema["nullable"].(bool); !nullable {
			add(path, "null is not allowed")
		}
		return errs
	}
	if ios, _ := schema["x-kubernetes-int-or-string"].(bool); ios {
		if !isInteger(value) {
			if _, ok := value.(string); !ok {
				add(path, "wrong type: %s where the schema wants an integer or a string", typeName(value))
				return errs
			}
		}
	} else if want, ok := schema["type"].(string); ok {
		if !hasType(value, want) {
			add(path, "wrong type: %s where the schema wants %s", typeName(value), want)
			return errs
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !inEnum(value, enum) {
		add(path, "%s is not one of %s", describe(value), describeList(enum))
	}
	switch v := value.(type) {
	case map[string]any:
		errs = append(errs, validateObject(v, schema, path, strict)...)
	case []any:
		if n, ok := number(schema["minItems"]); ok && float64(len(v)) < n {
			add(path, "has %d items, fewer than %v", len(v), n)
		}
		if n, ok := number(schema["maxItems"]); ok && float64(len(v)) > n {
			add(path, "has %d items, more than %v", len(v), n)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, item := range v {
				errs = append(errs, validateValue(item, items, path+"["+strconv.Itoa(i)+"]", strict)...)
			}
		}
	case string:
		if n, ok := number(schema["minLength"]); ok && float64(len([]rune(v))) < n {
			add(path, "%q is shorter than %v characters", v, n)
		}
		if n, ok := number(schema["maxLength"]); ok && float64(len([]rune(v))) > n {
			add(path, "%q is longer than %v characters", v, n)
		}
		if pattern, ok := schema["pattern"].(string); ok {
			// ECMA patterns RE2 cannot compile are skipped.
			if re, err := regexp.Compile(pattern); err == nil && !re.MatchString(v) {
				add(path, "%q does not match the pattern %s", v, pattern)
			}
		}
	case json.Number:
		f, _ := v.Float64()
		if n, ok := number(schema["minimum"]); ok && f < n {
			add(path, "%s is less than the minimum %v", v, n)
		}
		if n, ok := number(schema["maximum"]); ok && f > n {
			add(path, "%s is more than the maximum %v", v, n)
		}
	}
	errs = append(errs, validateCombinators(value, schema, path)...)
	return errs
}

func validateObject(v map[string]any, schema map[string]any, path string, strict bool) []schemaError {
	var errs []schemaError
	props, _ := schema["properties"].(map[string]any)
	if required, ok := schema["required"].([]any); ok {
		for _, r := range required {
			name, _ := r.(string)
			if _, present := v[name]; !present {
				errs = append(errs, schemaError{joinPath(path, name), "missing required field"})
			}
		}
	}
	preserve, _ := schema["x-kubernetes-preserve-unknown-fields"].(bool)
	additional := schema["additionalProperties"]
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		child := joinPath(path, k)
		if p, ok := props[k].(map[string]any); ok {
			errs = append(errs, validateValue(v[k], p, child, strict)...)
			continue
		}
		switch a := additional.(type) {
		case map[string]any:
			errs = append(errs, validateValue(v[k], a, child, strict)...)
			continue
		case bool:
			if a {
				continue
			}
		}
		if strict && !preserve {
			errs = append(errs, schemaError{child, "unknown field"})
		}
	}
	return errs
}

func validateCombinators(value any, schema map[string]any, path string) []schemaError {
	var errs []schemaError
	branches := func(key string) []map[string]any {
		list, _ := schema[key].([]any)
		var out []map[string]any
		for _, b := range list {
			if m, ok := b.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	for _, b := range branches("allOf") {
		errs = append(errs, validateValue(value, b, path, false)...)
	}
	if list := branches("oneOf"); len(list) > 0 {
		passing := 0
		for _, b := range list {
			if len(validateValue(value, b, path, false)) == 0 {
				passing++
			}
		}
		if passing != 1 {
			errs = append(errs, schemaError{path, fmt.Sprintf("must match exactly one of %d alternatives (oneOf), matches %d", len(list), passing)})
		}
	}
	if list := branches("anyOf"); len(list) > 0 {
		passing := 0
		for _, b := range list {
			if len(validateValue(value, b, path, false)) == 0 {
				passing++
			}
		}
		if passing == 0 {
			errs = append(errs, schemaError{path, fmt.Sprintf("must match at least one of %d alternatives (anyOf)", len(list))})
		}
	}
	if not, ok := schema["not"].(map[string]any); ok && len(validateValue(value, not, path, false)) == 0 {
		errs = append(errs, schemaError{path, "matches a schema it must not match (not)"})
	}
	return errs
}

func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := strconv.ParseInt(n.String(), 10, 64)
	return err == nil
}

func hasType(v any, want string) bool {
	switch want {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		return isInteger(v)
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return true
}

func typeName(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case bool:
		return "a boolean"
	case json.Number:
		if isInteger(v) {
			return "an integer"
		}
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

func inEnum(v any, enum []any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

func describeList(list []any) string {
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = describe(e)
	}
	return strings.Join(parts, ", ")
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}
