// This file ports behaviour of JavaScript shipped with Cloudflare's
// workers-runtime-sdk (workers/workflows.js, 1.9.x) to Go: the helpers the
// SDK imports through _pyodide_entrypoint_helper.doAnImport("…/workflows.js")
// to wrap a workflow's step object.
//
// workers-runtime-sdk is Copyright (c) Cloudflare, Inc. and is distributed
// under the MIT License. This file, as a port of that code, is likewise
// available under the MIT License.

package runtime

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
)

// nonRetryableErrorName is the error name the Workflows engine treats as
// "do not retry this step".
const nonRetryableErrorName = "NonRetryableError"

// workflowsJSModule is the module object workflows.js exports.
func workflowsJSModule(w *pyodide.World) *Object {
	mod := w.NewObject()
	w.Method(mod, "wrapWorkflowStepCallback", func(_ Value, a []Value) Value {
		return wrapWorkflowStepCallback(w, js.Arg(a, 0))
	})
	w.Method(mod, "wrapWorkflowStep", func(_ Value, a []Value) Value {
		return wrapWorkflowStep(w, js.Arg(a, 0))
	})
	return mod
}

// wrapWorkflowStepCallback turns a Python NonRetryableError raised by a step
// callback into a JS error of that name; other errors pass unchanged.
func wrapWorkflowStepCallback(w *pyodide.World, callback Value) Value {
	translate := func(e Value) Value {
		o, ok := e.(*Object)
		if !ok || o.Class != "PythonError" || js.ToString(o.Get("type")) != nonRetryableErrorName {
			return e
		}
		err := w.NewError("Error", pythonExceptionMessage(js.ToString(o.Get("message"))))
		err.Set("name", nonRetryableErrorName)
		return err
	}
	return w.NewFunc("", func(this Value, args []Value) Value {
		out := w.NewPromise()
		var r Value
		if th := w.Catch(func() { r = w.Call(callback, this, args...) }); th != nil {
			w.RejectPromise(out, translate(th.Value))
			return out
		}
		w.OnSettled(w.PromiseResolve(r),
			func(v Value) { w.ResolvePromise(out, v) },
			func(e Value) { w.RejectPromise(out, translate(e)) })
		return out
	})
}

// pythonExceptionMessage is the message of the exception a formatted
// traceback ends with ("pkg.Type: message" → "message"; "pkg.Type" → "").
func pythonExceptionMessage(traceback string) string {
	lines := strings.Split(traceback, "\n")
	last := ""
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			last = l
		}
	}
	_, msg, _ := strings.Cut(last, ": ")
	return msg
}

// wrapWorkflowStep is the step object with its do() passing function
// arguments through wrapWorkflowStepCallback; every other property is the
// step's own (workflows.js uses a Proxy; here the step is the prototype).
func wrapWorkflowStep(w *pyodide.World, step Value) Value {
	target, ok := step.(*Object)
	if !ok {
		return step
	}
	wrapped := w.NewObject()
	wrapped.Class = target.Class
	wrapped.Proto = target
	w.Method(wrapped, "do", func(_ Value, a []Value) Value {
		args := make([]Value, len(a))
		for i, x := range a {
			if i > 0 && js.TypeOf(x) == "function" {
				x = wrapWorkflowStepCallback(w, x)
			}
			args[i] = x
		}
		return w.CallMethod(target, "do", args...)
	})
	return wrapped
}
