// The Bindings view's tree, from the server's pyworkers.localState answer:
// each binding of the config with what it holds in the local state. Pure:
// no `vscode` import (the extension turns nodes into TreeItems).

export interface StateItem {
  name: string;
  id?: string;
  detail?: string;
  children?: StateItem[];
}

export interface BindingState {
  binding: string;
  kind: string;
  resource: string;
  count: number;
  items: StateItem[];
}

export interface WorkerState {
  dir: string;
  config: string;
  environment: string;
  bindings: BindingState[];
  error?: string;
}

export interface TreeNode {
  label: string;
  description?: string;
  tooltip?: string;
  /** "worker", "binding", "item" or "more": for menus and icons. */
  kind: "worker" | "binding" | "item" | "more" | "error";
  bindingKind?: string;
  /** The Worker's config (for the commands' uri), binding, and the item's name as Delete takes it. */
  config?: string;
  binding?: string;
  name?: string;
  /** An item Delete can remove (pyworkers.deleteLocalState), a D1 binding the query box runs on. */
  deletable?: boolean;
  queryable?: boolean;
  children: TreeNode[];
}

// The kinds whose items Delete removes one by one (D1 tables are left to SQL).
const deletableKinds = new Set(["kv_namespaces", "r2_buckets", "queues", "queues.producers", "durable_objects", "durable_objects.bindings", "workflows"]);

const kinds: Record<string, [string, string]> = {
  kv_namespaces: ["KV", "key"],
  d1_databases: ["D1", "table"],
  r2_buckets: ["R2", "object"],
  durable_objects: ["Durable Object", "instance"],
  "durable_objects.bindings": ["Durable Object", "instance"],
  workflows: ["Workflow", "instance"],
  queues: ["Queue", "message"],
  "queues.producers": ["Queue", "message"],
};

function counted(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function itemNode(it: StateItem): TreeNode {
  return {
    label: it.name,
    description: it.detail,
    tooltip: it.detail ? `${it.name}: ${it.detail}` : it.name,
    kind: "item",
    children: (it.children ?? []).map(itemNode),
  };
}

/** bindingNode is one binding, its items and a "… n more" line past the limit. */
export function bindingNode(b: BindingState, config?: string): TreeNode {
  const [kindLabel, unit] = kinds[b.kind] ?? [b.kind, "item"];
  const deletable = deletableKinds.has(b.kind);
  const children: TreeNode[] = b.items.map((it) => ({ ...itemNode(it), config, binding: b.binding, name: it.id ?? it.name, deletable }));
  if (b.count > b.items.length) {
    children.push({ label: `… ${b.count - b.items.length} more`, kind: "more", children: [] });
  }
  return {
    label: b.binding,
    description: `${kindLabel} · ${counted(b.count, unit)}`,
    tooltip: `${b.binding}: ${kindLabel} ${b.resource}, ${counted(b.count, unit)} in the local state`,
    kind: "binding",
    bindingKind: b.kind,
    config,
    binding: b.binding,
    queryable: b.kind === "d1_databases",
    children,
  };
}

/** tree lists one Worker's bindings at the top, or a node per Worker. */
export function tree(workers: WorkerState[]): TreeNode[] {
  const perWorker = workers.map((w): TreeNode => {
    const children = w.bindings.map((b) => bindingNode(b, w.config));
    if (w.error) {
      children.push({ label: "could not read all of the local state", description: w.error, tooltip: w.error, kind: "error", children: [] });
    }
    if (children.length === 0) {
      children.push({ label: "no bindings with local state in this config", kind: "more", children: [] });
    }
    const name = w.dir.split(/[\\/]/).pop() ?? w.dir;
    return { label: name, description: w.environment ? `env ${w.environment}` : undefined, tooltip: w.dir, kind: "worker", children };
  });
  return perWorker.length === 1 ? perWorker[0].children : perWorker;
}
