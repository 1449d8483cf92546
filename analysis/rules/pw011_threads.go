package rules

import "strings"

func init() {
	register(&Rule{
		Code: "PW011", Name: "threads-processes", Severity: Warning, Targets: TargetPython,
		Summary: "Threads and processes cannot start in a Worker (\"can't start new thread\").",
		Check:   checkThreads,
	})
}

func checkThreads(p *Pass) {
	m := p.Module
	for _, imp := range m.Imports {
		if imp.Module == "multiprocessing" || strings.HasPrefix(imp.Module, "multiprocessing.") {
			p.ReportNode(imp.Node, "multiprocessing cannot start processes in a Worker; use asyncio (await, asyncio.gather) for concurrency")
		}
	}
	for _, call := range m.Calls {
		name := m.Callee(call)
		switch {
		case name == "threading.Thread", name == "threading.Timer", name == "_thread.start_new_thread",
			name == "concurrent.futures.ThreadPoolExecutor", name == "concurrent.futures.ProcessPoolExecutor",
			name == "concurrent.futures.thread.ThreadPoolExecutor", name == "concurrent.futures.process.ProcessPoolExecutor",
			name == "asyncio.to_thread":
			p.ReportNode(call, name+"() needs a thread or process, which a Worker cannot start (\"can't start new thread\"); use asyncio (await, asyncio.gather) instead")
		case strings.HasSuffix(name, ".run_in_executor"):
			p.ReportNode(call, "run_in_executor() needs a thread, which a Worker cannot start (\"can't start new thread\"); await the work directly")
		}
	}
}
