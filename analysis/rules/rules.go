// Package rules checks a Python Worker for the pitfalls documented in
// docs/rules (codes PW001–PW031, one page each) and validates its
// wrangler config (codes PW100–PW105). It is pure analysis: it knows no LSP
// types, reads nothing but its Input (and, through Input.FS, the files a
// rule must look at), and caches nothing between calls.
//
// Every rule lives in its own file (pwNNN_*.go) and registers itself in
// init(); the framework here runs the rules for one file, drops results
// that fall into parse-error regions or on suppressed lines, and turns
// byte offsets into LSP positions.
package rules

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog/wranglerschema"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// DocsBaseURL is where the rule pages live; a rule's DocsURL is
// DocsBaseURL + code + ".md".
const DocsBaseURL = "https://github.com/pyworkers-lsp/pyworkers-lsp/blob/main/docs/rules/"

// Severity is a diagnostic's severity; the values match LSP's.
type Severity int

// The severities.
const (
	Error       Severity = 1
	Warning     Severity = 2
	Information Severity = 3
	Hint        Severity = 4
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Information:
		return "information"
	case Hint:
		return "hint"
	}
	return "unknown"
}

// Position is an LSP position (zero-based line, UTF-16 column).
type Position = textpos.Position

// Range is an LSP range.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Diagnostic tags.
const (
	TagDeprecated  = "deprecated"
	TagUnnecessary = "unnecessary"
)

// Diagnostic is one finding, with positions ready for the wire.
type Diagnostic struct {
	Path     string   `json:"path"`
	Range    Range    `json:"range"`
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	DocsURL  string   `json:"docsUrl"`
	Tags     []string `json:"tags,omitempty"`
	Fixes    []Fix    `json:"fixes,omitempty"`

	start, end int // byte offsets in Path's text, for filtering
}

// Fix is one quick fix.
type Fix struct {
	Title     string     `json:"title"`
	Edits     []FileEdit `json:"edits"`
	Preferred bool       `json:"preferred,omitempty"`
}

