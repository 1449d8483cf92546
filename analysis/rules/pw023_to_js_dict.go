package rules

func init() {
	register(&Rule{
		Code: "PW023", Name: "to-js-dict-becomes-map", Severity: Warning, Targets: TargetPython,
		Summary: "to_js(dict) without dict_converter=Object.fromEntries makes a JS Map, which bindings and JS APIs do not accept as an object.",
		Check:   checkToJSDict,
	})
}

func checkToJSDict(p *Pass) {
	m := p.Module
	for _, call := range m.Calls {
		if m.Callee(call) != "pyodide.ffi.to_js" {
			continue
		}
		args := call.Child("arguments")
		named := args.NamedChildren()
		if len(named) == 0 {
			continue
		}
		dictish := false
		hasConverter := false
		for i, a := range named {
			if a.Type == "keyword_argument" {
				if m.Text(a.Child("name")) == "dict_converter" {
					hasConverter = true
				}
				continue
			}
			if i == 0 {
				v := a.Unparen()
				dictish = v.Type == "dictionary" || v.Type == "dictionary_comprehension" || v.Type == "call" && m.Callee(v) == "dict"
			}
		}
		if hasConverter || !dictish {
			continue
		}
		edits := []textEdit{{p.Module.End(named[len(named)-1]), p.Module.End(named[len(named)-1]), ", dict_converter=Object.fromEntries"}}
		if _, ok := m.ImportedAs("Object"); !ok {
			edits = append(p.py().addImport("js", "Object"), edits...)
		}
		p.ReportNode(call, "to_js() turns a dict into a JS Map, which bindings and JS APIs do not read as an options object; pass dict_converter=Object.fromEntries",
			p.pyFix("Add dict_converter=Object.fromEntries", edits...)...)
	}
}
