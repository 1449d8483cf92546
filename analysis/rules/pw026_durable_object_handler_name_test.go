package rules

import "testing"

func TestPW026(t *testing.T) {
	src := "from workers import DurableObject\n\nclass Room(DurableObject):\n    async def web_socket_message(self, ws, message):\n        pass\n\n    async def on_alarm(self):\n        await self.web_socket_message(None, None)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW026")
	if len(ds) != 2 || textAt(t, in, ds[0]) != "web_socket_message" || textAt(t, in, ds[1]) != "on_alarm" {
		t.Fatalf("got %+v", ds)
	}
	got := fixed(t, in, ds[0], "Rename to webSocketMessage", "src/entry.py")
	if !containsAll(got, "async def webSocketMessage(self, ws, message)", "await self.webSocketMessage(None, None)") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW026Negative(t *testing.T) {
	src := "from workers import WorkerEntrypoint, DurableObject\n\nclass Default(WorkerEntrypoint):\n    async def on_alarm(self):\n        pass\n\nclass Room(DurableObject):\n    async def webSocketMessage(self, ws, m):\n        pass\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW026")
}
