package bindings

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

type vecIndex struct {
	name       string
	dimensions int
	metric     string
}

type vector struct {
	id, namespace string
	values        []float64
	metadata      map[string]any
}

// newVectorize builds a VectorizeIndexImpl over the vectors table; queries
// scan the index (fine for the sizes a local run holds).
func (s *Store) newVectorize(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	index := ResourceName(b, "index_name")
	o := r.NewInstance("VectorizeIndexImpl")
	mutate := func(name string, upsert bool) {
		async(r, o, name, func(a args) (runtime.Value, error) {
			list, ok := r.ToGo(a.at(0)).([]any)
			if !ok {
				return nil, fmt.Errorf("VECTOR_%s_ERROR: expected a list of {id, values, namespace?, metadata?}", strings.ToUpper(name))
			}
			var vecs []vector
			for _, item := range list {
				m, _ := item.(map[string]any)
				v, err := parseVector(m)
				if err != nil {
					return nil, fmt.Errorf("VECTOR_%s_ERROR (code = 40007): %v", strings.ToUpper(name), err)
				}
				vecs = append(vecs, v)
			}
			ids, err := s.vecWrite(index, b.Config, vecs, upsert)
			if err != nil {
				return nil, err
			}
			return s.mutationResult(r, ids), nil
		})
	}
	mutate("insert", false)
	mutate("upsert", true)
	async(r, o, "deleteByIds", func(a args) (runtime.Value, error) {
		ids := stringList(r.ToGo(a.at(0)))
		st, err := s.open()
		if err != nil {
			return nil, err
		}
		tx, err := st.db.Begin()
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		for _, id := range ids {
			if _, err := tx.Exec(`DELETE FROM vectors WHERE idx = ? AND id = ?`, index, id); err != nil {
				return nil, err
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		return s.mutationResult(r, ids), nil
	})
	async(r, o, "getByIds", func(a args) (runtime.Value, error) {
		ids := stringList(r.ToGo(a.at(0)))
		all, err := s.vecLoad(index, "", false)
		if err != nil {
			return nil, err
		}
		byID := map[string]vector{}
		for _, v := range all {
			byID[v.id] = v
		}
		out := r.NewArray()
		for _, id := range ids {
			if v, ok := byID[id]; ok {
				r.Push(out, vectorObject(r, v, 0, false, true, true))
			}
		}
		return out, nil
	})
	query := func(a args, vec []float64, opts map[string]any) (runtime.Value, error) {
		cfg, err := s.vecConfig(index, b.Config, 0)
		if err != nil {
			return nil, err
		}
		if cfg.dimensions != 0 && len(vec) != cfg.dimensions {
			return nil, fmt.Errorf("VECTOR_QUERY_ERROR (code = 40006): the query vector has %d dimensions; the index %q has %d", len(vec), index, cfg.dimensions)
		}
		topK := 5
		if k, ok := optNumber(opts, "topK"); ok {
			if k < 1 || k > 100 {
				return nil, errors.New("VECTOR_QUERY_ERROR (code = 40025): topK must be between 1 and 100")
			}
			topK = int(k)
		}
		ns, _ := opts["namespace"].(string)
		filter, _ := opts["filter"].(map[string]any)
		returnValues := optBool(opts, "returnValues")
		var returnMeta bool
		switch v := opts["returnMetadata"].(type) {
		case bool:
			returnMeta = v
		case string:
			returnMeta = v == "all" || v == "indexed"
		}
		all, err := s.vecLoad(index, ns, ns != "")
		if err != nil {
			return nil, err
		}
		type match struct {
			v     vector
			score float64
		}
		var matches []match
		for _, v := range all {
			if len(v.values) != len(vec) || !matchFilter(v.metadata, filter) {
				continue
			}
			matches = append(matches, match{v, score(cfg.metric, vec, v.values)})
		}
		// Euclidean scores are distances (smaller is closer); the others similarities.
		sort.SliceStable(matches, func(i, j int) bool {
			if cfg.metric == "euclidean" {
				return matches[i].score < matches[j].score
			}
			return matches[i].score > matches[j].score
		})
		if len(matches) > topK {
			matches = matches[:topK]
		}
		arr := r.NewArray()
		for _, m := range matches {
			r.Push(arr, vectorObject(r, m.v, m.score, true, returnValues, returnMeta))
		}
		out := r.NewPlainObject()
		out.SetProperty("matches", arr)
		out.SetProperty("count", float64(len(matches)))
		return out, nil
	}
	async(r, o, "query", func(a args) (runtime.Value, error) {
		vec, err := floatList(r.ToGo(a.at(0)))
		if err != nil {
			return nil, fmt.Errorf("VECTOR_QUERY_ERROR: %v", err)
		}
		return query(a, vec, a.opts(1))
	})
	async(r, o, "queryById", func(a args) (runtime.Value, error) {
		id, err := a.str(0, "vector id")
		if err != nil {
			return nil, err
		}
		all, err := s.vecLoad(index, "", false)
		if err != nil {
			return nil, err
		}
		for _, v := range all {
			if v.id == id {
				return query(a, v.values, a.opts(1))
			}
		}
		return nil, fmt.Errorf("VECTOR_QUERY_ERROR: no vector with id %q in the index %q", id, index)
	})
	async(r, o, "describe", func(a args) (runtime.Value, error) {
		cfg, err := s.vecConfig(index, b.Config, 0)
		if err != nil {
			return nil, err
		}
		st, err := s.open()
		if err != nil {
			return nil, err
		}
		var count, mutations, updated int64
		_ = st.db.QueryRow(`SELECT count(*) FROM vectors WHERE idx = ?`, index).Scan(&count)
		_ = st.db.QueryRow(`SELECT mutations, updated_ms FROM vector_indexes WHERE idx = ?`, index).Scan(&mutations, &updated)
		out := r.NewPlainObject()
		out.SetProperty("id", index)
		out.SetProperty("name", index)
		conf := r.NewPlainObject()
		conf.SetProperty("dimensions", float64(cfg.dimensions))
		conf.SetProperty("metric", cfg.metric)
		out.SetProperty("config", conf)
		out.SetProperty("dimensions", float64(cfg.dimensions))
		out.SetProperty("vectorCount", float64(count))
		out.SetProperty("vectorsCount", float64(count))
		out.SetProperty("processedUpToMutation", fmt.Sprint(mutations))
		out.SetProperty("processedUpToDatetime", r.NewDateMs(float64(updated)))
		return out, nil
	})
	return o
}

func (s *Store) mutationResult(r *runtime.Realm, ids []string) *runtime.Object {
	out := r.NewPlainObject()
	out.SetProperty("mutationId", randomHex(16))
	out.SetProperty("count", float64(len(ids)))
	arr := r.NewArray()
	for _, id := range ids {
		r.Push(arr, id)
	}
	out.SetProperty("ids", arr)
	return out
}

func parseVector(m map[string]any) (vector, error) {
	if m == nil {
		return vector{}, errors.New("each vector must be {id, values, namespace?, metadata?}")
	}
	id, _ := m["id"].(string)
	if id == "" {
		return vector{}, errors.New("a vector needs a non-empty string id")
	}
	vals, err := floatList(m["values"])
	if err != nil {
		return vector{}, fmt.Errorf("vector %q: %v", id, err)
	}
	ns, _ := m["namespace"].(string)
	meta, _ := m["metadata"].(map[string]any)
	return vector{id: id, namespace: ns, values: vals, metadata: meta}, nil
}

func floatList(v any) ([]float64, error) {
	list, ok := v.([]any)
	if !ok {
		if m, ok := v.(map[string]any); ok { // a Float32Array converted as an object
			list = make([]any, len(m))
			for k, x := range m {
				var i int
				if _, err := fmt.Sscan(k, &i); err != nil || i >= len(m) {
					return nil, errors.New("values must be a list of numbers")
				}
				list[i] = x
			}
		} else {
			return nil, errors.New("values must be a list of numbers")
		}
	}
	out := make([]float64, len(list))
	for i, x := range list {
		f, ok := x.(float64)
		if !ok {
			return nil, errors.New("values must be a list of numbers")
		}
		out[i] = f
	}
	if len(out) == 0 {
		return nil, errors.New("values must not be empty")
	}
	return out, nil
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// vecConfig returns the index's dimensions and metric: the stored ones, else
// the binding config or the vectorize.json file, else cosine with the
// dimensions of the first insert (dims > 0 records them).
func (s *Store) vecConfig(index string, bcfg map[string]any, dims int) (vecIndex, error) {
	st, err := s.open()
	if err != nil {
		return vecIndex{}, err
	}
	cfg := vecIndex{name: index}
	err = st.db.QueryRow(`SELECT dimensions, metric FROM vector_indexes WHERE idx = ?`, index).Scan(&cfg.dimensions, &cfg.metric)
	if err == nil {
		return cfg, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return cfg, err
	}
	cfg.metric = "cosine"
	if m, _ := bcfg["metric"].(string); m != "" {
		cfg.metric = m
	}
	if d, ok := bcfg["dimensions"].(float64); ok {
		cfg.dimensions = int(d)
	}
	if s.opts.VectorizeIndexes != "" {
		if data, err := project.ReadFile(s.opts.VectorizeIndexes, project.MaxConfigBytes); err == nil {
			var file map[string]struct {
				Dimensions int    `json:"dimensions"`
				Metric     string `json:"metric"`
			}
			if err := json.Unmarshal(data, &file); err != nil {
				return cfg, fmt.Errorf("reading %s: %v", s.opts.VectorizeIndexes, err)
			}
			if c, ok := file[index]; ok {
				if c.Metric != "" {
					cfg.metric = c.Metric
				}
				if c.Dimensions != 0 {
					cfg.dimensions = c.Dimensions
				}
			}
		}
	}
	switch cfg.metric {
	case "cosine", "euclidean", "dot-product":
	default:
		return cfg, fmt.Errorf("vectorize index %q: unknown metric %q (cosine, euclidean or dot-product)", index, cfg.metric)
	}
	if cfg.dimensions == 0 && dims > 0 {
		cfg.dimensions = dims
	}
	if cfg.dimensions > 0 {
		_, err = st.db.Exec(`INSERT OR IGNORE INTO vector_indexes (idx, dimensions, metric) VALUES (?, ?, ?)`, index, cfg.dimensions, cfg.metric)
	}
	return cfg, err
}

func (s *Store) vecWrite(index string, bcfg map[string]any, vecs []vector, upsert bool) ([]string, error) {
	if len(vecs) == 0 {
		return nil, nil
	}
	cfg, err := s.vecConfig(index, bcfg, len(vecs[0].values))
	if err != nil {
		return nil, err
	}
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	tx, err := st.db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	verb := "INSERT OR IGNORE"
	if upsert {
		verb = "INSERT OR REPLACE"
	}
	var ids []string
	for _, v := range vecs {
		if len(v.values) != cfg.dimensions {
			return nil, fmt.Errorf("VECTOR_INSERT_ERROR (code = 40008): vector %q has %d dimensions; the index %q has %d", v.id, len(v.values), index, cfg.dimensions)
		}
		var meta sql.NullString
		if v.metadata != nil {
			meta = sql.NullString{String: jsonText(v.metadata), Valid: true}
		}
		if _, err := tx.Exec(verb+` INTO vectors (idx, id, namespace, vals, metadata) VALUES (?, ?, ?, ?, ?)`,
			index, v.id, v.namespace, jsonText(v.values), meta); err != nil {
			return nil, err
		}
		ids = append(ids, v.id)
	}
	if _, err := tx.Exec(`UPDATE vector_indexes SET mutations = mutations + 1, updated_ms = ? WHERE idx = ?`, s.opts.Now().UnixMilli(), index); err != nil {
		return nil, err
	}
	return ids, tx.Commit()
}

func (s *Store) vecLoad(index, ns string, byNS bool) ([]vector, error) {
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	q := `SELECT id, namespace, vals, metadata FROM vectors WHERE idx = ?`
	params := []any{index}
	if byNS {
		q += ` AND namespace = ?`
		params = append(params, ns)
	}
	rows, err := st.db.Query(q+` ORDER BY id`, params...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []vector
	for rows.Next() {
		var v vector
		var vals string
		var meta sql.NullString
		if err := rows.Scan(&v.id, &v.namespace, &vals, &meta); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(vals), &v.values)
		if meta.Valid {
			v.metadata, _ = fromJSONText(meta.String).(map[string]any)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func vectorObject(r *runtime.Realm, v vector, sc float64, withScore, values, meta bool) *runtime.Object {
	o := r.NewPlainObject()
	o.SetProperty("id", v.id)
	if withScore {
		o.SetProperty("score", sc)
	}
	if values {
		arr := r.NewArray()
		for _, f := range v.values {
			r.Push(arr, f)
		}
		o.SetProperty("values", arr)
	}
	if meta && v.metadata != nil {
		o.SetProperty("metadata", r.FromGoOrdered(v.metadata))
	}
	if v.namespace != "" {
		o.SetProperty("namespace", v.namespace)
	}
	return o
}

// score is the index metric between two vectors of equal length.
func score(metric string, a, b []float64) float64 {
	var dot, na, nb, dist float64
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
		d := a[i] - b[i]
		dist += d * d
	}
	switch metric {
	case "euclidean":
		return math.Sqrt(dist)
	case "dot-product":
		return dot
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / (math.Sqrt(na) * math.Sqrt(nb))
}

// matchFilter applies a Vectorize metadata filter: {field: value} (implicit
// $eq) or {field: {$eq|$ne|$in|$nin|$lt|$lte|$gt|$gte: ...}}; fields may be
// dotted paths into nested metadata. All conditions must hold.
func matchFilter(meta map[string]any, filter map[string]any) bool {
	for field, cond := range filter {
		val, present := lookupPath(meta, field)
		ops, isOps := cond.(map[string]any)
		if !isOps {
			ops = map[string]any{"$eq": cond}
		}
		for op, want := range ops {
			if !applyOp(op, val, present, want) {
				return false
			}
		}
	}
	return true
}

func lookupPath(meta map[string]any, path string) (any, bool) {
	var cur any = meta
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[part]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func applyOp(op string, val any, present bool, want any) bool {
	switch op {
	case "$eq":
		return present && sameValue(val, want)
	case "$ne":
		return !present || !sameValue(val, want)
	case "$in", "$nin":
		list, _ := want.([]any)
		in := false
		for _, w := range list {
			if present && sameValue(val, w) {
				in = true
				break
			}
		}
		return in == (op == "$in")
	case "$lt", "$lte", "$gt", "$gte":
		if !present {
			return false
		}
		c, ok := compare(val, want)
		if !ok {
			return false
		}
		switch op {
		case "$lt":
			return c < 0
		case "$lte":
			return c <= 0
		case "$gt":
			return c > 0
		default:
			return c >= 0
		}
	}
	return false
}

func sameValue(a, b any) bool {
	if c, ok := compare(a, b); ok {
		return c == 0
	}
	return a == nil && b == nil
}

func compare(a, b any) (int, bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if x == y {
			return 0, true
		}
		return 1, true
	}
	return 0, false
}
