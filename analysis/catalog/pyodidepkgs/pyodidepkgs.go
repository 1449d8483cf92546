// Package pyodidepkgs knows which Python packages have a Pyodide build for
// each Pyodide a Python Worker can select, and which popular packages have
// native code and no Pyodide build at all. It is the data behind the PW016
// diagnostic (a dependency pywrangler cannot install).
//
// The lists in data/ are extracted by update.sh from the pyodide-lock.json
// of the npm `pyodide` package; each file's first line names its version and
// source. A package missing from a list may still be pure Python and be
// installed from PyPI, so absence alone is no error: see Index.Unavailable.
package pyodidepkgs

import (
	"bufio"
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

//go:embed data/pyodide-*.tsv
var dataFS embed.FS

// Package is one entry of a Pyodide lock list.
type Package struct {
	Name    string // normalized per PEP 503
	Version string
	// Kind is "pure" (a py3-none-any wheel), "native" (compiled for
	// Pyodide), "stdlib" (a standard-library module Pyodide ships apart,
	// such as ssl or sqlite3) or "shlib" (a shared library other packages
	// load).
	Kind    string
	Imports []string // top-level import names
}

// Index is the package list of one Pyodide version.
type Index struct {
	version  string
	python   string
	packages map[string]Package
	byImport map[string]string // import name -> package name
}

// Version is the npm pyodide version the list was taken from.
func (ix *Index) Version() string { return ix.version }

// Python is the Python version that Pyodide embeds ("3.13.2").
func (ix *Index) Python() string { return ix.python }

// Has reports whether Pyodide has a build of the distribution (any
// spelling: "Pydantic_Core" finds "pydantic-core").
func (ix *Index) Has(pkgName string) bool {
	_, ok := ix.packages[Normalize(pkgName)]
	return ok
}

// Package returns the entry of a distribution.
func (ix *Index) Package(pkgName string) (Package, bool) {
	p, ok := ix.packages[Normalize(pkgName)]
	return p, ok
}

// ProvidingImport returns the package whose wheel provides a top-level
// import ("cv2" -> opencv-python).
func (ix *Index) ProvidingImport(module string) (Package, bool) {
	name, ok := ix.byImport[module]
	if !ok {
		return Package{}, false
	}
	return ix.packages[name], true
}

// Packages lists every entry, sorted by name.
func (ix *Index) Packages() []Package {
	out := make([]Package, 0, len(ix.packages))
	for _, p := range ix.packages {
		out = append(out, p)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Unavailable tells whether a dependency cannot be installed for this
// Pyodide, and why: it is known native code with no Pyodide build (with
// the suggested alternative), or it has a native Pyodide build only for
// other Pyodide versions. Packages this index has, and packages about
// which nothing is known (they may be pure Python on PyPI), are available.
func (ix *Index) Unavailable(pkgName string) (reason string, unavailable bool) {
	if ix.Has(pkgName) {
		return "", false
	}
	if alt, ok := KnownNative(pkgName); ok {
		return fmt.Sprintf("%s has native code and no Pyodide build: %s", Normalize(pkgName), alt), true
	}
	var elsewhere []string
	for _, v := range Versions() {
		other, err := ForPyodide(v)
		if err != nil {
			continue
		}
		if p, ok := other.Package(pkgName); ok && p.Kind == "native" {
			elsewhere = append(elsewhere, fmt.Sprintf("%s (Python %s)", v, other.python))
		}
	}
	if len(elsewhere) > 0 {
		return fmt.Sprintf("%s has native code and is built for Pyodide %s, not for Pyodide %s (Python %s)",
			Normalize(pkgName), strings.Join(elsewhere, ", "), ix.version, ix.python), true
	}
	return "", false
}

var separatorsRE = regexp.MustCompile(`[-_.]+`)

// Normalize returns the PEP 503 form of a distribution name: lower case,
// runs of "-", "_" and "." replaced by one "-".
func Normalize(name string) string {
	return separatorsRE.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-")
}

// aliases maps versions a Worker reports to the list that applies to it.
// The Python 3.12 runtime embeds Pyodide 0.26.0a2, which npm does not
// serve; pywrangler installs that row's packages from the 0.27.7 index,
// so its list is the one that decides what can be installed.
var aliases = map[string]string{
	"0.26.0a2":       "0.27.7",
	"0.26.0-alpha.2": "0.27.7",
}

// pythonToPyodide maps a Python minor version to the Pyodide list that
// pywrangler installs for it (versions.md). The 3.13 lists of 0.28.2 (the
// runtime) and 0.28.3 (pywrangler's index) hold the same packages, as do
// 314.0.2 and 314.0.4.
var pythonToPyodide = map[string]string{
	"3.12": "0.27.7",
	"3.13": "0.28.2",
	"3.14": "314.0.2",
}

var (
	loadOnce sync.Once
	indexes  map[string]*Index
	loadErr  error
)

// Versions lists the Pyodide versions that have a stored list.
func Versions() []string {
	loadOnce.Do(load)
	out := make([]string, 0, len(indexes))
	for v := range indexes {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// ForPyodide returns the list of a Pyodide version: one of Versions(), or
// the runtime's 0.26.0a2 (answered with pywrangler's 0.27.7 list).
func ForPyodide(version string) (*Index, error) {
	loadOnce.Do(load)
	if loadErr != nil {
		return nil, loadErr
	}
	version = strings.TrimPrefix(strings.TrimSpace(version), "v")
	if alias, ok := aliases[version]; ok {
		version = alias
	}
	ix, ok := indexes[version]
	if !ok {
		return nil, fmt.Errorf("no package list for Pyodide %q (have %s)", version, strings.Join(Versions(), ", "))
	}
	return ix, nil
}

// ForPython returns the list pywrangler installs from for a Python version
// ("3.13" or "3.13.2").
func ForPython(pythonVersion string) (*Index, error) {
	parts := strings.SplitN(strings.TrimSpace(pythonVersion), ".", 3)
	if len(parts) >= 2 {
		if v, ok := pythonToPyodide[parts[0]+"."+parts[1]]; ok {
			return ForPyodide(v)
		}
	}
	return nil, fmt.Errorf("no Pyodide for Python %q (Python Workers run 3.12, 3.13, 3.14)", pythonVersion)
}

func load() {
	indexes = map[string]*Index{}
	entries, err := dataFS.ReadDir("data")
	if err != nil {
		loadErr = err
		return
	}
	for _, e := range entries {
		ix, err := parseList("data/" + e.Name())
		if err != nil {
			loadErr = err
			return
		}
		indexes[ix.version] = ix
	}
}

// parseList reads one data file. Its first line is
// "# pyodide VERSION<TAB>python PYVERSION<TAB>source ...", then comment
// lines, then "name<TAB>version<TAB>kind<TAB>imports" rows.
func parseList(path string) (*Index, error) {
	f, err := dataFS.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ix := &Index{packages: map[string]Package{}, byImport: map[string]string{}}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "#") {
			if line == 1 {
				for _, field := range strings.Split(strings.TrimPrefix(text, "# "), "\t") {
					key, val, _ := strings.Cut(field, " ")
					switch key {
					case "pyodide":
						ix.version = val
					case "python":
						ix.python = val
					}
				}
			}
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("%s:%d: want 4 tab-separated columns, got %d", path, line, len(cols))
		}
		p := Package{Name: Normalize(cols[0]), Version: cols[1], Kind: cols[2]}
		if cols[3] != "" {
			p.Imports = strings.Split(cols[3], ",")
		}
		ix.packages[p.Name] = p
		for _, imp := range p.Imports {
			ix.byImport[imp] = p.Name
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if ix.version == "" || ix.python == "" {
		return nil, fmt.Errorf("%s: first line must name the pyodide and python versions", path)
	}
	return ix, nil
}
