package actors

// Queue consumers: deliver pending messages of a queue (stored by the
// producer binding of package bindings) to the Worker's queue(batch)
// handler and apply the consumer's ack/retry decisions.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
)

// Cloudflare's consumer defaults.
const (
	defaultMaxBatchSize = 10
	defaultMaxRetries   = 3
)

// Message outcomes after a delivery.
const (
	OutcomeAcked       = "acked"
	OutcomeRetried     = "retried"
	OutcomeDeadLetter  = "dead-lettered"
	OutcomeDropped     = "dropped" // retries exhausted and no dead_letter_queue
	OutcomeUnprocessed = "unprocessed"
)

// DeliveredMessage is what became of one message of the batch.
type DeliveredMessage struct {
	ID       string
	Attempts int // deliveries so far, this one included
	Outcome  string
}

// QueueDelivery is the result of DeliverQueue.
type QueueDelivery struct {
	Queue    string
	Result   *runtime.RunResult // nil when no message was pending
	Messages []DeliveredMessage
	Left     int // messages still in the queue afterwards (due or delayed)
}

// decisions records what the handler did with the batch.
type decisions struct {
	ack, retry    map[string]bool
	delay         map[string]time.Duration
	ackAll        bool
	retryAll      bool
	retryAllDelay time.Duration
}

func consumerFor(spec runtime.WorkerSpec, queue string) (runtime.QueueConsumer, error) {
	var names []string
	for _, c := range spec.QueueConsumers {
		if c.Queue == queue {
			return c, nil
		}
		names = append(names, c.Queue)
	}
	if len(names) == 0 {
		return runtime.QueueConsumer{}, fmt.Errorf("queue %q: the Worker consumes no queues (add a queues.consumers entry to its wrangler config)", queue)
	}
	return runtime.QueueConsumer{}, fmt.Errorf("queue %q: the Worker does not consume it (queues.consumers: %s)", queue, strings.Join(names, ", "))
}

// QueueRunner runs a Worker's queue handler: the engine (a fresh
// interpreter) or a dev server's isolate (the live one).
type QueueRunner interface {
	RunQueue(ctx context.Context, spec runtime.WorkerSpec, makeBatch func(r *runtime.Realm) (runtime.Value, error)) (*runtime.RunResult, error)
}

