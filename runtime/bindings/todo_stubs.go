package bindings

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime"

func (s *Store) newR2(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	return r.NewInstance("R2Bucket")
}
func (s *Store) newQueueProducer(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	return r.NewInstance("WorkerQueue")
}
func (s *Store) newVectorize(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	return r.NewInstance("VectorizeIndexImpl")
}
func (s *Store) newAnalytics(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	return r.NewInstance("AnalyticsEngineDataset")
}
func (s *Store) newAI(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	return r.NewInstance("Ai")
}
