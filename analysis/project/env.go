package project

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/compat"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
)

// Environment is the Worker as one environment sees it: the top level, or an
// env.<name> block with inheritance applied.
type Environment struct {
	Name   string // "" for the top level
	Worker *Worker
	Block  *config.Node // the env block (the root for the top level)

	WorkerName      string
	Main            string // as written
	MainPath        string // absolute; "" when main is not set
	MainNode        *config.Node
	CompatDate      string
	CompatDateNode  *config.Node
	CompatFlags     []string
	CompatFlagsNode *config.Node
	Compat          compat.Result
	Crons           []Cron
	// AssetsNode is the `assets` block (inherited from the top level), nil
	// without one.
	AssetsNode *config.Node

	Bindings []*Binding
}

// Cron is one schedule from triggers.crons.
type Cron struct {
	Expr string
	Node *config.Node
}

// Binding is one name on env: a binding, a var or a secret.
type Binding struct {
	Name string
	Kind *BindingKind
	// Entry is the config entry declaring it (the object of a binding, the
	// member of a var); nil for secrets from .dev.vars/.env.
	Entry *config.Node
	// NameNode is where the name is written (the name field's value, or a
	// var's key); nil for .dev.vars secrets.
	NameNode *config.Node
	// FromEnv names the block the entry was read from ("" top level).
	FromEnv string
	// Detail is a short description: namespace id, database name, class name,
	// a var's value. Never a secret's value.
	Detail string
	Secret *Secret // set for secrets
}

// Field returns a string field of the binding's entry.
func (b *Binding) Field(name string) string {
	if b.Entry == nil {
		return ""
	}
	return b.Entry.Get(name).String()
}

// Binding returns the binding, var or secret called name, or nil.
func (e *Environment) Binding(name string) *Binding {
	for _, b := range e.Bindings {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// BindingsOf returns the bindings whose runtime interface is iface.
func (e *Environment) BindingsOf(iface string) []*Binding {
	var out []*Binding
	for _, b := range e.Bindings {
		if b.Kind.Interface == iface {
			out = append(out, b)
		}
	}
	return out
}

func (w *Worker) resolve(fsys FS, name string) *Environment {
	root := w.Config.Root
	block := root
	if name != "" {
		block = root.Path("env", name)
	}
	env := &Environment{Name: name, Worker: w, Block: block}
	// inherited returns the env block's value of key, else the top level's.
	inherited := func(key string) *config.Node {
		if n := block.Get(key); n != nil {
			return n
		}
		return root.Get(key)
	}
	env.WorkerName = inherited("name").String()
	if name != "" && block.Get("name") == nil && env.WorkerName != "" {
		env.WorkerName += "-" + name // wrangler's default name for an environment
	}
	if n := inherited("main"); n != nil {
		env.MainNode = n
		env.Main = n.String()
		if env.Main != "" {
			env.MainPath = filepath.Join(w.Dir, filepath.FromSlash(env.Main))
		}
	}
	env.CompatDateNode = inherited("compatibility_date")
	env.CompatDate = env.CompatDateNode.String()
	if env.CompatDateNode != nil && env.CompatDateNode.Kind == config.Other {
		env.CompatDate = env.CompatDateNode.Raw // TOML allows an unquoted date
	}
	env.AssetsNode = inherited("assets")
	env.CompatFlagsNode = inherited("compatibility_flags")
	env.CompatFlags = env.CompatFlagsNode.Strings()
	env.Compat = compat.Resolve(env.CompatDate, env.CompatFlags)
	if crons := inherited("triggers").Get("crons"); crons != nil {
		for _, it := range crons.Items {
			if it.Kind == config.String {
				env.Crons = append(env.Crons, Cron{Expr: it.Str, Node: it})
			}
		}
	}

	for _, kind := range BindingKinds {
		src, from := block, name
		if slices.Contains(InheritedKeys, kind.Path[0]) && block.Get(kind.Path[0]) == nil {
			src, from = root, ""
		}
		env.addBindings(kind, src.Path(kind.Path...), from)
	}
	env.addSecrets(fsys, block, name)
	return env
}

func (e *Environment) addBindings(kind *BindingKind, n *config.Node, from string) {
	if n == nil {
		return
	}
	switch kind.Shape {
	case KeyedValues:
		if n.Kind != config.Object {
			return
		}
		for _, m := range n.Members {
			if m.Key == "" {
				continue // `"": …` names nothing self.env could hold
			}
			e.Bindings = append(e.Bindings, &Binding{Name: m.Key, Kind: kind, Entry: m, NameNode: m, FromEnv: from, Detail: varDetail(m)})
		}
	case SingleEntry:
		if n.Kind == config.Object {
			e.addEntry(kind, n, from)
		}
	case ArrayOfEntries:
		if n.Kind != config.Array {
			return
		}
		for _, it := range n.Items {
			if it.Kind == config.Object {
				e.addEntry(kind, it, from)
			}
		}
	}
}

func (e *Environment) addEntry(kind *BindingKind, entry *config.Node, from string) {
	nameNode := entry.Get(kind.NameField)
	if nameNode == nil || nameNode.Kind != config.String || nameNode.Str == "" {
		return // an entry without a name binds nothing; config validation reports it
	}
	b := &Binding{Name: nameNode.Str, Kind: kind, Entry: entry, NameNode: nameNode, FromEnv: from}
	for _, f := range kind.Details {
		if v := entry.Get(f).String(); v != "" {
			b.Detail = f + ": " + v
			break
		}
	}
	e.Bindings = append(e.Bindings, b)
}

func varDetail(n *config.Node) string {
	switch n.Kind {
	case config.String:
		return strconv.Quote(n.Str)
	case config.Number, config.Other:
		return n.Raw
	case config.Bool:
		return strconv.FormatBool(n.Bool)
	case config.Object, config.Array:
		return "JSON " + n.Kind.String()
	}
	return "null"
}

func (e *Environment) addSecrets(fsys FS, block *config.Node, name string) {
	seen := map[string]bool{}
	for _, b := range e.Bindings {
		seen[b.Name] = true
	}
	for _, s := range e.Worker.devSecrets(fsys, name) {
		if seen[s.Name] {
			continue // a .dev.vars entry overrides a var of the same name locally
		}
		seen[s.Name] = true
		s := s
		e.Bindings = append(e.Bindings, &Binding{Name: s.Name, Kind: SecretKind, FromEnv: name, Secret: &s,
			Detail: "secret from " + filepath.Base(s.File)})
	}
	if req := block.Path("secrets", "required"); req != nil {
		for _, it := range req.Items {
			if it.Kind != config.String || it.Str == "" || seen[it.Str] {
				continue
			}
			seen[it.Str] = true
			s := Secret{Name: it.Str, Node: it, Listed: true}
			e.Bindings = append(e.Bindings, &Binding{Name: it.Str, Kind: SecretKind, Entry: it, NameNode: it, FromEnv: name, Secret: &s,
				Detail: "required secret (no local value)"})
		}
	}
}

// IsPythonMain says whether main names a .py file.
func (e *Environment) IsPythonMain() bool { return strings.HasSuffix(e.Main, ".py") }
