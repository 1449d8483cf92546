package webapi

// DOMException, AbortController and AbortSignal. fetch() honours a signal:
// httpx's Emscripten transport (Pyodide's httpx build, what `pywrangler sync`
// vendors) implements every timeout by aborting the fetch from a setTimeout,
// so a signal that never fires would turn `timeout=` into a hang.

import (
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// domExceptionCodes are the legacy codes of the names the runtime raises.
var domExceptionCodes = map[string]float64{"AbortError": 20, "TimeoutError": 23, "NotSupportedError": 9, "InvalidStateError": 11}

// NewDOMException is `new DOMException(message, name)`.
func (w *Web) NewDOMException(message, name string) *Object {
	e := w.NewError("DOMException", message)
	e.Set("name", name)
	e.Set("code", domExceptionCodes[name])
	e.Set("stack", name+": "+message+"\n    at <pyworkers runtime>")
	return e
}

// abortState is an AbortSignal's host state.
type abortState struct {
	aborted   bool
	reason    Value
	listeners []Value      // JS "abort" listeners, in registration order
	hooks     []*abortHook // Go callbacks (fetch cancelling its request)
}

type abortHook struct{ f func(reason Value) }

func (w *Web) abortStateOf(v Value) *abortState {
	if o, ok := v.(*Object); ok {
		if s, ok := o.Host.(*abortState); ok {
			return s
		}
	}
	return nil
}

func (w *Web) installAbort() {
	DP := &Object{Class: "DOMException", Proto: w.ErrorProto}
	w.DefineClass("DOMException", DP, func(args []Value) Value {
		msg, name := "", "Error"
		if m := js.Arg(args, 0); m != Undefined {
			msg = js.ToString(m)
		}
		if n := js.Arg(args, 1); n != Undefined {
			name = js.ToString(n)
		}
		return w.NewDOMException(msg, name)
	})

	SP := w.ProtoOf("AbortSignal")
	sigC := w.DefineClass("AbortSignal", SP, func(args []Value) Value {
		w.ThrowError("TypeError", "Illegal constructor")
		return nil
	})
	stateOf := func(this Value) *abortState {
		s := w.abortStateOf(this)
		if s == nil {
			w.ThrowError("TypeError", "Illegal invocation: not an AbortSignal")
		}
		return s
	}
	w.Getter(SP, "aborted", func(this *Object) Value { return stateOf(this).aborted })
	w.Getter(SP, "reason", func(this *Object) Value { return stateOf(this).reason })
	w.Method(SP, "throwIfAborted", func(this Value, _ []Value) Value {
		if s := stateOf(this); s.aborted {
			panic(&js.Throw{Value: s.reason})
		}
		return Undefined
	})
	w.Method(SP, "addEventListener", func(this Value, a []Value) Value {
		s := stateOf(this)
		if js.ToString(js.Arg(a, 0)) == "abort" && js.Arg(a, 1) != Undefined && !s.aborted {
			s.listeners = append(s.listeners, js.Arg(a, 1))
		}
		return Undefined
	})
	w.Method(SP, "removeEventListener", func(this Value, a []Value) Value {
		s := stateOf(this)
		for i, l := range s.listeners {
			if l == js.Arg(a, 1) {
				s.listeners = append(s.listeners[:i:i], s.listeners[i+1:]...)
				break
			}
		}
		return Undefined
	})
	w.Method(sigC, "abort", func(_ Value, a []Value) Value {
		s := w.NewAbortSignal()
		w.Abort(s, js.Arg(a, 0))
		return s
	})
	w.Method(sigC, "timeout", func(_ Value, a []Value) Value {
		s := w.NewAbortSignal()
		ms := js.ToNumber(js.Arg(a, 0))
		if !(ms >= 0) {
			w.ThrowError("TypeError", "AbortSignal.timeout: the delay must be a non-negative number")
		}
		w.Loop.SetTimer(time.Duration(ms*float64(time.Millisecond)), false, func() {
			w.Abort(s, w.NewDOMException("The operation was aborted due to timeout", "TimeoutError"))
		})
		return s
	})
	w.Method(sigC, "any", func(_ Value, a []Value) Value { return w.AbortSignalAny(js.Arg(a, 0)) })

	CP := w.ProtoOf("AbortController")
	w.DefineClass("AbortController", CP, func(args []Value) Value {
		c := w.NewHostObject("AbortController", CP, nil)
		c.Set("signal", w.NewAbortSignal())
		return c
	})
	w.Method(CP, "abort", func(this Value, a []Value) Value {
		c := w.ThisObject(this, "AbortController")
		w.Abort(c.Get("signal"), js.Arg(a, 0))
		return Undefined
	})
}

// NewAbortSignal is a signal that has not fired.
func (w *Web) NewAbortSignal() *Object {
	return w.NewHostObject("AbortSignal", w.Ctors["AbortSignal"].Get("prototype").(*Object), &abortState{reason: Undefined})
}

// Abort fires signal with reason (an AbortError DOMException when
// undefined): once, running its onabort and listeners.
func (w *Web) Abort(signal Value, reason Value) {
	s := w.abortStateOf(signal)
	if s == nil || s.aborted {
		return
	}
	if reason == Undefined {
		reason = w.NewDOMException("The operation was aborted", "AbortError")
	}
	s.aborted, s.reason = true, reason
	hooks, listeners := s.hooks, s.listeners
	s.hooks, s.listeners = nil, nil
	for _, h := range hooks {
		h.f(reason)
	}
	event := w.NewObjectFrom("type", "abort", "target", signal)
	if f, ok := signal.(*Object).Get("onabort").(*Object); ok && f.Call != nil {
		w.Call(f, signal, event)
	}
	for _, l := range listeners {
		if lo, ok := l.(*Object); ok && lo.Call != nil {
			w.Call(lo, signal, event)
		} else if w.HasMethod(l, "handleEvent") {
			w.CallMethod(l, "handleEvent", event)
		}
	}
}

// OnAbort calls f with the reason when signal fires, or at once if it has.
// detach drops f: a signal that outlives many fetches (one controller for a
// Worker's whole life) does not keep them all.
func (w *Web) OnAbort(signal Value, f func(reason Value)) (detach func()) {
	s := w.abortStateOf(signal)
	if s == nil {
		return func() {}
	}
	if s.aborted {
		f(s.reason)
		return func() {}
	}
	h := &abortHook{f}
	s.hooks = append(s.hooks, h)
	return func() {
		for i, x := range s.hooks {
			if x == h {
				s.hooks = append(s.hooks[:i:i], s.hooks[i+1:]...)
				return
			}
		}
	}
}

// AbortSignalAny is AbortSignal.any(signals): fires with the first of them.
func (w *Web) AbortSignalAny(signals Value) *Object {
	out := w.NewAbortSignal()
	if signals == Undefined || signals == nil {
		return out
	}
	w.Iterate(signals, func(v Value) {
		_ = w.OnAbort(v, func(reason Value) { w.Abort(out, reason) })
	})
	return out
}
