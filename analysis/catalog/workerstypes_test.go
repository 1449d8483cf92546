package catalog

// Checks the tables against the runtime's own type declarations, published
// on npm as @cloudflare/workers-types: every method the runtime declares on
// a covered interface must be in the catalog. The package is installed once
// into <repo>/.cache/npm/workers-types (gitignored) and reused.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// workersTypesVersion is the pinned @cloudflare/workers-types release.
// Bump it to check the tables against a newer runtime.
const workersTypesVersion = "5.20261117.1"

// checkedAgainstTypes maps catalog interfaces to the declarations whose
// methods they must cover. The vectorize binding is the V2 `Vectorize`
// class at run time; `VectorizeIndex` is the older beta declaration, so the
// catalog covers both.
var checkedAgainstTypes = map[string][]string{
	"KVNamespace":            {"KVNamespace"},
	"D1Database":             {"D1Database"},
	"D1PreparedStatement":    {"D1PreparedStatement"},
	"R2Bucket":               {"R2Bucket"},
	"R2ObjectBody":           {"R2ObjectBody"},
	"Ai":                     {"Ai"},
	"VectorizeIndex":         {"VectorizeIndex", "Vectorize"},
	"DurableObjectNamespace": {"DurableObjectNamespace"},
	"DurableObjectStorage":   {"DurableObjectStorage"},
	"Queue":                  {"Queue"},
	"AnalyticsEngineDataset": {"AnalyticsEngineDataset"},
	"Workflow":               {"Workflow"},
	"WorkflowInstance":       {"WorkflowInstance"},
	"Fetcher":                {"Fetcher"},
}

func TestCatalogCoversWorkersTypes(t *testing.T) {
	src := loadWorkersTypes(t)
	decls := parseDeclarations(src)
	var missing []string
	for catName, tsNames := range checkedAgainstTypes {
		iface, ok := Lookup(catName)
		if !ok {
			t.Errorf("catalog lacks interface %s", catName)
			continue
		}
		for _, tsName := range tsNames {
			members, err := decls.members(tsName, nil)
			if err != nil {
				t.Errorf("workers-types %s: %v", workersTypesVersion, err)
				continue
			}
			methods := 0
			t.Logf("%s: %v", tsName, members)
			for name, isMethod := range members {
				if !isMethod {
					continue
				}
				methods++
				m, ok := iface.Member(name)
				switch {
				case !ok:
					missing = append(missing, fmt.Sprintf("%s.%s (declared on %s)", catName, name, tsName))
				case m.Property:
					t.Errorf("%s.%s is a method in workers-types but a property in the catalog", catName, name)
				}
			}
			if methods == 0 {
				t.Errorf("found no methods on %s in workers-types: the declaration parser is broken", tsName)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("catalog lacks method %s, declared in @cloudflare/workers-types@%s", m, workersTypesVersion)
	}
}

// loadWorkersTypes returns the text of the pinned workers-types index.d.ts,
// installing the package with npm when the cache lacks that version. No
// network or no npm is a failure, not a skip: the check must not pass by
// default.
func loadWorkersTypes(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(root, ".cache", "npm", "workers-types")
	pkgDir := filepath.Join(prefix, "node_modules", "@cloudflare", "workers-types")
	if installedVersion(pkgDir) != workersTypesVersion {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatalf("npm is needed to install @cloudflare/workers-types@%s for this check, and it is not on PATH: %v", workersTypesVersion, err)
		}
		if err := os.MkdirAll(prefix, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save",
			"@cloudflare/workers-types@"+workersTypesVersion)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("could not install @cloudflare/workers-types@%s from the npm registry (is it reachable?): %v\n%s",
				workersTypesVersion, err, out)
		}
		if got := installedVersion(pkgDir); got != workersTypesVersion {
			t.Fatalf("npm installed @cloudflare/workers-types %q into %s, want %s", got, pkgDir, workersTypesVersion)
		}
	}
	for _, rel := range []string{"index.d.ts", filepath.Join("latest", "index.d.ts")} {
		data, err := os.ReadFile(filepath.Join(pkgDir, rel))
		if err == nil {
			return string(data)
		}
	}
	t.Fatalf("no index.d.ts or latest/index.d.ts in %s", pkgDir)
	return ""
}

func installedVersion(pkgDir string) string {
	data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct{ Version string }
	if json.Unmarshal(data, &pkg) != nil {
		return ""
	}
	return pkg.Version
}

