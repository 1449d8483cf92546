package webapi

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

func newWeb(t *testing.T, allowNet bool) *Web {
	t.Helper()
	w := &Web{js.NewWorld()}
	w.InstallWebAPIs(allowNet, func(string, string) {})
	return w
}

// settle runs microtasks and due timers until none are left.
func settle(t *testing.T, w *Web) {
	t.Helper()
	for range 10000 {
		if len(w.Loop.Micro) > 0 {
			f := w.Loop.Micro[0]
			w.Loop.Micro = w.Loop.Micro[1:]
			if th := w.Catch(f); th != nil {
				t.Fatalf("uncaught in task: %s", js.DescribeError(th.Value))
			}
			continue
		}
		next := w.Loop.NextTimer()
		if next == nil {
			return
		}
		time.Sleep(time.Until(next.Due))
		if tm := w.Loop.PopTimer(); tm != nil {
			tm.Fn()
		}
	}
	t.Fatal("the event loop did not settle")
}

func newController(w *Web) (controller, signal *js.Object) {
	c := w.Construct(w.Ctors["AbortController"], nil).(*js.Object)
	return c, c.Get("signal").(*js.Object)
}

func TestAbortControllerFiresOnce(t *testing.T) {
	w := newWeb(t, false)
	c, sig := newController(w)
	calls := 0
	var event js.Value
	w.CallMethod(sig, "addEventListener", "abort", w.NewFunc("", func(_ js.Value, a []js.Value) js.Value {
		calls++
		event = js.Arg(a, 0)
		return js.Undefined
	}))
	onabort := 0
	sig.Set("onabort", w.NewFunc("", func(js.Value, []js.Value) js.Value { onabort++; return js.Undefined }))
	if sig.Get("aborted") != false || sig.Get("reason") != js.Undefined {
		t.Fatalf("fresh signal: aborted %v reason %v", sig.Get("aborted"), sig.Get("reason"))
	}
	w.CallMethod(c, "abort")
	w.CallMethod(c, "abort", "again")
	reason, _ := sig.Get("reason").(*js.Object)
	if sig.Get("aborted") != true || reason == nil || reason.Get("name") != "AbortError" || reason.Get("code") != 20.0 ||
		reason.Get("message") != "The operation was aborted" {
		t.Fatalf("aborted %v reason %v", sig.Get("aborted"), js.DescribeError(sig.Get("reason")))
	}
	if calls != 1 || onabort != 1 || event.(*js.Object).Get("type") != "abort" {
		t.Fatalf("listener calls %d, onabort %d, event %v", calls, onabort, event)
	}
	th := w.Catch(func() { w.CallMethod(sig, "throwIfAborted") })
	if th == nil || th.Value != sig.Get("reason") {
		t.Fatalf("throwIfAborted threw %v", th)
	}
}

func TestAbortSignalStatics(t *testing.T) {
	w := newWeb(t, false)
	ctor := w.Ctors["AbortSignal"]
	if s := w.CallMethod(ctor, "abort", "why").(*js.Object); s.Get("aborted") != true || s.Get("reason") != "why" {
		t.Fatalf("AbortSignal.abort: %v %v", s.Get("aborted"), s.Get("reason"))
	}
	timed := w.CallMethod(ctor, "timeout", 5.0).(*js.Object)
	if timed.Get("aborted") != false {
		t.Fatal("AbortSignal.timeout fired at once")
	}
	_, a := newController(w)
	cb, b := newController(w)
	anyOf := w.CallMethod(ctor, "any", w.NewArray(a, b)).(*js.Object)
	w.CallMethod(cb, "abort", "b went")
	if anyOf.Get("aborted") != true || anyOf.Get("reason") != "b went" || a.Get("aborted") != false {
		t.Fatalf("AbortSignal.any: %v %v", anyOf.Get("aborted"), anyOf.Get("reason"))
	}
	settle(t, w)
	if r, _ := timed.Get("reason").(*js.Object); timed.Get("aborted") != true || r == nil || r.Get("name") != "TimeoutError" {
		t.Fatalf("AbortSignal.timeout after its delay: %v %v", timed.Get("aborted"), timed.Get("reason"))
	}
}