// DeliverQueue calls the Worker's queue(batch) handler with up to
// max_batch_size pending messages of queue, then acks or retries each
// message: explicit message.ack()/retry() first, then batch.ackAll()/
// retryAll(), then the default (ack when the handler returned, retry when
// it raised). A retried message that has been delivered max_retries + 1
// times goes to the dead_letter_queue, or is dropped without one.
func DeliverQueue(ctx context.Context, eng QueueRunner, spec runtime.WorkerSpec, queue string) (*QueueDelivery, error) {
	consumer, err := consumerFor(spec, queue)
	if err != nil {
		return nil, err
	}
	batchSize := consumer.MaxBatchSize
	if batchSize <= 0 {
		batchSize = defaultMaxBatchSize
	}
	maxRetries := consumer.MaxRetries
	if maxRetries < 0 {
		maxRetries = defaultMaxRetries
	}
	store := bindings.Open(spec.ProjectDir, spec.Env)
	msgs, err := store.QueuePending(queue, batchSize)
	if err != nil {
		return nil, fmt.Errorf("queue %q: %w", queue, err)
	}
	out := &QueueDelivery{Queue: queue}
	if len(msgs) == 0 {
		out.Left, _ = store.QueueCount(queue)
		return out, nil
	}
	d := &decisions{ack: map[string]bool{}, retry: map[string]bool{}, delay: map[string]time.Duration{}}
	res, err := eng.RunQueue(ctx, spec, func(r *runtime.Realm) (runtime.Value, error) {
		return newBatch(r, queue, msgs, d)
	})
	if err != nil {
		// Nothing ran: make the messages due again at once.
		_ = store.QueueRetry(queue, ids(msgs), 0)
		return nil, err
	}
	out.Result = res
	failed := res.Error != nil
	var acked, dead, dropped []string
	retried := map[time.Duration][]string{}
	for _, m := range msgs {
		outcome := OutcomeAcked
		var delay time.Duration
		switch {
		case d.ack[m.ID]:
		case d.retry[m.ID]:
			outcome, delay = OutcomeRetried, d.delay[m.ID]
		case d.ackAll:
		case d.retryAll:
			outcome, delay = OutcomeRetried, d.retryAllDelay
		case failed:
			outcome = OutcomeRetried
		}
		if outcome == OutcomeRetried && m.Attempts > maxRetries {
			if consumer.DeadLetterQueue != "" {
				outcome = OutcomeDeadLetter
			} else {
				outcome = OutcomeDropped
			}
		}
		switch outcome {
		case OutcomeAcked:
			acked = append(acked, m.ID)
		case OutcomeRetried:
			retried[delay] = append(retried[delay], m.ID)
		case OutcomeDeadLetter:
			dead = append(dead, m.ID)
		case OutcomeDropped:
			dropped = append(dropped, m.ID)
		}
		out.Messages = append(out.Messages, DeliveredMessage{ID: m.ID, Attempts: m.Attempts, Outcome: outcome})
	}
	if len(acked)+len(dropped) > 0 {
		if err := store.QueueAck(queue, append(acked, dropped...)); err != nil {
			return out, err
		}
	}
	for delay, list := range retried {
		if err := store.QueueRetry(queue, list, delay); err != nil {
			return out, err
		}
	}
	if len(dead) > 0 {
		if err := store.QueueMove(queue, dead, consumer.DeadLetterQueue); err != nil {
			return out, err
		}
	}
	out.Left, _ = store.QueueCount(queue)
	return out, nil
}

func ids(msgs []bindings.QueueMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func delayOf(r *runtime.Realm, opts runtime.Value) time.Duration {
	m, _ := r.ToGo(opts).(map[string]any)
	if s, ok := m["delaySeconds"].(float64); ok && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return 0
}

// newBatch builds the MessageBatch the queue handler receives.
func newBatch(r *runtime.Realm, queue string, msgs []bindings.QueueMessage, d *decisions) (runtime.Value, error) {
	batch := r.NewInstance("MessageBatch")
	batch.SetProperty("queue", queue)
	var items []runtime.Value
	for _, m := range msgs {
		m := m
		body, err := bindings.QueueBody(r, m)
		if err != nil {
			return nil, fmt.Errorf("message %s: %w", m.ID, err)
		}
		msg := r.NewInstance("Message")
		msg.SetProperty("id", m.ID)
		msg.SetProperty("timestamp", r.NewDate(m.Timestamp))
		msg.SetProperty("body", body)
		msg.SetProperty("attempts", float64(m.Attempts))
		r.Method(msg, "ack", func([]runtime.Value) (runtime.Value, error) {
			if !d.retry[m.ID] {
				d.ack[m.ID] = true
			}
			return runtime.Undefined, nil
		})
		r.Method(msg, "retry", func(a []runtime.Value) (runtime.Value, error) {
			if !d.ack[m.ID] {
				d.retry[m.ID] = true
				d.delay[m.ID] = delayOf(r, arg(a, 0))
			}
			return runtime.Undefined, nil
		})
		items = append(items, msg)
	}
	batch.SetProperty("messages", r.NewArray(items...))
	r.Method(batch, "ackAll", func([]runtime.Value) (runtime.Value, error) {
		if !d.retryAll {
			d.ackAll = true
		}
		return runtime.Undefined, nil
	})
	r.Method(batch, "retryAll", func(a []runtime.Value) (runtime.Value, error) {
		if !d.ackAll {
			d.retryAll = true
			d.retryAllDelay = delayOf(r, arg(a, 0))
		}
		return runtime.Undefined, nil
	})
	return batch, nil
}
