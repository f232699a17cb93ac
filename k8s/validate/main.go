// Command k8s-validate checks the suite's Kubernetes manifests without a cluster: it renders
// kustomize overlays (the kustomize library kubectl uses, with kubectl's default load
// restrictions) and validates every object strictly, built-in kinds against the Go types of
// k8s.io/api (unknown fields, wrong types, missing required fields) and custom resources
// against the OpenAPI v3 schemas of their CustomResourceDefinitions. k8s/README.md says how
// tools/jg test runs it; `k8s-validate -h` lists the flags.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var crdDirs, overlays listFlag
	flag.Var(&crdDirs, "crds", "directory of CustomResourceDefinition YAML files (repeatable)")
	flag.Var(&overlays, "kustomize", "kustomization directory to render and validate (repeatable)")
	repo := flag.String("repo", "", "the repository's root: rendered ConfigMaps are checked against its data/ files")
	modCache := flag.String("gomodcache", "", "Go module cache holding the source of k8s.io/api (default: $GOMODCACHE or ~/go/pkg/mod)")
	expect := flag.Bool("expect", false, "each FILE is a broken fixture: pass only if it fails with exactly the errors its '# expect:' lines name")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: k8s-validate -crds DIR... [-repo DIR] [-kustomize DIR]... [-expect] [FILE...]\n\n"+
			"Renders each -kustomize directory and validates every object; validates the YAML\n"+
			"streams FILE... (e.g. the output of kubectl kustomize). Exit status 1 on any error.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if len(overlays) == 0 && flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}

	schemas, err := newSchemas(crdDirs, *modCache)
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8s-validate: %v\n", err)
		os.Exit(2)
	}
	failed := false
	for _, dir := range overlays {
		objs, err := renderKustomization(dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: kustomize build failed: %v\n", dir, err)
			failed = true
			continue
		}
		problems := validateAll(schemas, objs)
		problems = append(problems, checkConsistency(objs)...)
		if *repo != "" {
			problems = append(problems, checkDataFiles(objs, *repo)...)
		}
		failed = report(dir, len(objs), problems) || failed
	}
	for _, file := range flag.Args() {
		objs, err := readYAMLFile(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			failed = true
			continue
		}
		problems := validateAll(schemas, objs)
		if *expect {
			failed = !checkExpectations(file, problems) || failed
			continue
		}
		if len(overlays) == 0 || len(objs) > 0 {
			problems = append(problems, checkConsistency(objs)...)
		}
		failed = report(file, len(objs), problems) || failed
	}
	if failed {
		os.Exit(1)
	}
}

// report prints the problems of one source and a summary line; it says whether any was found.
func report(source string, objects int, problems []problem) bool {
	for _, p := range problems {
		fmt.Println(p.String())
	}
	if len(problems) > 0 {
		noun := "problems"
		if len(problems) == 1 {
			noun = "problem"
		}
		fmt.Printf("%s: %d objects, %d %s\n", source, objects, len(problems), noun)
		return true
	}
	fmt.Printf("%s: %d objects, all valid\n", source, objects)
	return false
}

// checkExpectations compares a broken fixture's problems with its "# expect: TEXT" lines:
// every expectation must be found in some problem, and every problem must match one.
func checkExpectations(file string, problems []problem) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
		return false
	}
	var expected []string
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# expect:"); ok {
			expected = append(expected, strings.TrimSpace(rest))
		}
	}
	name := filepath.Base(file)
	if len(expected) == 0 {
		fmt.Fprintf(os.Stderr, "%s: a fixture needs '# expect: ...' lines\n", file)
		return false
	}
	ok := true
	matched := make([]bool, len(problems))
	for _, want := range expected {
		found := false
		for i, p := range problems {
			if strings.Contains(p.String(), want) {
				found, matched[i] = true, true
			}
		}
		if !found {
			fmt.Fprintf(os.Stderr, "%s: the validator did not report %q\n", file, want)
			ok = false
		}
	}
	for i, p := range problems {
		if !matched[i] {
			fmt.Fprintf(os.Stderr, "%s: unexpected problem: %s\n", file, p)
			ok = false
		}
	}
	if ok {
		fmt.Printf("%s: rejected as expected (%d problems)\n", name, len(problems))
		for _, p := range problems {
			fmt.Printf("  %s\n", p)
		}
	}
	return ok
}
