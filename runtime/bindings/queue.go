package bindings

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

const queueMaxMessageBytes = 128 << 10

// newQueueProducer builds a WorkerQueue whose messages go to the
// queue_messages table, where the consumer side (QueuePending) reads them.
func (s *Store) newQueueProducer(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	queue := ResourceName(b, "queue")
	o := r.NewInstance("WorkerQueue")
	async(r, o, "send", func(a args) (runtime.Value, error) {
		opts := a.opts(1)
		msg, err := queueEncode(r, a.at(0), optString(opts, "contentType"))
		if err != nil {
			return nil, fmt.Errorf("Queue send failed: %w", err)
		}
		delay, _ := optNumber(opts, "delaySeconds")
		return runtime.Undefined, s.queueInsert(queue, []queued{{msg, delay}})
	})
	async(r, o, "sendBatch", func(a args) (runtime.Value, error) {
		items, ok := r.Items(a.at(0))
		if !ok {
			return nil, errors.New("Queue sendBatch failed: expected a list of {body, contentType?, delaySeconds?}")
		}
		batchDelay, _ := optNumber(a.opts(1), "delaySeconds")
		var batch []queued
		for _, it := range items {
			body := r.Get(it, "body")
			if body == runtime.Undefined {
				// a Python dict that was not converted: read it through ToGo
				m, _ := r.ToGo(it).(map[string]any)
				if m == nil {
					return nil, errors.New("Queue sendBatch failed: each message must be {body, ...}")
				}
				body = r.FromGoOrdered(m["body"])
				it = r.FromGoOrdered(m)
			}
			ct, _ := r.Get(it, "contentType").(string)
			msg, err := queueEncode(r, body, ct)
			if err != nil {
				return nil, fmt.Errorf("Queue sendBatch failed: %w", err)
			}
			delay := batchDelay
			if d, ok := r.Get(it, "delaySeconds").(float64); ok {
				delay = d
			}
			batch = append(batch, queued{msg, delay})
		}
		return runtime.Undefined, s.queueInsert(queue, batch)
	})
	return o
}

type queued struct {
	msg   QueueMessage
	delay float64
}

// queueEncode stores a body by content type: json (the default for
// non-binary values; "v8" is kept as json, the structured clone of the
// JSON-like values Python sends), text, or bytes.
func queueEncode(r *runtime.Realm, body runtime.Value, ct string) (QueueMessage, error) {
	var m QueueMessage
	switch ct {
	case "", "v8", "json":
		if b, ok := r.Bytes(body); ok && ct != "json" {
			m.ContentType, m.Body = "bytes", b
			break
		}
		if body == runtime.Undefined {
			return m, errors.New("the message body is undefined")
		}
		// Through ToGo, so Python values that reach us as proxies encode too.
		m.ContentType, m.Body = "json", []byte(jsonText(r.ToGo(body)))
		if ct == "v8" {
			m.ContentType = "v8"
		}
	case "text":
		s, ok := body.(string)
		if !ok {
			return m, errors.New(`contentType "text" needs a string body`)
		}
		m.ContentType, m.Body = "text", []byte(s)
	case "bytes":
		b, ok := r.Bytes(body)
		if !ok {
			return m, errors.New(`contentType "bytes" needs an ArrayBuffer or bytes body`)
		}
		m.ContentType, m.Body = "bytes", b
	default:
		return m, fmt.Errorf("unknown contentType %q (use json, text, bytes or v8)", ct)
	}
	if len(m.Body) > queueMaxMessageBytes {
		return m, fmt.Errorf("message of %d bytes exceeds the 128 KB limit", len(m.Body))
	}
	return m, nil
}

