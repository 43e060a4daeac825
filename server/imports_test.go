package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

const modulePath = "github.com/weekback/weekback/"

// forbiddenImports are the packages the server's code must never reach:
// restore writes production, the snapshotter writes the backup server's
// slots. The server is read-only by construction, not only by habit.
var forbiddenImports = []string{modulePath + "restore", modulePath + "snapshotter"}

// TestServerNeverImportsRestore checks, with go list, that neither server
// (with server/auth) nor jobs depends on restore or snapshotter, directly
// or through any other package; it names the package that imports one.
func TestServerNeverImportsRestore(t *testing.T) {
	for _, root := range []string{"server", "server/auth", "jobs"} {
		imports := packageImports(t, modulePath+root)
		for _, bad := range forbiddenImports {
			for pkg, deps := range imports {
				if deps[bad] {
					t.Errorf("%s depends on %s: %s imports it", root, bad, pkg)
				}
			}
		}
	}
}

// packageImports returns, for pkg and every package it depends on, the set
// of packages it imports directly (test files left out).
func packageImports(t *testing.T, pkg string) map[string]map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	imports := map[string]map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		deps := map[string]bool{}
		for _, d := range fields[1:] {
			deps[d] = true
		}
		imports[fields[0]] = deps
	}
	if len(imports[pkg]) == 0 {
		t.Fatalf("go list -deps %s listed no imports of %s:\n%s", pkg, pkg, out)
	}
	return imports
}