// FileEdit replaces Range of the file at Path with NewText.
type FileEdit struct {
	Path    string `json:"path"`
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

// Input is what the rules look at.
type Input struct {
	Worker *project.Worker
	Env    *project.Environment // the selected environment
	// PythonFiles are the Worker's modules by absolute path; open buffers
	// override the disk (the caller builds this).
	PythonFiles map[string]*pysyntax.File
	// Disabled turns rules off by code.
	Disabled map[string]bool
	// FS reads files the rules need besides the above (a legacy
	// requirements file, whether main exists); nil means the disk.
	FS project.FS
	// Now is "today" for PW029; zero means time.Now().
	Now time.Time
	// Facts optionally holds the caller's facts of Python files (from
	// pyfacts.ParseIncremental, kept per snapshot). A module whose text is
	// the file's is used as is; one of an earlier version seeds an
	// incremental parse, so only edited top-level statements are re-walked.
	Facts map[string]*pyfacts.Module
}

// Target says which files a rule checks.
type Target int

// The targets.
const (
	TargetPython       Target = 1 << iota // the Worker's .py files
	TargetConfig                          // the wrangler config
	TargetPyproject                       // pyproject.toml
	TargetRequirements                    // requirements.txt / cf-requirements.txt
)

// Rule is one registered check.
type Rule struct {
	Code     string // "PW001"
	Name     string // "global-handler"
	Summary  string // one line, for docs and SARIF
	Severity Severity
	Targets  Target
	Check    func(p *Pass)
}

// DocsURL is the rule's documentation page.
func (r *Rule) DocsURL() string { return DocsBaseURL + r.Code + ".md" }

var registry = map[string]*Rule{}

// register adds a rule; rule files call it from init.
func register(r *Rule) {
	if _, dup := registry[r.Code]; dup {
		panic("rules: duplicate code " + r.Code)
	}
	registry[r.Code] = r
}

// Rules returns every rule, sorted by code.
func Rules() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Lookup returns the rule with code, or nil.
func Lookup(code string) *Rule { return registry[code] }

// session holds what one CheckFile/CheckWorker call derives, shared by all
// rules of the call (and dropped when it returns).
type session struct {
	ctx     context.Context
	in      *Input
	modules map[string]*pyfacts.Module
	lines   map[string]*textpos.Index
	now     time.Time
	schema  *[]wranglerschema.Issue // wrangler schema issues, computed once
}

func newSession(ctx context.Context, in *Input) *session {
	s := &session{ctx: ctx, in: in, modules: map[string]*pyfacts.Module{}, lines: map[string]*textpos.Index{}, now: in.Now}
	if s.now.IsZero() {
		s.now = time.Now()
	}
	return s
}

func (s *session) fs() project.FS {
	if s.in.FS != nil {
		return s.in.FS
	}
	return project.OSFS{}
}

// module returns the facts of a Python file, parsed once per session.
func (s *session) module(path string) *pyfacts.Module {
	if m, ok := s.modules[path]; ok {
		return m
	}
	f := s.in.PythonFiles[path]
	if f == nil {
		s.modules[path] = nil
		return nil
	}
	prev := s.in.Facts[path]
	if prev != nil && prev.Src == f.Text() {
		s.modules[path] = prev
		return prev
	}
	m := pyfacts.ParseIncremental(path, f, prev)
	s.modules[path] = m
	return m
}

// modulePaths returns the Worker's Python file paths, sorted.
func (s *session) modulePaths() []string {
	paths := make([]string, 0, len(s.in.PythonFiles))
	for p := range s.in.PythonFiles {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// linesOf returns the line index of a file the rules edit or report in.
func (s *session) linesOf(path string) *textpos.Index {
	if x, ok := s.lines[path]; ok {
		return x
	}
	var x *textpos.Index
	w := s.in.Worker
	switch {
	case s.in.PythonFiles[path] != nil:
		x = s.in.PythonFiles[path].Lines()
	case w != nil && path == w.ConfigPath:
		x = textpos.New(w.Config.Text)
	case w != nil && w.Pyproject != nil && path == w.PyprojectPath:
		x = textpos.New(w.Pyproject.Text)
	default:
		data, err := s.fs().ReadFile(path)
		if err != nil {
			data = nil
		}
		x = textpos.New(string(data))
	}
	s.lines[path] = x
	return x
}

// Pass is one rule's run over one file.
type Pass struct {
	*session
	Rule   *Rule
	Path   string
	Target Target
	Module *pyfacts.Module  // TargetPython
	Doc    *config.Document // TargetConfig, TargetPyproject
	Lines  *textpos.Index
	Worker *project.Worker
	Env    *project.Environment
	diags  []Diagnostic
}

// Context returns the call's context.
func (p *Pass) Context() context.Context { return p.ctx }

// Now returns "today".
func (p *Pass) Now() time.Time { return p.now }

// Report records a diagnostic at the byte range [start, end) of the
// checked file, with the rule's default severity.
func (p *Pass) Report(start, end int, msg string, fixes ...Fix) *Diagnostic {
	return p.ReportIn(p.Path, start, end, msg, fixes...)
}

// ReportNode reports at a syntax node.
func (p *Pass) ReportNode(n *pyfacts.Node, msg string, fixes ...Fix) *Diagnostic {
	return p.Report(p.Module.Start(n), p.Module.End(n), msg, fixes...)
}

// ReportConfig reports at a config node's value.
func (p *Pass) ReportConfig(n *config.Node, msg string, fixes ...Fix) *Diagnostic {
	return p.Report(n.Range.Start, n.Range.End, msg, fixes...)
}

// ReportIn reports in another file of the Worker (CheckFile keeps only
// the checked file's diagnostics).
func (p *Pass) ReportIn(path string, start, end int, msg string, fixes ...Fix) *Diagnostic {
	lines := p.linesOf(path)
	p.diags = append(p.diags, Diagnostic{
		Path: path, Severity: p.Rule.Severity, Code: p.Rule.Code, Message: msg, DocsURL: p.Rule.DocsURL(),
		Range: Range{lines.Position(start), lines.Position(end)}, Fixes: fixes, start: start, end: end,
	})
	return &p.diags[len(p.diags)-1]
}

// Edit builds an edit of [start, end) in path.
func (p *Pass) Edit(path string, start, end int, newText string) FileEdit {
	lines := p.linesOf(path)
	return FileEdit{Path: path, Range: Range{lines.Position(start), lines.Position(end)}, NewText: newText}
}

// Modules returns the facts of every Python file of the Worker, sorted by path.
func (p *Pass) Modules() []*pyfacts.Module {
	var out []*pyfacts.Module
	for _, path := range p.modulePaths() {
		if m := p.module(path); m != nil && m.Root != nil {
			out = append(out, m)
		}
	}
	return out
}

// MainModule returns the facts of the selected environment's main module.
func (p *Pass) MainModule() *pyfacts.Module {
	if p.Env == nil || p.Env.MainPath == "" {
		return nil
	}
	return p.module(p.Env.MainPath)
}

// IsMain reports whether the checked file is the main module.
func (p *Pass) IsMain() bool { return p.Env != nil && p.Env.MainPath != "" && p.Path == p.Env.MainPath }

// targetOf says what kind of Worker file path is.
func targetOf(in *Input, path string) Target {
	w := in.Worker
	switch {
	case w != nil && path == w.ConfigPath:
		return TargetConfig
	case w != nil && path == w.PyprojectPath:
		return TargetPyproject
	case strings.HasSuffix(path, ".py"):
		return TargetPython
	}
	if w != nil && slices.Contains(w.LegacyRequirements, path) {
		return TargetRequirements
	}
	return 0
}

// CheckFile returns the diagnostics of one file of the Worker: a .py
// module, the wrangler config, pyproject.toml, or a legacy requirements
// file. Results are sorted by position.
func CheckFile(ctx context.Context, in *Input, path string) []Diagnostic {
	if in == nil || in.Worker == nil {
		return nil
	}
	s := newSession(ctx, in)
	return s.checkFile(path)
}

// CheckWorker returns the diagnostics of every file of the Worker, sorted
// by path and position.
func CheckWorker(ctx context.Context, in *Input) []Diagnostic {
	if in == nil || in.Worker == nil {
		return nil
	}
	s := newSession(ctx, in)
	w := in.Worker
	var out []Diagnostic
	out = append(out, s.checkFile(w.ConfigPath)...)
	if w.Pyproject != nil {
		out = append(out, s.checkFile(w.PyprojectPath)...)
	}
	for _, r := range w.LegacyRequirements {
		out = append(out, s.checkFile(r)...)
	}
	for _, path := range s.modulePaths() {
		if ctx.Err() != nil {
			break
		}
		out = append(out, s.checkFile(path)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (s *session) checkFile(path string) []Diagnostic {
	target := targetOf(s.in, path)
	if target == 0 {
		return nil
	}
	env := s.in.Env
	if env == nil {
		env, _ = s.in.Worker.Env("")
	}
	base := Pass{session: s, Path: path, Target: target, Worker: s.in.Worker, Env: env}
	var text string
	switch target {
	case TargetPython:
		m := s.module(path)
		if m == nil || m.Root == nil {
			return nil
		}
		base.Module = m
		base.Lines = m.Lines
		text = m.Src
	case TargetConfig:
		base.Doc = s.in.Worker.Config
		text = base.Doc.Text
	case TargetPyproject:
		base.Doc = s.in.Worker.Pyproject
		text = base.Doc.Text
	}
	base.Lines = s.linesOf(path)
	if target == TargetRequirements {
		text = base.Lines.Text()
	}

	var out []Diagnostic
	for _, r := range Rules() {
		if r.Targets&target == 0 || s.in.Disabled[r.Code] {
			continue
		}
		if target == TargetConfig && s.in.Worker.ConfigErr != nil && r.Code != "PW100" {
			continue // the config was not read: PW100 says why, the rest would judge an empty file
		}
		if s.ctx.Err() != nil {
			return nil
		}
		p := base
		p.Rule = r
		runRule(&p)
		for _, d := range p.diags {
			if d.Path != path {
				continue
			}
			if base.Module != nil && base.Module.InError(d.start, d.end) {
				continue
			}
			out = append(out, d)
		}
	}
	out = suppress(out, text, base.Lines)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if a.end != b.end {
			return a.end < b.end
		}
		return a.Code < b.Code
	})
	return out
}

// panicHook, when set (by tests and fuzz targets), sees every rule panic
// that runRule recovers from.
var panicHook func(code, path string, r any)

// runRule runs one rule; a panic drops that rule's results and is logged,
// so one faulty rule cannot take the others (or the server) down.
func runRule(p *Pass) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("rule panicked; its results are dropped", "rule", p.Rule.Code, "path", p.Path, "panic", fmt.Sprint(r))
			p.diags = nil
			if panicHook != nil {
				panicHook(p.Rule.Code, p.Path, r)
			}
		}
	}()
	p.Rule.Check(p)
}

var suppressRE = regexp.MustCompile(`(?:#|//)\s*pyworkers:\s*ignore(?:\[([^\]]*)\])?`)

// suppress drops diagnostics on lines carrying `# pyworkers: ignore` (all
// codes) or `# pyworkers: ignore[PW001, PW009]` (those codes). Config files
// may use `//` comments.
func suppress(diags []Diagnostic, text string, lines *textpos.Index) []Diagnostic {
	if len(diags) == 0 || !strings.Contains(text, "pyworkers:") {
		return diags
	}
	type rule struct {
		all   bool
		codes map[string]bool
	}
	byLine := map[int]rule{}
	for _, loc := range suppressRE.FindAllStringSubmatchIndex(text, -1) {
		line := lines.Position(loc[0]).Line
		r := byLine[line]
		if loc[2] < 0 {
			r.all = true
		} else {
			if r.codes == nil {
				r.codes = map[string]bool{}
			}
			for _, c := range strings.Split(text[loc[2]:loc[3]], ",") {
				r.codes[strings.ToUpper(strings.TrimSpace(c))] = true
			}
		}
		byLine[line] = r
	}
	out := diags[:0]
	for _, d := range diags {
		r, ok := byLine[d.Range.Start.Line]
		if ok && (r.all || r.codes[d.Code]) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// fixBuilder collects the edits of one quick fix across files.
type fixBuilder struct {
	p     *Pass
	fix   Fix
	empty bool
}

// newFix starts a quick fix.
func (p *Pass) newFix(title string) *fixBuilder {
	return &fixBuilder{p: p, fix: Fix{Title: title}, empty: true}
}

// add adds edits (byte offsets of path's text).
func (b *fixBuilder) add(path string, edits ...textEdit) *fixBuilder {
	for _, e := range edits {
		b.fix.Edits = append(b.fix.Edits, b.p.Edit(path, e.Start, e.End, e.Text))
		b.empty = false
	}
	return b
}

// preferred marks the fix as the one to apply by default.
func (b *fixBuilder) preferred() *fixBuilder { b.fix.Preferred = true; return b }

// fixes returns the fix as a list: empty when no edit was added, so rules
// can pass `b.fixes()...` whether or not the fix applies.
func (b *fixBuilder) fixes() []Fix {
	if b.empty {
		return nil
	}
	return []Fix{b.fix}
}

// configEditor returns an editor for the Worker's config.
func (p *Pass) configEditor() configEditor { return configEditor{doc: p.Worker.Config} }

// py returns an edit builder for the checked module.
func (p *Pass) py() pyEdits { return pyEdits{m: p.Module} }

// pyFix is a fix editing the checked module.
func (p *Pass) pyFix(title string, edits ...textEdit) []Fix {
	if len(edits) == 0 {
		return nil
	}
	return p.newFix(title).add(p.Path, edits...).fixes()
}
