// Which fields of the k8s.io/api Go types are required, read from their source the way
// Kubernetes' OpenAPI generator (k8s.io/kube-openapi, isOptional) reads it: a field with a
// +required comment marker is required, one with +optional is not, and otherwise a field is
// required unless its json tag says omitempty. The markers are comments, which reflection
// cannot see, so the source of each package is parsed from the Go module cache the validator
// was built from.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"unicode"
)

type fieldMarker int

const (
	noMarker fieldMarker = iota
	optionalMarker
	requiredMarker
)

type markers struct {
	modCache string
	modules  map[string]string                 // module path -> version
	packages map[string]map[string]fieldMarker // package path -> "Type.Field" -> marker
	err      error
}

func newMarkers(modCache string) (*markers, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, fmt.Errorf("no build information in the binary: build it with go build")
	}
	m := &markers{modCache: modCache, modules: map[string]string{}, packages: map[string]map[string]fieldMarker{}}
	for _, dep := range info.Deps {
		if dep.Replace != nil {
			dep = dep.Replace
		}
		m.modules[dep.Path] = dep.Version
	}
	if m.modCache == "" {
		m.modCache = os.Getenv("GOMODCACHE")
	}
	if m.modCache == "" {
		home, _ := os.UserHomeDir()
		m.modCache = filepath.Join(home, "go", "pkg", "mod")
	}
	return m, nil
}

// isRequired tells whether field f of struct type t must be present.
func (m *markers) isRequired(t reflect.Type, f reflect.StructField) bool {
	switch m.marker(t, f) {
	case requiredMarker:
		return true
	case optionalMarker:
		return false
	}
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	return !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,")
}

func (m *markers) marker(t reflect.Type, f reflect.StructField) fieldMarker {
	pkg := t.PkgPath()
	fields, ok := m.packages[pkg]
	if !ok {
		var err error
		fields, err = m.load(pkg)
		if err != nil {
			// Without the source the markers are unknown: fail loudly rather than guess.
			fmt.Fprintf(os.Stderr, "k8s-validate: %v\n", err)
			os.Exit(2)
		}
		m.packages[pkg] = fields
	}
	return fields[t.Name()+"."+f.Name]
}

// load parses the Go files of one package from the module cache.
func (m *markers) load(pkg string) (map[string]fieldMarker, error) {
	module := ""
	for path := range m.modules {
		if (pkg == path || strings.HasPrefix(pkg, path+"/")) && len(path) > len(module) {
			module = path
		}
	}
	if module == "" {
		return nil, fmt.Errorf("package %s belongs to no module of the build", pkg)
	}
	dir := filepath.Join(m.modCache, escapeModulePath(module)+"@"+m.modules[module], strings.TrimPrefix(pkg, module))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the source of %s (to learn which fields are required): %v; "+
			"pass -gomodcache with the Go module cache the validator was built from", pkg, err)
	}
	fields := map[string]fieldMarker{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, field := range st.Fields.List {
					mark := commentMarker(field.Doc)
					if mark == noMarker {
						continue
					}
					for _, n := range field.Names {
						fields[ts.Name.Name+"."+n.Name] = mark
					}
					if len(field.Names) == 0 {
						fields[ts.Name.Name+"."+embeddedName(field.Type)] = mark
					}
				}
			}
		}
	}
	return fields, nil
}

// commentMarker finds +optional or +required among a field's comment lines (gengo's rule: a
// line starting with '+', the marker's name up to '=').
func commentMarker(doc *ast.CommentGroup) fieldMarker {
	if doc == nil {
		return noMarker
	}
	mark := noMarker
	for _, c := range doc.List {
		line := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
		if !strings.HasPrefix(line, "+") {
			continue
		}
		key, _, _ := strings.Cut(line[1:], "=")
		switch strings.TrimSpace(key) {
		case "optional":
			mark = optionalMarker
		case "required":
			mark = requiredMarker
		}
	}
	return mark
}

func embeddedName(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// escapeModulePath is the module cache's spelling of a module path (upper case as !lower).
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
