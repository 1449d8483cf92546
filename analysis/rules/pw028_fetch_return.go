package rules

import "github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"

func init() {
	register(&Rule{
		Code: "PW028", Name: "fetch-returns-non-response", Severity: Error, Targets: TargetPython,
		Summary: "fetch returns something that is not a Response (a str, dict, list, number or None).",
		Check:   checkFetchReturn,
	})
}

func checkFetchReturn(p *Pass) {
	m := p.Module
	var fetches []*pyfacts.Func
	for _, c := range m.Classes {
		if c.HasBase("WorkerEntrypoint") || c.HasBase("DurableObject") {
			if f := c.Method("fetch"); f != nil {
				fetches = append(fetches, f)
			}
		}
	}
	if f := m.Function("on_fetch"); f != nil {
		fetches = append(fetches, f)
	}
	if len(fetches) == 0 {
		return
	}
	for _, ret := range m.Returns {
		fn := pyfacts.EnclosingFunc(ret)
		var owner *pyfacts.Func
		for _, f := range fetches {
			if f.Node == fn {
				owner = f
			}
		}
		if owner == nil {
			continue
		}
		vals := ret.NamedChildren()
		if len(vals) == 0 {
			p.ReportNode(ret, "fetch returns None: the runtime needs a Response (the request fails with an error)")
			continue
		}
		if len(vals) != 1 {
			continue
		}
		v := vals[0].Unparen()
		src := m.Text(vals[0])
		var what, wrap string
		switch v.Type {
		case "string", "concatenated_string":
			what, wrap = "a str", "Response"
		case "dictionary", "list", "dictionary_comprehension", "list_comprehension":
			what, wrap = "a "+map[string]string{"dictionary": "dict", "list": "list", "dictionary_comprehension": "dict", "list_comprehension": "list"}[v.Type], "Response.json"
		case "integer", "float":
			what, wrap = "a number", "Response"
			src = "str(" + src + ")"
		case "none":
			what = "None"
		case "true", "false":
			what = "a bool"
		default:
			continue
		}
		var fixes []Fix
		if wrap != "" {
			edits := []textEdit{{p.Module.Start(vals[0]), p.Module.End(vals[0]), wrap + "(" + src + ")"}}
			if _, ok := m.ImportedAs("Response"); !ok {
				edits = append(p.py().addImport("workers", "Response"), edits...)
			}
			fixes = p.newFix("Wrap in "+wrap+"(...)").add(p.Path, edits...).preferred().fixes()
		}
		p.ReportNode(vals[0], "fetch returns "+what+", not a Response: the request fails; return Response(...) or Response.json(...)", fixes...)
	}
}
