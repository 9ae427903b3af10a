package infra_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// EnvSAMBuild=1 makes TestMakeBuildTargets run each function's Makefile
// target as `sam build` would (cross-compiling four Lambdas for arm64 takes
// minutes on a cold cache, so `make test` checks the recipes statically in
// TestTemplateFunctions and leaves this to `make sam-build-check`).
const EnvSAMBuild = "LIVINGROOM_SAM_BUILD"

// TestMakeBuildTargets runs `make build-<LogicalId> ARTIFACTS_DIR=…` for
// every function and checks the result is a static linux/arm64 ELF named
// bootstrap, which is what provided.al2023 on arm64 runs.
func TestMakeBuildTargets(t *testing.T) {
	if os.Getenv(EnvSAMBuild) != "1" {
		t.Skipf("%s=1 not set (make sam-build-check sets it)", EnvSAMBuild)
	}
	for name := range functions {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("make", "--no-print-directory", "build-"+name, "ARTIFACTS_DIR="+dir)
			cmd.Dir = ".."
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", name, err, out)
			}
			f, err := elf.Open(filepath.Join(dir, "bootstrap"))
			if err != nil {
				t.Fatalf("bootstrap: %v", err)
			}
			defer f.Close()
			if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
				t.Errorf("bootstrap is %v %v, want arm64", f.Machine, f.Class)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("bootstrap is dynamically linked; provided.al2023 wants CGO_ENABLED=0")
				}
			}
		})
	}
}
