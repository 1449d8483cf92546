package project

// Shape says how a binding kind is written in the config.
type Shape int

// The shapes.
const (
	ArrayOfEntries Shape = iota // "kv_namespaces": [ {binding: ...}, ... ]
	SingleEntry                 // "ai": { "binding": "AI" }
	KeyedValues                 // "vars": { "NAME": value }
)

// BindingKind is one kind of binding a wrangler config declares
// (docs/bindings.md lists them for users).
type BindingKind struct {
	Path      []string // config keys leading to the entries: ["durable_objects", "bindings"]
	Label     string   // short name shown to users: "KV namespace"
	NameField string   // the field holding the binding's name ("binding", or "name")
	Shape     Shape
	Interface string   // runtime type, as the catalog names it: "KVNamespace"
	Details   []string // fields shown as the completion detail, first present wins
	DocsURL   string
}

// Key is the config key path, dotted: "durable_objects.bindings".
func (k *BindingKind) Key() string {
	s := k.Path[0]
	for _, p := range k.Path[1:] {
		s += "." + p
	}
	return s
}

const docs = "https://developers.cloudflare.com/"

// BindingKinds lists every binding kind, in the order bindings.md gives.
// vars and secrets are listed too: they appear on env like bindings do.
var BindingKinds = []*BindingKind{
	{Path: []string{"vars"}, Label: "variable", Shape: KeyedValues, Interface: "", DocsURL: docs + "workers/configuration/environment-variables/"},
	{Path: []string{"kv_namespaces"}, Label: "KV namespace", NameField: "binding", Interface: "KVNamespace", Details: []string{"id", "preview_id"}, DocsURL: docs + "kv/api/"},
	{Path: []string{"d1_databases"}, Label: "D1 database", NameField: "binding", Interface: "D1Database", Details: []string{"database_name", "database_id"}, DocsURL: docs + "d1/worker-api/"},
	{Path: []string{"r2_buckets"}, Label: "R2 bucket", NameField: "binding", Interface: "R2Bucket", Details: []string{"bucket_name"}, DocsURL: docs + "r2/api/workers/workers-api-reference/"},
	{Path: []string{"ai"}, Label: "Workers AI", NameField: "binding", Shape: SingleEntry, Interface: "Ai", DocsURL: docs + "workers-ai/configuration/bindings/"},
	{Path: []string{"vectorize"}, Label: "Vectorize index", NameField: "binding", Interface: "VectorizeIndex", Details: []string{"index_name"}, DocsURL: docs + "vectorize/reference/client-api/"},
	{Path: []string{"durable_objects", "bindings"}, Label: "Durable Object namespace", NameField: "name", Interface: "DurableObjectNamespace", Details: []string{"class_name"}, DocsURL: docs + "durable-objects/api/namespace/"},
	{Path: []string{"queues", "producers"}, Label: "Queue producer", NameField: "binding", Interface: "Queue", Details: []string{"queue"}, DocsURL: docs + "queues/configuration/javascript-apis/"},
	{Path: []string{"analytics_engine_datasets"}, Label: "Analytics Engine dataset", NameField: "binding", Interface: "AnalyticsEngineDataset", Details: []string{"dataset"}, DocsURL: docs + "analytics/analytics-engine/"},
	{Path: []string{"workflows"}, Label: "Workflow", NameField: "binding", Interface: "Workflow", Details: []string{"class_name", "name"}, DocsURL: docs + "workflows/build/workers-api/"},
	{Path: []string{"services"}, Label: "service binding", NameField: "binding", Interface: "Fetcher", Details: []string{"service", "entrypoint"}, DocsURL: docs + "workers/runtime-apis/bindings/service-bindings/"},
	{Path: []string{"hyperdrive"}, Label: "Hyperdrive", NameField: "binding", Interface: "Hyperdrive", Details: []string{"id"}, DocsURL: docs + "hyperdrive/"},
	{Path: []string{"browser"}, Label: "Browser Rendering", NameField: "binding", Shape: SingleEntry, Interface: "Fetcher", DocsURL: docs + "browser-rendering/"},
	{Path: []string{"send_email"}, Label: "Email sender", NameField: "name", Interface: "SendEmail", Details: []string{"destination_address"}, DocsURL: docs + "email-routing/email-workers/send-email-workers/"},
	{Path: []string{"dispatch_namespaces"}, Label: "dispatch namespace", NameField: "binding", Interface: "DispatchNamespace", Details: []string{"namespace"}, DocsURL: docs + "cloudflare-for-platforms/workers-for-platforms/"},
	{Path: []string{"mtls_certificates"}, Label: "mTLS certificate", NameField: "binding", Interface: "Fetcher", Details: []string{"certificate_id"}, DocsURL: docs + "workers/runtime-apis/bindings/mtls/"},
	{Path: []string{"assets"}, Label: "static assets", NameField: "binding", Shape: SingleEntry, Interface: "Fetcher", Details: []string{"directory"}, DocsURL: docs + "workers/static-assets/binding/"},
	{Path: []string{"version_metadata"}, Label: "version metadata", NameField: "binding", Shape: SingleEntry, Interface: "WorkerVersionMetadata", DocsURL: docs + "workers/runtime-apis/bindings/version-metadata/"},
	{Path: []string{"images"}, Label: "Images", NameField: "binding", Shape: SingleEntry, Interface: "ImagesBinding", DocsURL: docs + "images/transform-images/bindings/"},
	{Path: []string{"secrets_store_secrets"}, Label: "Secrets Store secret", NameField: "binding", Interface: "SecretsStoreSecret", Details: []string{"secret_name", "store_id"}, DocsURL: docs + "secrets-store/integrations/workers/"},
	{Path: []string{"pipelines"}, Label: "Pipeline", NameField: "binding", Interface: "Pipeline", Details: []string{"pipeline"}, DocsURL: docs + "pipelines/"},
	{Path: []string{"ratelimits"}, Label: "rate limiter", NameField: "name", Interface: "RateLimit", Details: []string{"namespace_id"}, DocsURL: docs + "workers/runtime-apis/bindings/rate-limit/"},
	{Path: []string{"worker_loaders"}, Label: "Worker Loader", NameField: "binding", Interface: "WorkerLoader", DocsURL: docs + "workers/runtime-apis/bindings/worker-loader/"},
}

// KindByKey finds a binding kind by its dotted config key.
func KindByKey(key string) *BindingKind {
	for _, k := range BindingKinds {
		if k.Key() == key {
			return k
		}
	}
	return nil
}

// SecretKind is the kind of a name from secrets.required, .dev.vars or .env.
var SecretKind = &BindingKind{Path: []string{"secrets"}, Label: "secret", Shape: KeyedValues, DocsURL: docs + "workers/configuration/secrets/"}

// InheritedKeys are the top-level keys an env.<name> block inherits when it
// does not set them; every binding key is NOT inherited.
var InheritedKeys = []string{"name", "main", "compatibility_date", "compatibility_flags", "routes", "triggers", "assets", "python_modules", "observability", "limits"}
