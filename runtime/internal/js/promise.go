package js

// Promises with JS semantics: reactions run as microtasks, thenables are adopted.

type promiseStatus uint8

const (
	PromisePending promiseStatus = iota
	promiseFulfilled
	PromiseRejected
)

type promiseState struct {
	Status    promiseStatus
	Value     Value
	reactions []func()
}

func (w *World) NewPromise() *Object {
	return &Object{Class: "Promise", Kind: kindPromise, Proto: w.PromiseProto, Promise: &promiseState{}}
}

func isPromise(v Value) bool {
	o, ok := v.(*Object)
	return ok && o.Kind == kindPromise
}

// resolvePromise is the resolve function handed out by new Promise().
func (w *World) ResolvePromise(p *Object, v Value) {
	if p.Promise.Status != PromisePending {
		return
	}
	if vo, ok := v.(*Object); ok && vo == p {
		w.RejectPromise(p, w.NewError("TypeError", "Chaining cycle detected for promise"))
		return
	}
	if vo, ok := v.(*Object); ok {
		then, thrown := w.tryGet(vo, "then")
		if thrown != nil {
			w.RejectPromise(p, thrown.Value)
			return
		}
		if tf, ok := then.(*Object); ok && tf.Call != nil {
			w.Loop.QueueMicrotask(func() {
				settled := false
				res := w.NewFunc("", func(_ Value, a []Value) Value {
					if !settled {
						settled = true
						w.ResolvePromise(p, Arg(a, 0))
					}
					return Undefined
				})
				rej := w.NewFunc("", func(_ Value, a []Value) Value {
					if !settled {
						settled = true
						w.RejectPromise(p, Arg(a, 0))
					}
					return Undefined
				})
				if th := w.Catch(func() { tf.Call(vo, []Value{res, rej}) }); th != nil && !settled {
					settled = true
					w.RejectPromise(p, th.Value)
				}
			})
			return
		}
	}
	w.settle(p, promiseFulfilled, v)
}

func (w *World) RejectPromise(p *Object, reason Value) {
	if p.Promise.Status == PromisePending {
		w.settle(p, PromiseRejected, reason)
	}
}

func (w *World) settle(p *Object, st promiseStatus, v Value) {
	p.Promise.Status, p.Promise.Value = st, v
	for _, r := range p.Promise.reactions {
		w.Loop.QueueMicrotask(r)
	}
	p.Promise.reactions = nil
}

// then is Promise.prototype.then with JS callbacks (or undefined).
func (w *World) Then(p *Object, onFulfilled, onRejected Value) *Object {
	result := w.NewPromise()
	st := p.Promise
	react := func() {
		handler := onFulfilled
		if st.Status == PromiseRejected {
			handler = onRejected
		}
		hf, ok := handler.(*Object)
		if !ok || hf.Call == nil {
			if st.Status == promiseFulfilled {
				w.ResolvePromise(result, st.Value)
			} else {
				w.RejectPromise(result, st.Value)
			}
			return
		}
		var out Value
		if th := w.Catch(func() { out = hf.Call(Undefined, []Value{st.Value}) }); th != nil {
			w.RejectPromise(result, th.Value)
			return
		}
		w.ResolvePromise(result, out)
	}
	if st.Status == PromisePending {
		st.reactions = append(st.reactions, react)
	} else {
		w.Loop.QueueMicrotask(react)
	}
	return result
}

// onSettled registers Go callbacks.
func (w *World) OnSettled(p *Object, onFulfilled, onRejected func(Value)) {
	w.Then(p,
		w.NewFunc("", func(_ Value, a []Value) Value { onFulfilled(Arg(a, 0)); return Undefined }),
		w.NewFunc("", func(_ Value, a []Value) Value { onRejected(Arg(a, 0)); return Undefined }))
}

// promiseResolve is Promise.resolve(v).
func (w *World) PromiseResolve(v Value) *Object {
	if isPromise(v) {
		return v.(*Object)
	}
	p := w.NewPromise()
	w.ResolvePromise(p, v)
	return p
}

func (w *World) Rejected(reason Value) *Object {
	p := w.NewPromise()
	w.RejectPromise(p, reason)
	return p
}

// catch runs f and returns the JS value it threw, if any.
func (w *World) Catch(f func()) (thrown *Throw) {
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(*Throw)
			if !ok {
				panic(r)
			}
			thrown = t
		}
	}()
	f()
	return nil
}

func (w *World) tryGet(o *Object, k string) (v Value, thrown *Throw) {
	thrown = w.Catch(func() { v = o.Get(k) })
	return v, thrown
}

// asyncHost runs a Go function that produces a value and wraps it in a
// settled promise: throws become rejections, as in an async JS function.
func (w *World) AsyncHost(f func() Value) *Object {
	var v Value
	if th := w.Catch(func() { v = f() }); th != nil {
		return w.Rejected(th.Value)
	}
	return w.PromiseResolve(v)
}
