package main

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./infra/bench -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func sampleReport() report {
	return report{
		Started: time.Date(2026, 12, 2, 14, 5, 0, 0, time.UTC),
		Took:    7*time.Minute + 12*time.Second + 400*time.Millisecond,
		Machine: machine{CPUs: 2, CPUModel: "AMD EPYC", GoVersion: "go1.26.8 linux/amd64", Commit: "abc1234", Load: [2]string{"3.10", "5.42"}},
		Rows: []row{
			{Figure: "skill handler", Value: "21.3 µs/op, 93 allocs", Bar: "≤ 50 µs: met", Command: "go test -run '^$' -bench SearchAndPlay ./internal/skill"},
			{Figure: "a pipe | in the figure", Value: "not run: the 10-minute budget was used up", Command: "go test -bench 'A|B' ./x"},
			{Figure: "multi\nline", Value: "failed: exit status 1", Bar: "", Command: ""},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	golden(t, "testdata/section.golden", render(sampleReport()))
}

func TestRewriteGolden(t *testing.T) {
	before, err := os.ReadFile("testdata/doc-before.md")
	if err != nil {
		t.Fatal(err)
	}
	section := render(sampleReport())
	first, err := rewrite(before, section)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/doc-after.golden", string(first))
	// Running again replaces the section and nothing else.
	r := sampleReport()
	r.Rows = r.Rows[:1]
	second, err := rewrite(first, render(r))
	if err != nil {
		t.Fatal(err)
	}
	again, err := rewrite(second, section)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(first) {
		t.Errorf("rewriting twice is not stable:\n%s", again)
	}
}

func TestRewrite(t *testing.T) {
	const sec = beginMarker + "\nNEW\n" + endMarker + "\n"
	for _, tc := range []struct {
		name, doc, want, err string
	}{
		{"replaces the marked section, keeps the rest",
			"# B\n\nintro\n\n" + beginMarker + "\nOLD\n" + endMarker + "\n\n## History\nkept\n",
			"# B\n\nintro\n\n" + sec + "\n## History\nkept\n", ""},
		{"markers at the end without a newline",
			"# B\n" + beginMarker + "\nOLD\n" + endMarker,
			"# B\n" + sec, ""},
		{"no markers: before the first section",
			"# B\n\nintro\n\n## History\nkept\n",
			"# B\n\nintro\n\n" + sec + "\n## History\nkept\n", ""},
		{"no markers and no sections: appended",
			"# B\nintro",
			"# B\nintro\n\n" + sec, ""},
		{"a ## inside a line is not a section",
			"# B\nsee ## this\n\n## H\n",
			"# B\nsee ## this\n\n" + sec + "\n## H\n", ""},
		{"begin alone", "# B\n" + beginMarker + "\nOLD\n", "", "not one pair"},
		{"end alone", "# B\nOLD\n" + endMarker + "\n", "", "not one pair"},
		{"end before begin", endMarker + "\n" + beginMarker + "\n", "", "not one pair"},
		{"two sections", beginMarker + "\n" + endMarker + "\n" + beginMarker + "\n" + endMarker + "\n", "", "more than once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rewrite([]byte(tc.doc), sec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestRewriteFileKeepsDocumentOnError(t *testing.T) {
	path := t.TempDir() + "/B.md"
	doc := "# B\n" + beginMarker + "\nhand edit\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := rewriteFile(path, render(sampleReport())); err == nil {
		t.Fatal("no error for a lone marker")
	}
	if b, _ := os.ReadFile(path); string(b) != doc {
		t.Errorf("document changed: %q", b)
	}
}
