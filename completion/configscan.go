package completion

import "strings"

// Where the cursor is in a config file, read by a tolerant scan of the
// text: the config is often invalid while it is being typed, when the
// parsed tree is empty.

// configSpot is the cursor's place in a config file.
type configSpot struct {
	// path leads from the root to the container holding the cursor:
	// object keys, and "#" for an array item ("kv_namespaces", "#").
	path []string
	// key is set when the cursor is where a member name goes; otherwise
	// the cursor is at a value (member or array item).
	key bool
	// member is the key whose value the cursor is at ("" in arrays).
	member string
	// present lists the keys already in the object holding the cursor, or
	// the string items of the array holding it.
	present []string
	// inString is set when the cursor is inside a quoted string that
	// starts at strStart and ends at strEnd (after the closing quote, or
	// at the end of the line when unterminated).
	inString         bool
	strStart, strEnd int
	// header is set (TOML) when the cursor is in a [table] header.
	header bool
	// arrayTable is set (TOML) when the current table is a [[table]].
	arrayTable bool
}

// envOf splits an "env", name prefix off path.
func (s *configSpot) envOf() (env string, rest []string) {
	if len(s.path) >= 2 && s.path[0] == "env" {
		return s.path[1], s.path[2:]
	}
	return "", s.path
}

type jsonFrame struct {
	object    bool
	key       string // current member key (objects)
	expectKey bool
	keys      []string
	items     []string
}

// scanJSONC finds the cursor's place in JSONC text.
func scanJSONC(text string, offset int) *configSpot {
	var stack []*jsonFrame
	var spot *configSpot
	depthAt := -1
	record := func(inStr bool, strStart, strEnd int) {
		if spot != nil || len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		spot = &configSpot{inString: inStr, strStart: strStart, strEnd: strEnd}
		for _, f := range stack[:len(stack)-1] {
			if f.object {
				spot.path = append(spot.path, f.key)
			} else {
				spot.path = append(spot.path, "#")
			}
		}
		if top.object {
			spot.key = top.expectKey
			if !spot.key {
				spot.member = top.key
			}
		}
		depthAt = len(stack)
	}
	finish := func() *configSpot {
		if spot != nil && depthAt > 0 && depthAt <= len(stack) {
			top := stack[depthAt-1]
			spot.present = append(append([]string(nil), top.keys...), top.items...)
		}
		return spot
	}
	for i := 0; i < len(text); i++ {
		if i >= offset && spot == nil {
			record(false, 0, 0)
		}
		c := text[i]
		switch {
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				i = len(text)
			} else {
				i += end + 3
			}
		case c == '"':
			end := i + 1
			for end < len(text) && text[end] != '"' && text[end] != '\n' {
				if text[end] == '\\' {
					end++
				}
				end++
			}
			closed := end < len(text) && text[end] == '"'
			strEnd := end
			if closed {
				strEnd = end + 1
			}
			if spot == nil && offset > i && offset <= end {
				record(true, i, strEnd)
			}
			s := text[i+1 : min(end, len(text))]
			if n := len(stack); n > 0 {
				top := stack[n-1]
				if top.object && top.expectKey {
					top.key = s
					top.keys = append(top.keys, s)
				} else if !top.object {
					top.items = append(top.items, s)
				}
			}
			i = strEnd - 1
		case c == '{' || c == '[':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = false
			}
			stack = append(stack, &jsonFrame{object: c == '{', expectKey: c == '{'})
		case c == '}' || c == ']':
			if spot != nil && len(stack) == depthAt {
				return finish()
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case c == ':':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = false
			}
		case c == ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
		}
	}
	if spot == nil {
		record(false, 0, 0)
	}
	return finish()
}