func TestRequestKeepsItsSignal(t *testing.T) {
	w := newWeb(t, false)
	_, sig := newController(w)
	req := w.Construct(w.Ctors["Request"], []js.Value{"https://example.com/", w.NewObjectFrom("signal", sig)})
	if got := req.(*js.Object).Get("signal"); got != sig {
		t.Fatalf("request.signal is %v", got)
	}
	if got := w.Construct(w.Ctors["Request"], []js.Value{req}).(*js.Object).Get("signal"); got != sig {
		t.Fatalf("a copied request's signal is %v", got)
	}
	plain := w.Construct(w.Ctors["Request"], []js.Value{"https://example.com/"}).(*js.Object)
	if plain.Get("signal") != plain.Get("signal") {
		t.Fatal("a request without a signal gives a new one on every read")
	}
	th := w.Catch(func() {
		w.Construct(w.Ctors["Request"], []js.Value{"https://example.com/", w.NewObjectFrom("signal", "nope")})
	})
	if th == nil || th.Value.(*js.Object).Get("name") != "TypeError" {
		t.Fatalf("a non-signal signal: %v", th)
	}
}

// An aborted signal rejects fetch with its reason: before the request, it
// never leaves; during it, the request in flight is cancelled.
func TestFetchHonoursAbort(t *testing.T) {
	var hits atomic.Int32
	cancelled := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
			cancelled <- struct{}{}
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	w := newWeb(t, true)
	fetch := w.GlobalThis.Get("fetch")

	pre := w.CallMethod(w.Ctors["AbortSignal"], "abort", "too late")
	p := w.Call(fetch, js.Undefined, srv.URL, w.NewObjectFrom("signal", pre)).(*js.Object)
	settle(t, w)
	if p.Promise.Status != js.PromiseRejected || p.Promise.Value != "too late" || hits.Load() != 0 {
		t.Fatalf("pre-aborted fetch: status %v value %v, %d requests", p.Promise.Status, p.Promise.Value, hits.Load())
	}

	c, sig := newController(w)
	p = w.Call(fetch, js.Undefined, srv.URL, w.NewObjectFrom("signal", sig)).(*js.Object)
	deadline := time.Now().Add(5 * time.Second)
	for hits.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	w.CallMethod(c, "abort")
	settle(t, w)
	if r, _ := p.Promise.Value.(*js.Object); p.Promise.Status != js.PromiseRejected || r == nil || r.Get("name") != "AbortError" {
		t.Fatalf("aborted fetch: status %v value %v", p.Promise.Status, p.Promise.Value)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the request in flight was not cancelled")
	}
}

// A fetch that completes lets go of its signal: one controller used for
// many fetches holds no hook per fetch.
func TestFetchDetachesFromItsSignal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.Write([]byte("ok")) }))
	defer srv.Close()
	w := newWeb(t, true)
	_, sig := newController(w)
	for range 3 {
		p := w.Call(w.GlobalThis.Get("fetch"), js.Undefined, srv.URL, w.NewObjectFrom("signal", sig)).(*js.Object)
		deadline := time.Now().Add(5 * time.Second)
		for p.Promise.Status == js.PromisePending && time.Now().Before(deadline) {
			select {
			case f := <-w.Loop.Ext:
				w.Loop.ExtPending--
				f()
			case <-time.After(10 * time.Millisecond):
			}
			settle(t, w)
		}
		if p.Promise.Status == js.PromisePending || p.Promise.Status == js.PromiseRejected {
			t.Fatalf("fetch: %v %v", p.Promise.Status, p.Promise.Value)
		}
	}
	if n := len(w.abortStateOf(sig).hooks); n != 0 {
		t.Fatalf("the signal holds %d hooks after its fetches completed", n)
	}
}
