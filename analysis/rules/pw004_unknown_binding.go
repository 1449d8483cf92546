package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

func init() {
	register(&Rule{
		Code: "PW004", Name: "unknown-binding", Severity: Warning, Targets: TargetPython,
		Summary: "self.env.NAME / env.NAME is not declared in the config for the selected environment (AttributeError at run time).",
		Check:   checkUnknownBinding,
	})
}

// stubKindByMember guesses a binding kind from the first member used on
// it: self.env.X.prepare(...) is a D1 database.
var stubKindByMember = map[string]string{
	"get": "kv_namespaces", "put": "kv_namespaces", "delete": "kv_namespaces", "list": "kv_namespaces", "getWithMetadata": "kv_namespaces",
	"prepare": "d1_databases", "batch": "d1_databases", "exec": "d1_databases", "dump": "d1_databases", "withSession": "d1_databases",
	"head": "r2_buckets", "createMultipartUpload": "r2_buckets", "resumeMultipartUpload": "r2_buckets",
	"run": "ai", "models": "ai", "gateway": "ai", "toMarkdown": "ai",
	"query": "vectorize", "queryById": "vectorize", "insert": "vectorize", "upsert": "vectorize", "deleteByIds": "vectorize", "getByIds": "vectorize", "describe": "vectorize",
	"idFromName": "durable_objects.bindings", "idFromString": "durable_objects.bindings", "newUniqueId": "durable_objects.bindings", "getByName": "durable_objects.bindings",
	"send": "queues.producers", "sendBatch": "queues.producers",
	"writeDataPoint": "analytics_engine_datasets",
	"create":         "workflows", "createBatch": "workflows",
	"fetch": "services", "connect": "services",
	"connectionString": "hyperdrive",
	"limit":            "ratelimits",
}

// stubFields are the placeholder fields of a new binding entry, after its
// name field.
var stubFields = map[string][]field{
	"kv_namespaces":             {{"id", ""}},
	"d1_databases":              {{"database_name", ""}, {"database_id", ""}},
	"r2_buckets":                {{"bucket_name", ""}},
	"vectorize":                 {{"index_name", ""}},
	"durable_objects.bindings":  {{"class_name", ""}},
	"queues.producers":          {{"queue", ""}},
	"analytics_engine_datasets": {{"dataset", ""}},
	"workflows":                 {{"name", ""}, {"class_name", ""}},
	"services":                  {{"service", ""}},
	"hyperdrive":                {{"id", ""}},
	"ratelimits":                {{"namespace_id", ""}},
}

func checkUnknownBinding(p *Pass) {
	if len(p.Module.EnvUses) == 0 {
		return
	}
	var names []string
	for _, b := range p.Env.Bindings {
		names = append(names, b.Name)
	}
	where := "the top level of " + relPath(p.Worker.Dir, p.Worker.ConfigPath)
	if p.Env.Name != "" {
		where = "env." + p.Env.Name + " of " + relPath(p.Worker.Dir, p.Worker.ConfigPath)
	}
	for _, u := range p.Module.EnvUses {
		if p.Env.Binding(u.Name) != nil {
			continue
		}
		var fixes []Fix
		if best, ok := closest(u.Name, names); ok {
			fixes = append(fixes, p.newFix("Rename to "+best).add(p.Path, textEdit{p.Module.Start(u.NameNode), p.Module.End(u.NameNode), best}).preferred().fixes()...)
		}
		member := ""
		if par := u.Expr.Parent; par != nil && par.Type == "attribute" && u.Expr.Field == "object" {
			member = p.Module.Text(par.Child("attribute"))
		}
		if kindKey, edits := bindingStub(p, u.Name, member); len(edits) > 0 {
			label := "variable"
			if k := project.KindByKey(kindKey); k != nil {
				label = k.Label
			}
			fixes = append(fixes, p.newFix("Add "+label+" binding "+u.Name+" to "+relPath(p.Worker.Dir, p.Worker.ConfigPath)).add(p.Worker.ConfigPath, edits...).fixes()...)
		}
		p.ReportNode(u.NameNode, u.Name+" is not declared in "+where+": self.env."+u.Name+" raises AttributeError at run time", fixes...)
	}
}

// bindingStub returns the edits declaring name in the selected
// environment, as the kind its use suggests (a variable when unknown).
func bindingStub(p *Pass, name, member string) (string, []textEdit) {
	e := p.configEditor()
	block := blockPath(p.Env.Name)
	kindKey := stubKindByMember[member]
	kind := project.KindByKey(kindKey)
	if kind == nil {
		if v, depth := p.Doc0().Root.Lookup(append(append([]string{}, block...), "vars")); depth == len(block)+1 && v.Kind != config.Object {
			return "", nil
		}
		return "vars", e.setKey(append(append([]string{}, block...), "vars"), name, "")
	}
	entry := append([]field{{kind.NameField, name}}, stubFields[kindKey]...)
	if kind.Shape == project.SingleEntry {
		if blk, depth := p.Doc0().Root.Lookup(block); depth == len(block) && blk.Get(kind.Path[0]) != nil {
			return "", nil // only one such binding per environment
		}
		return kindKey, e.setObject(block, kind.Path[0], entry)
	}
	return kindKey, e.appendEntry(block, kind.Path, entry)
}

// Doc0 returns the Worker's config document.
func (p *Pass) Doc0() *config.Document { return p.Worker.Config }
