package bindings

import (
	"errors"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

type state struct{}

func (st *state) close() error { return nil }

var errTODO = errors.New("not implemented yet")

func (s *Store) build(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
	return nil, false
}

// QueuePending returns up to max messages of queue that are due (sent and
// not delayed, or retried and past their delay), oldest first, counts the
// delivery in Attempts and hides them for QueueLease from other consumers.
func (s *Store) QueuePending(queue string, max int) ([]QueueMessage, error) {
	return nil, errTODO
}

// QueueAck deletes delivered messages.
func (s *Store) QueueAck(queue string, ids []string) error { return errTODO }

// QueueRetry makes messages due again after delay (0 = at once); their
// Attempts are kept, so the next QueuePending reports one more.
func (s *Store) QueueRetry(queue string, ids []string, delay time.Duration) error { return errTODO }

// QueueMove moves messages to another queue (a dead-letter queue), resetting
// their attempts.
func (s *Store) QueueMove(queue string, ids []string, to string) error { return errTODO }

// QueueCount reports how many messages queue holds (due or not).
func (s *Store) QueueCount(queue string) (int, error) { return 0, errTODO }

// QueueBody converts a message body to the JS value the consumer's
// message.body is: parsed JSON, a string, or an ArrayBuffer.
func QueueBody(r *runtime.Realm, m QueueMessage) (runtime.Value, error) {
	return nil, errTODO
}