func (s *Store) queueInsert(queue string, batch []queued) error {
	st, err := s.open()
	if err != nil {
		return err
	}
	tx, err := st.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := s.opts.Now()
	for _, q := range batch {
		visible := now.Add(time.Duration(q.delay * float64(time.Second)))
		if _, err := tx.Exec(`INSERT INTO queue_messages (id, queue, body, content_type, created_ms, visible_ms, attempts)
			VALUES (?, ?, ?, ?, ?, ?, 0)`, randomHex(16), queue, q.msg.Body, q.msg.ContentType,
			now.UnixMilli(), visible.UnixMilli()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// QueuePending returns up to max messages of queue that are due (sent and
// not delayed, or retried and past their delay), oldest first, counts the
// delivery in Attempts and hides them for QueueLease from other consumers.
func (s *Store) QueuePending(queue string, max int) ([]QueueMessage, error) {
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	tx, err := st.db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	now := s.opts.Now()
	rows, err := tx.Query(`SELECT id, body, content_type, created_ms, attempts FROM queue_messages
		WHERE queue = ? AND visible_ms <= ? ORDER BY visible_ms, seq LIMIT ?`, queue, now.UnixMilli(), max)
	if err != nil {
		return nil, err
	}
	var out []QueueMessage
	for rows.Next() {
		m := QueueMessage{Queue: queue}
		var created int64
		if err := rows.Scan(&m.ID, &m.Body, &m.ContentType, &created, &m.Attempts); err != nil {
			rows.Close()
			return nil, err
		}
		m.Timestamp = time.UnixMilli(created)
		m.Attempts++
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, m := range out {
		if _, err := tx.Exec(`UPDATE queue_messages SET attempts = attempts + 1, visible_ms = ? WHERE id = ?`,
			now.Add(QueueLease).UnixMilli(), m.ID); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}

// QueueAck deletes delivered messages.
func (s *Store) QueueAck(queue string, ids []string) error {
	return s.queueUpdate(`DELETE FROM queue_messages WHERE queue = ? AND id IN (%s)`, queue, ids)
}

// QueueRetry makes messages due again after delay (0 = at once); their
// Attempts are kept, so the next QueuePending reports one more.
func (s *Store) QueueRetry(queue string, ids []string, delay time.Duration) error {
	at := s.opts.Now().Add(delay).UnixMilli()
	return s.queueUpdate(`UPDATE queue_messages SET visible_ms = `+fmt.Sprint(at)+` WHERE queue = ? AND id IN (%s)`, queue, ids)
}

// QueueMove moves messages to another queue (a dead-letter queue), resetting
// their attempts and making them due at once.
func (s *Store) QueueMove(queue string, ids []string, to string) error {
	at := s.opts.Now().UnixMilli()
	return s.queueUpdate(`UPDATE queue_messages SET queue = `+sqlQuote(to)+`, attempts = 0, visible_ms = `+fmt.Sprint(at)+
		` WHERE queue = ? AND id IN (%s)`, queue, ids)
}

// QueueDue reports how many messages of queue are due for delivery now.
func (s *Store) QueueDue(queue string) (int, error) {
	st, err := s.open()
	if err != nil {
		return 0, err
	}
	var n int
	err = st.db.QueryRow(`SELECT count(*) FROM queue_messages WHERE queue = ? AND visible_ms <= ?`, queue, s.opts.Now().UnixMilli()).Scan(&n)
	return n, err
}

// QueueCount reports how many messages queue holds (due or not).
func (s *Store) QueueCount(queue string) (int, error) {
	st, err := s.open()
	if err != nil {
		return 0, err
	}
	var n int
	err = st.db.QueryRow(`SELECT count(*) FROM queue_messages WHERE queue = ?`, queue).Scan(&n)
	return n, err
}

func (s *Store) queueUpdate(query, queue string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := s.open()
	if err != nil {
		return err
	}
	params := []any{queue}
	for _, id := range ids {
		params = append(params, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	tx, err := st.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(fmt.Sprintf(query, marks), params...); err != nil {
		return err
	}
	return tx.Commit()
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// QueueBody converts a message body to the JS value the consumer's
// message.body is: parsed JSON, a string, or an ArrayBuffer.
func QueueBody(r *runtime.Realm, m QueueMessage) (runtime.Value, error) {
	switch m.ContentType {
	case "text":
		return string(m.Body), nil
	case "bytes":
		return r.NewArrayBuffer(append([]byte{}, m.Body...)), nil
	}
	return r.JSONParse(string(m.Body))
}

var _ = sql.ErrNoRows
