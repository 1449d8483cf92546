package completion

// Config keys offered in wrangler files. The binding kinds themselves
// (their keys, name fields, labels, docs) come from project.BindingKinds;
// this adds the other fields of each entry (bindings.md) and the
// non-binding top-level keys.

// entryFields lists, per binding kind key, the fields of one entry besides
// the name field.
var entryFields = map[string][]string{
	"kv_namespaces":             {"id", "preview_id", "remote"},
	"d1_databases":              {"database_name", "database_id", "preview_database_id", "migrations_dir", "migrations_table", "remote"},
	"r2_buckets":                {"bucket_name", "preview_bucket_name", "jurisdiction", "remote"},
	"ai":                        {"remote"},
	"vectorize":                 {"index_name", "remote"},
	"durable_objects.bindings":  {"class_name", "script_name", "environment"},
	"queues.producers":          {"queue", "delivery_delay", "remote"},
	"analytics_engine_datasets": {"dataset"},
	"workflows":                 {"name", "class_name", "script_name"},
	"services":                  {"service", "entrypoint", "remote"},
	"hyperdrive":                {"id", "localConnectionString"},
	"browser":                   {"remote"},
	"send_email":                {"destination_address", "allowed_destination_addresses", "remote"},
	"dispatch_namespaces":       {"namespace", "outbound", "remote"},
	"mtls_certificates":         {"certificate_id", "remote"},
	"assets":                    {"directory", "html_handling", "not_found_handling", "run_worker_first"},
	"version_metadata":          {},
	"images":                    {"remote"},
	"secrets_store_secrets":     {"store_id", "secret_name"},
	"pipelines":                 {"pipeline", "remote"},
	"ratelimits":                {"namespace_id", "simple"},
}

// queueConsumerFields are the fields of a queues.consumers entry (it binds
// no name).
var queueConsumerFields = []string{"queue", "max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "max_concurrency", "retry_delay"}

// generalKeys are the top-level keys that are not bindings, with a line
// of doc each. rootOnly keys are not valid inside env.<name>.
var generalKeys = []struct {
	key, doc string
	rootOnly bool
}{
	{"name", "The Worker's name.", false},
	{"main", "The entry module: a .py file for a Python Worker.", false},
	{"compatibility_date", "The runtime behaviour date; it also selects the Python and Pyodide versions.", false},
	{"compatibility_flags", "Runtime flags; python_workers is required for Python.", false},
	{"triggers", "Cron Triggers: { crons: [...] }.", false},
	{"routes", "The routes the Worker serves.", false},
	{"route", "One route the Worker serves.", false},
	{"workers_dev", "Whether to deploy on a workers.dev subdomain.", false},
	{"observability", "Logs and traces settings.", false},
	{"limits", "CPU time limits.", false},
	{"python_modules", "Which vendored modules to exclude: { exclude: [...] }.", false},
	{"migrations", "Durable Object class migrations (new_sqlite_classes, renamed_classes, ...).", true},
	{"env", "Named environments that override the top level.", true},
	{"secrets", "Secret names the Worker needs: { required: [...] }.", false},
	{"account_id", "The Cloudflare account to deploy to.", true},
}
