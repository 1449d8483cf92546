package runtime

// Promises with JS semantics: reactions run as microtasks, thenables are adopted.

type promiseStatus uint8

const (
	promisePending promiseStatus = iota
	promiseFulfilled
	promiseRejected
)

type promiseState struct {
	status    promiseStatus
	value     Value
	reactions []func()
}

func (w *World) newPromise() *Object {
	return &Object{Class: "Promise", kind: kindPromise, proto: w.PromiseProto, promise: &promiseState{}}
}

func isPromise(v Value) bool {
	o, ok := v.(*Object)
	return ok && o.kind == kindPromise
}

// resolvePromise is the resolve function handed out by new Promise().
func (w *World) resolvePromise(p *Object, v Value) {
	if p.promise.status != promisePending {
		return
	}
	if vo, ok := v.(*Object); ok && vo == p {
		w.rejectPromise(p, w.newError("TypeError", "Chaining cycle detected for promise"))
		return
	}
	if vo, ok := v.(*Object); ok {
		then, thrown := w.tryGet(vo, "then")
		if thrown != nil {
			w.rejectPromise(p, thrown.v)
			return
		}
		if tf, ok := then.(*Object); ok && tf.call != nil {
			w.loop.queueMicrotask(func() {
				settled := false
				res := w.newFunc("", func(_ Value, a []Value) Value {
					if !settled {
						settled = true
						w.resolvePromise(p, arg(a, 0))
					}
					return Undefined
				})
				rej := w.newFunc("", func(_ Value, a []Value) Value {
					if !settled {
						settled = true
						w.rejectPromise(p, arg(a, 0))
					}
					return Undefined
				})
				if th := w.catch(func() { tf.call(vo, []Value{res, rej}) }); th != nil && !settled {
					settled = true
					w.rejectPromise(p, th.v)
				}
			})
			return
		}
	}
	w.settle(p, promiseFulfilled, v)
}

func (w *World) rejectPromise(p *Object, reason Value) {
	if p.promise.status == promisePending {
		w.settle(p, promiseRejected, reason)
	}
}

func (w *World) settle(p *Object, st promiseStatus, v Value) {
	p.promise.status, p.promise.value = st, v
	for _, r := range p.promise.reactions {
		w.loop.queueMicrotask(r)
	}
	p.promise.reactions = nil
}

// then is Promise.prototype.then with JS callbacks (or undefined).
func (w *World) then(p *Object, onFulfilled, onRejected Value) *Object {
	result := w.newPromise()
	st := p.promise
	react := func() {
		handler := onFulfilled
		if st.status == promiseRejected {
			handler = onRejected
		}
		hf, ok := handler.(*Object)
		if !ok || hf.call == nil {
			if st.status == promiseFulfilled {
				w.resolvePromise(result, st.value)
			} else {
				w.rejectPromise(result, st.value)
			}
			return
		}
		var out Value
		if th := w.catch(func() { out = hf.call(Undefined, []Value{st.value}) }); th != nil {
			w.rejectPromise(result, th.v)
			return
		}
		w.resolvePromise(result, out)
	}
	if st.status == promisePending {
		st.reactions = append(st.reactions, react)
	} else {
		w.loop.queueMicrotask(react)
	}
	return result
}

// onSettled registers Go callbacks.
func (w *World) onSettled(p *Object, onFulfilled, onRejected func(Value)) {
	w.then(p,
		w.newFunc("", func(_ Value, a []Value) Value { onFulfilled(arg(a, 0)); return Undefined }),
		w.newFunc("", func(_ Value, a []Value) Value { onRejected(arg(a, 0)); return Undefined }))
}

// promiseResolve is Promise.resolve(v).
func (w *World) promiseResolve(v Value) *Object {
	if isPromise(v) {
		return v.(*Object)
	}
	p := w.newPromise()
	w.resolvePromise(p, v)
	return p
}

func (w *World) rejected(reason Value) *Object {
	p := w.newPromise()
	w.rejectPromise(p, reason)
	return p
}

// catch runs f and returns the JS value it threw, if any.
func (w *World) catch(f func()) (thrown *jsThrow) {
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(*jsThrow)
			if !ok {
				panic(r)
			}
			thrown = t
		}
	}()
	f()
	return nil
}

func (w *World) tryGet(o *Object, k string) (v Value, thrown *jsThrow) {
	thrown = w.catch(func() { v = o.Get(k) })
	return v, thrown
}

// asyncHost runs a Go function that produces a value and wraps it in a
// settled promise: throws become rejections, as in an async JS function.
func (w *World) asyncHost(f func() Value) *Object {
	var v Value
	if th := w.catch(func() { v = f() }); th != nil {
		return w.rejected(th.v)
	}
	return w.promiseResolve(v)
}
