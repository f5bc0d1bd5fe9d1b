// The layering of the house, as a test: the rules of the README's Layout
// section fail the build's tests when an import breaks them, rather than
// living only in a guide. Production imports only: a test may wire a fake
// from another layer.
package seatide_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/seatidemc/seatide"

// layerOf is the top-level directory of one of our import paths.
func layerOf(importPath string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
	top, _, _ := strings.Cut(rest, "/")
	return top
}

// adapterOf is "sqlstore" for adapters/sqlstore/sqltest.
func adapterOf(importPath string) string {
	rest := strings.TrimPrefix(importPath, module+"/adapters/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func isStdlib(importPath string) bool {
	first, _, _ := strings.Cut(importPath, "/")
	return !strings.Contains(first, ".")
}

func isOurs(importPath string) bool {
	return importPath == module || strings.HasPrefix(importPath, module+"/")
}

// allowed says whether pkg (one of ours) may import imp, and why not.
func allowed(pkg, imp string) (bool, string) {
	from := layerOf(pkg)
	if !isOurs(imp) {
		switch {
		case isStdlib(imp):
			return true, ""
		case from == "domain" || from == "ports":
			return false, from + " imports the standard library and ports only"
		}
		return true, ""
	}
	to := layerOf(imp)
	switch from {
	case "domain":
		return to == "domain" || to == "ports", "domain imports the standard library and ports only"
	case "ports":
		return to == "ports" || to == "domain", "ports import domain and the standard library only"
	case "adapters":
		if to == "adapters" && adapterOf(imp) != adapterOf(pkg) {
			return false, "adapters never import each other"
		}
		return to != "app" && to != "cmd", "adapters import domain, ports and libraries"
	case "cmd":
		return to == "app", "cmd imports app only"
	case "migrations":
		return false, "migrations import nothing of ours"
	}
	return to != "cmd", "nothing imports a main package"
}

func TestLayering(t *testing.T) {
	var checked int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
			return filepath.SkipDir
		}
		p, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		pkg := module
		if path != "." {
			pkg += "/" + filepath.ToSlash(path)
		}
		checked++
		imports := append([]string(nil), p.Imports...)
		sort.Strings(imports)
		for _, imp := range imports {
			if ok, rule := allowed(pkg, imp); !ok {
				t.Errorf("%s imports %s: %s", pkg, imp, rule)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d packages found: is the test running at the module root?", checked)
	}
}

// TestLayeringRules makes sure the rules can fail.
func TestLayeringRules(t *testing.T) {
	tests := []struct {
		pkg, imp string
		ok       bool
	}{
		{module + "/domain/users", "context", true},
		{module + "/domain/users", module + "/ports", true},
		{module + "/domain/users", module + "/adapters/jwt", false},
		{module + "/domain/users", "github.com/go-chi/chi/v5", false},
		{module + "/ports", module + "/domain", true},
		{module + "/ports", module + "/app", false},
		{module + "/adapters/http", module + "/domain/users", true},
		{module + "/adapters/http", module + "/adapters/jwt", false},
		{module + "/adapters/sqlstore/sqltest", module + "/adapters/sqlstore", true},
		{module + "/adapters/http", module + "/app", false},
		{module + "/cmd/seatide", module + "/app", true},
		{module + "/cmd/seatide", module + "/adapters/http", false},
		{module + "/app", module + "/adapters/http", true},
	}
	for _, tt := range tests {
		if ok, _ := allowed(tt.pkg, tt.imp); ok != tt.ok {
			t.Errorf("%s -> %s: allowed %v, want %v", tt.pkg, tt.imp, ok, tt.ok)
		}
	}
	if _, err := os.Stat("go.mod"); err != nil {
		t.Fatal("not at the module root")
	}
}
