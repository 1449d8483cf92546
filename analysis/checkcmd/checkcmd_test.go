package checkcmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project/projecttest"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// fixtures returns the absolute path of testdata/rules.
func fixtures(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExitCodes(t *testing.T) {
	root := fixtures(t)
	t.Chdir(root)
	if code, out, errs := run(t, "clean"); code != ExitOK || out != "" {
		t.Errorf("clean: exit %d, out %q, err %q", code, out, errs)
	}
	if code, _, _ := run(t, "pitfalls-jsonc"); code != ExitFindings {
		t.Errorf("pitfalls: exit %d", code)
	}
	for _, args := range [][]string{{"--bogus"}, {"--format", "xml", "clean"}, {"no-such-dir"}} {
		if code, _, _ := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

func TestTextFormat(t *testing.T) {
	t.Chdir(fixtures(t))
	code, out, _ := run(t, "legacy-toml", "clean")
	if code != ExitFindings { // PW018 is an error
		t.Errorf("exit %d", code)
	}
	line := regexp.MustCompile(`^[^:]+:\d+:\d+: PW\d{3} .+$`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 5 {
		t.Fatalf("output:\n%s", out)
	}
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("bad line %q", l)
		}
	}
	if !strings.Contains(out, "legacy-toml/src/entry.py:4:6: PW018 ") {
		t.Errorf("want a relative path with 1-based line:col:\n%s", out)
	}
}

func TestSingleFileAndEnv(t *testing.T) {
	t.Chdir(fixtures(t))
	_, out, _ := run(t, "legacy-toml/src/entry.py")
	if strings.Contains(out, "requirements.txt") || !strings.Contains(out, "PW001") {
		t.Errorf("single file:\n%s", out)
	}
	_, _, errs := run(t, "--env", "nope", "clean")
	if !strings.Contains(errs, `no environment "nope"`) {
		t.Errorf("stderr: %q", errs)
	}
}

func TestJSONFormat(t *testing.T) {
	t.Chdir(fixtures(t))
	_, out, _ := run(t, "--format", "json", "pitfalls-jsonc")
	var ds []jsonDiagnostic
	if err := json.Unmarshal([]byte(out), &ds); err != nil {
		t.Fatal(err)
	}
	if len(ds) < 10 || ds[0].Line < 1 || ds[0].Column < 1 || ds[0].Code == "" || ds[0].Severity == "" {
		t.Errorf("json: %+v", ds)
	}
	_, out, _ = run(t, "--format", "json", "clean")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("empty json: %q", out)
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	root := fixtures(t)
	f, err := os.Open(filepath.Join(root, "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://json.schemastore.org/sarif-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	// The schema must reject a broken log, or the check below proves nothing.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal", "message": {}}]}]}`))
	if sch.Validate(bad) == nil {
		t.Fatal("schema accepted an invalid log")
	}
	t.Chdir(root)
	for _, dir := range []string{"pitfalls-jsonc", "clean", "."} {
		_, out, _ := run(t, "--format", "sarif", dir)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF does not validate: %v", dir, err)
		}
		var log sarifLog
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		for _, r := range log.Runs[0].Results {
			loc := r.Locations[0].PhysicalLocation
			if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || strings.HasPrefix(loc.ArtifactLocation.URI, "/") || loc.Region.StartLine < 1 {
				t.Errorf("result location %+v", loc)
			}
			if log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
				t.Errorf("ruleIndex of %s is wrong", r.RuleID)
			}
		}
	}
}

// A clean Worker named "a" whose main is src/entry.py.
const (
	workerConfig = `{"name": "a", "main": "src/entry.py", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"]}`
	workerEntry  = "from workers import WorkerEntrypoint\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        pass\n"
)

func TestDiscoverySkipsVendoredFolders(t *testing.T) {
	dir := t.TempDir()
	projecttest.WriteTree(t, dir, map[string]string{"a/wrangler.jsonc": workerConfig, "a/src/entry.py": workerEntry})
	for _, skip := range []string{"node_modules/x", ".venv-workers/x", "a/python_modules/x", ".git/x"} {
		projecttest.WriteTree(t, dir, map[string]string{skip + "/wrangler.jsonc": workerConfig})
	}
	got := FindWorkers(dir)
	if len(got) != 1 || got[0] != filepath.Join(dir, "a", "wrangler.jsonc") {
		t.Errorf("workers: %v", got)
	}
}

// check reads the Worker's folder (the folder of its config), as the editor
// does, not only main's folder: a helper script next to src/ is checked.
func TestCheckSeesTheWorkersFolderAsTheEditorDoes(t *testing.T) {
	dir := t.TempDir()
	sleepy := "import time\n\nasync def job():\n    time.sleep(1)\n"
	projecttest.WriteTree(t, dir, map[string]string{
		"wrangler.jsonc": workerConfig,
		"src/entry.py":   workerEntry,
		"tools/job.py":   sleepy,
		// A nested Worker's files are its own, checked once, under its name.
		"tools/other/wrangler.jsonc": strings.Replace(workerConfig, `"a"`, `"b"`, 1),
		"tools/other/src/entry.py":   sleepy,
	})
	t.Chdir(dir)
	_, out, errs := run(t, "--format", "json", ".")
	var diags []struct {
		Path string `json:"path"`
		Code string `json:"code"`
	}
	if err := json.Unmarshal([]byte(out), &diags); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errs)
	}
	var got []string
	for _, d := range diags {
		if d.Code == "PW025" {
			got = append(got, d.Path)
		}
	}
	want := []string{"tools/job.py", "tools/other/src/entry.py"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("PW025 in %v, want %v\n%s", got, want, out)
	}
}