// repoRoot walks up from the test's directory to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test directory")
		}
		dir = parent
	}
}

// ---- a small reader of TypeScript declarations ----
//
// It understands only what workers-types uses for bindings: top-level
// `interface X`, `declare abstract class X` (with `extends`) and
// `type X = A & { ... }` aliases, and members of the forms `name(...)`,
// `name<T>(...)`, `name?(...)`, `name: T`, `readonly name: T` and
// `get name(): T`. Members are reported by name with whether they are
// methods.

type tsDecl struct {
	kind    string // interface | class | type
	bases   []string
	bodies  []string // member blocks, without the outer braces
	aliasTo string   // for type aliases: the text after "="
}

type tsDecls map[string][]tsDecl

var declStartRE = regexp.MustCompile(`(?m)^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(interface|class|type)\s+([A-Za-z_$][\w$]*)`)

func parseDeclarations(src string) tsDecls {
	src = stripComments(src)
	decls := tsDecls{}
	for _, loc := range declStartRE.FindAllStringSubmatchIndex(src, -1) {
		kind, name := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
		rest := src[loc[1]:]
		var d tsDecl
		d.kind = kind
		if kind == "type" {
			eq := indexAtDepth(rest, '=')
			if eq < 0 {
				continue
			}
			body := rest[eq+1:]
			end := indexAtDepth(body, ';')
			if end < 0 {
				continue
			}
			d.aliasTo = body[:end]
			d.bodies = topLevelBlocks(d.aliasTo)
			d.bases = topLevelIdents(d.aliasTo)
		} else {
			open := indexAtDepth(rest, '{')
			if open < 0 {
				continue
			}
			header := rest[:open]
			if i := extendsAtDepth(header); i >= 0 {
				for _, base := range splitAtDepth(header[i+len("extends"):], ',') {
					if id := leadingIdent(strings.TrimSpace(base)); id != "" {
						d.bases = append(d.bases, id)
					}
				}
			}
			closeAt := matchingBrace(rest, open)
			if closeAt < 0 {
				continue
			}
			d.bodies = []string{rest[open+1 : closeAt]}
		}
		decls[name] = append(decls[name], d)
	}
	return decls
}

// members returns the member names of a declaration, true for methods,
// including those of its bases.
func (ds tsDecls) members(name string, seen map[string]bool) (map[string]bool, error) {
	list, ok := ds[name]
	if !ok {
		return nil, fmt.Errorf("no declaration of %s", name)
	}
	if seen == nil {
		seen = map[string]bool{}
	}
	if seen[name] {
		return map[string]bool{}, nil
	}
	seen[name] = true
	out := map[string]bool{}
	for _, d := range list {
		for _, base := range d.bases {
			if _, known := ds[base]; !known {
				continue // a library type such as Error or Rpc.Provider
			}
			inherited, err := ds.members(base, seen)
			if err != nil {
				return nil, err
			}
			for k, v := range inherited {
				out[k] = v
			}
		}
		for _, body := range d.bodies {
			for k, v := range bodyMembers(body) {
				out[k] = v
			}
		}
	}
	return out, nil
}

var (
	modifierRE = regexp.MustCompile(`^(?:(?:public|private|protected|readonly|static|abstract|declare)\s+)+`)
	accessorRE = regexp.MustCompile(`^(?:get|set)\s+([A-Za-z_$][\w$]*)\s*\(`)
	memberRE   = regexp.MustCompile(`^([A-Za-z_$][\w$]*)\s*(\?)?\s*([(<:])`)
)

func bodyMembers(body string) map[string]bool {
	out := map[string]bool{}
	for _, stmt := range splitAtDepth(body, ';') {
		stmt = modifierRE.ReplaceAllString(strings.TrimSpace(stmt), "")
		if stmt == "" || strings.HasPrefix(stmt, "[") {
			continue
		}
		if m := accessorRE.FindStringSubmatch(stmt); m != nil {
			out[m[1]] = out[m[1]] || false
			continue
		}
		m := memberRE.FindStringSubmatch(stmt)
		if m == nil || m[1] == "constructor" || m[1] == "new" {
			continue
		}
		isMethod := m[3] != ":"
		out[m[1]] = out[m[1]] || isMethod
	}
	return out
}

