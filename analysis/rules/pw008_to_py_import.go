package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW008", Name: "to-py-import", Severity: Error, Targets: TargetPython,
		Summary: "from pyodide.ffi import to_py fails: to_py() is a method of JS proxies.",
		Check:   checkToPyImport,
	})
}

func checkToPyImport(p *Pass) {
	for _, imp := range p.Module.Imports {
		if imp.Module != "pyodide.ffi" || imp.Name != "to_py" || imp.NameNode == nil {
			continue
		}
		p.ReportNode(imp.NameNode, "pyodide.ffi has no to_py (ImportError): to_py() is a method of JS proxies; call value.to_py()", toPyFix(p, imp)...)
	}
}

// toPyFix drops the import and turns every to_py(x) call into x.to_py().
func toPyFix(p *Pass, imp *pyfacts.Import) []Fix {
	m := p.Module
	e := p.py()
	var edits []textEdit
	names := imp.Stmt.ChildrenIn("name")
	if len(names) == 1 {
		s, en := e.lineRange(p.Module.Start(imp.Stmt), p.Module.End(imp.Stmt))
		edits = append(edits, textEdit{s, en, ""})
	} else {
		// Remove the name with the comma next to it.
		for i, n := range names {
			if n != imp.NameNode {
				continue
			}
			if i+1 < len(names) {
				edits = append(edits, textEdit{p.Module.Start(n), p.Module.Start(names[i+1]), ""})
			} else {
				edits = append(edits, textEdit{p.Module.End(names[i-1]), p.Module.End(n), ""})
			}
		}
	}
	for _, call := range m.Calls {
		fn := call.Child("function")
		if !fn.Is("identifier") || m.Text(fn) != imp.Alias {
			continue
		}
		args := call.Child("arguments").NamedChildren()
		if len(args) != 1 || args[0].Type == "keyword_argument" || args[0].Type == "list_splat" {
			continue
		}
		arg := m.Text(args[0])
		if !args[0].Is("identifier", "attribute", "call", "subscript", "parenthesized_expression") {
			arg = "(" + arg + ")"
		}
		edits = append(edits, textEdit{p.Module.Start(call), p.Module.End(call), arg + ".to_py()"})
	}
	return p.newFix("Use the .to_py() method instead of importing to_py").add(p.Path, edits...).preferred().fixes()
}
