package bindings

import "fmt"

// Delete removes one item from a binding's local state, as the Bindings
// view's Delete does: a KV key, an R2 object or a queue message (by id).
// resource is the name the state is kept under (the namespace id, bucket,
// queue).
func (s *Store) Delete(kind, resource, name string) error {
	switch kind {
	case "kv_namespaces":
		st, err := s.open()
		if err != nil {
			return err
		}
		_, err = st.db.Exec(`DELETE FROM kv WHERE ns = ? AND key = ?`, resource, name)
		return err
	case "r2_buckets":
		return s.r2Delete(resource, []string{name})
	case "queues", "queues.producers":
		st, err := s.open()
		if err != nil {
			return err
		}
		_, err = st.db.Exec(`DELETE FROM queue_messages WHERE queue = ? AND id = ?`, resource, name)
		return err
	}
	return fmt.Errorf("%s items cannot be deleted one by one", kind)
}