// scanTOML finds the cursor's place in TOML text, line by line.
func scanTOML(text string, offset int) *configSpot {
	ls := lineStart(text, offset)
	spot := &configSpot{}
	// the table the cursor is in: the last header above its line
	var table []string
	for at := 0; at < ls; {
		le := lineEnd(text, at)
		line := strings.TrimSpace(text[at:le])
		if strings.HasPrefix(line, "[") {
			name, isArray := tomlHeader(line)
			table, spot.arrayTable = splitDotted(name), isArray
		}
		at = le + 1
	}
	before := text[ls:offset]
	trimmed := strings.TrimLeft(before, " \t")
	if strings.HasPrefix(trimmed, "[") {
		spot.header = true
		spot.path = nil
		return spot
	}
	spot.path = table
	if spot.arrayTable {
		spot.path = append(append([]string(nil), table...), "#")
	}
	// a key = value line, or a continuation of a multi-line array
	key, valueStart := "", -1
	if eq := strings.IndexByte(before, '='); eq >= 0 {
		key, valueStart = strings.Trim(strings.TrimSpace(before[:eq]), `"`), ls+eq+1
	} else if k, vs := openTOMLArray(text, ls); k != "" {
		key, valueStart = k, vs
	}
	if key == "" {
		spot.key = true
		spot.present = tomlTableKeys(text, ls, offset)
		if len(table) == 0 || len(table) == 2 && table[0] == "env" && !spot.arrayTable {
			spot.present = append(spot.present, tomlSubtables(text, table)...)
		}
		return spot
	}
	spot.member = key
	if open := strings.IndexByte(text[valueStart:offset], '['); open >= 0 {
		spot.path = append(spot.path, key)
		spot.member = ""
		arr := text[valueStart+open+1:]
		if close := strings.IndexByte(arr, ']'); close >= 0 {
			arr = arr[:close]
		}
		for _, it := range splitTopLevel(arr) {
			if s := strings.Trim(strings.TrimSpace(it), `"'`); s != "" {
				spot.present = append(spot.present, s)
			}
		}
	}
	// inside a string?
	for i := valueStart; i < offset; i++ {
		if text[i] == '"' || text[i] == '\'' {
			end := skipString(text, i, lineEnd(text, offset))
			if end > offset || end == offset && (end == i+1 || text[end-1] != text[i]) {
				spot.inString, spot.strStart, spot.strEnd = true, i, end
				break
			}
			i = end - 1
		}
	}
	return spot
}

// tomlHeader reads "[a.b]" or "[[a.b]]".
func tomlHeader(line string) (string, bool) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	if strings.HasPrefix(line, "[[") {
		return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "[["), "]]")), true
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")), false
}

func splitDotted(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ".") {
		out = append(out, strings.Trim(strings.TrimSpace(p), `"`))
	}
	return out
}

// openTOMLArray finds a `key = [` above line ls whose array is still open.
func openTOMLArray(text string, ls int) (string, int) {
	for at := ls; at > 0; {
		at = lineStart(text, at-1)
		line := text[at:lineEnd(text, at)]
		if strings.HasPrefix(strings.TrimSpace(line), "[") {
			return "", -1
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			continue
		}
		rest := text[at+eq+1 : ls]
		open := strings.IndexByte(rest, '[')
		if open < 0 || strings.Count(rest, "[") <= strings.Count(rest, "]") {
			return "", -1
		}
		return strings.TrimSpace(line[:eq]), at + eq + 1
	}
	return "", -1
}

// tomlTableKeys lists the keys written in the table around line ls.
func tomlTableKeys(text string, ls, offset int) []string {
	start := ls
	for start > 0 {
		prev := lineStart(text, start-1)
		if strings.HasPrefix(strings.TrimSpace(text[prev:lineEnd(text, prev)]), "[") {
			break
		}
		start = prev
	}
	var keys []string
	for at := start; at < len(text); {
		le := lineEnd(text, at)
		line := strings.TrimSpace(text[at:le])
		if at > ls && strings.HasPrefix(line, "[") {
			break
		}
		if eq := strings.IndexByte(line, '='); eq > 0 && at != ls {
			keys = append(keys, strings.Trim(strings.TrimSpace(line[:eq]), `"`))
		}
		at = le + 1
	}
	return keys
}

// tomlSubtables lists the first key below prefix of every header in the
// text: the tables ([ai], [[kv_namespaces]]) a root or env table holds.
func tomlSubtables(text string, prefix []string) []string {
	var out []string
	for at := 0; at < len(text); at = lineEnd(text, at) + 1 {
		line := strings.TrimSpace(text[at:lineEnd(text, at)])
		if !strings.HasPrefix(line, "[") {
			continue
		}
		name, _ := tomlHeader(line)
		parts := splitDotted(name)
		if len(parts) <= len(prefix) || strings.Join(parts[:len(prefix)], ".") != strings.Join(prefix, ".") {
			continue
		}
		if len(prefix) == 0 && parts[0] == "env" && len(parts) > 2 {
			continue
		}
		out = append(out, parts[len(prefix)])
	}
	return out
}