// stripComments removes // and /* */ comments, leaving string literals alone.
func stripComments(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			b.WriteString(src[i : j+1])
			i = j
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 1
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// depthDelta tells how a character changes bracket nesting; "<" and ">"
// count too (generics), except the ">" of an arrow "=>".
func depthDelta(s string, i int) int {
	switch s[i] {
	case '{', '(', '[', '<':
		return 1
	case '}', ')', ']':
		return -1
	case '>':
		if i > 0 && s[i-1] == '=' {
			return 0
		}
		return -1
	}
	return 0
}

func indexAtDepth(s string, want byte) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		if depth == 0 && s[i] == want {
			return i
		}
		depth += depthDelta(s, i)
	}
	return -1
}

func splitAtDepth(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		if depth == 0 && s[i] == sep {
			parts = append(parts, s[start:i])
			start = i + 1
			continue
		}
		depth += depthDelta(s, i)
	}
	return append(parts, s[start:])
}

// matchingBrace finds the "}" closing the "{" at open, counting only braces.
func matchingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// topLevelBlocks returns the object-literal types at nesting depth 0 of a
// type alias, e.g. the `{ fetch(...); connect(...) }` of `A & { ... }`.
func topLevelBlocks(s string) []string {
	var blocks []string
	depth := 0
	for i := 0; i < len(s); i++ {
		if depth == 0 && s[i] == '{' {
			end := matchingBrace(s, i)
			if end < 0 {
				break
			}
			blocks = append(blocks, s[i+1:end])
			i = end
			continue
		}
		depth += depthDelta(s, i)
	}
	return blocks
}

var identAtRE = regexp.MustCompile(`^[A-Za-z_$][\w$.]*`)

// topLevelIdents returns type names referenced at depth 0 of an alias
// (`Fetcher<T> & {...}` yields Fetcher), so intersections inherit members.
func topLevelIdents(s string) []string {
	var ids []string
	depth := 0
	for i := 0; i < len(s); i++ {
		if depth == 0 && (i == 0 || !isIdentByte(s[i-1])) {
			if id := identAtRE.FindString(s[i:]); id != "" {
				ids = append(ids, id)
				i += len(id) - 1
				continue
			}
		}
		if depth == 0 && s[i] == '{' {
			if end := matchingBrace(s, i); end >= 0 {
				i = end
				continue
			}
		}
		depth += depthDelta(s, i)
	}
	return ids
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var leadingIdentRE = regexp.MustCompile(`^[A-Za-z_$][\w$]*`)

func leadingIdent(s string) string { return leadingIdentRE.FindString(s) }

// extendsAtDepth finds the `extends` of a class or interface header, not
// one inside its generic parameters (`<T extends X = Y>`).
func extendsAtDepth(header string) int {
	depth := 0
	for i := 0; i < len(header); i++ {
		if depth == 0 && strings.HasPrefix(header[i:], "extends") && (i == 0 || !isIdentByte(header[i-1])) {
			return i
		}
		depth += depthDelta(header, i)
	}
	return -1
}

func TestDeclarationReader(t *testing.T) {
	src := `
interface Base { inherited(): void; readonly prop: string; }
// interface Commented { nope(): void; }
interface Child<T extends Base = Base> extends Base {
  get body(): string;
  plain(a: { x: 1; y: 2 }): void;
  generic<U = unknown>(cb: (u: U) => void): U;
  optional?(x: number): void;
  /* skipped(): void; */
  field: number;
}
declare abstract class K<T> {
  public run(x: string): Promise<void>;
  constructor(a: string);
}
type F<T = undefined> = (T extends string ? Wrap<T> : unknown) & {
  fetch(input: string): Promise<Response>;
};
type G = F<string> & { readonly id: string; };
`
	ds := parseDeclarations(src)
	got, err := ds.members("Child", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"inherited": true, "prop": false, "body": false, "plain": true, "generic": true, "optional": true, "field": false}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Child members = %v, want %v", got, want)
	}
	if _, ok := ds["Commented"]; ok {
		t.Error("a commented-out declaration was read")
	}
	k, _ := ds.members("K", nil)
	if fmt.Sprint(k) != fmt.Sprint(map[string]bool{"run": true}) {
		t.Errorf("K members = %v", k)
	}
	g, _ := ds.members("G", nil)
	if fmt.Sprint(g) != fmt.Sprint(map[string]bool{"fetch": true, "id": false}) {
		t.Errorf("G members = %v", g)
	}
}
