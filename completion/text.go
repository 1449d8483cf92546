package completion

// Text helpers for the wrangler config (JSONC and TOML are read as text
// next to their trees). Python is never read from text: see package
// pyfacts.

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// identAround returns the identifier touching offset: [start, end).
func identAround(text string, offset int) (int, int) {
	if offset > len(text) {
		offset = len(text)
	}
	start, end := offset, offset
	for start > 0 && isIdentByte(text[start-1]) {
		start--
	}
	for end < len(text) && isIdentByte(text[end]) {
		end++
	}
	return start, end
}

// skipString returns the offset after the string literal starting at i.
func skipString(text string, i, end int) int {
	q := text[i]
	if i+2 < end && text[i+1] == q && text[i+2] == q {
		triple := text[i : i+3]
		for j := i + 3; j+2 < end; j++ {
			if text[j] == '\\' {
				j++
				continue
			}
			if text[j:j+3] == triple {
				return j + 3
			}
		}
		return end
	}
	for j := i + 1; j < end; j++ {
		switch text[j] {
		case '\\':
			j++
		case q:
			return j + 1
		case '\n':
			return j
		}
	}
	return end
}

// lineStart returns the offset where offset's line starts.
func lineStart(text string, offset int) int {
	for offset > 0 && text[offset-1] != '\n' {
		offset--
	}
	return offset
}

// lineEnd returns the offset of the end of offset's line (before "\n").
func lineEnd(text string, offset int) int {
	for offset < len(text) && text[offset] != '\n' {
		offset++
	}
	return offset
}

// splitTopLevel splits s at commas outside brackets and strings.
func splitTopLevel(s string) []string {
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '"', '\'':
			i = skipString(s, i, len(s)) - 1
		case ',':
			if depth == 0 {
				parts = append(parts, s[last:i])
				last = i + 1
			}
		}
	}
	return append(parts, s[last:])
}
