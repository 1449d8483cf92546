package config

import (
	"regexp"
	"strconv"

	"github.com/tailscale/hujson"
)

var hujsonPos = regexp.MustCompile(`line (\d+), column (\d+)`)

func parseJSONC(text string) (*Node, []SyntaxError) {
	v, err := hujson.Parse([]byte(text))
	if err != nil {
		off := len(text)
		if m := hujsonPos.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			col, _ := strconv.Atoi(m[2])
			off = lineCol(text, line, col)
		}
		end := off + 1
		if end > len(text) {
			end = len(text)
		}
		return nil, []SyntaxError{{Range: Range{off, end}, Message: "not valid JSON/JSONC: " + trimHujson(err.Error())}}
	}
	return fromHujson(&v), nil
}

func trimHujson(msg string) string {
	if len(msg) > 8 && msg[:8] == "hujson: " {
		return msg[8:]
	}
	return msg
}

func fromHujson(v *hujson.Value) *Node {
	n := &Node{Range: Range{v.StartOffset, v.EndOffset}}
	switch val := v.Value.(type) {
	case *hujson.Object:
		n.Kind = Object
		for i := range val.Members {
			m := &val.Members[i]
			child := fromHujson(&m.Value)
			if lit, ok := m.Name.Value.(hujson.Literal); ok {
				child.Key = lit.String()
			}
			child.KeyRange = Range{m.Name.StartOffset, m.Name.EndOffset}
			n.Members = append(n.Members, child)
		}
	case *hujson.Array:
		n.Kind = Array
		for i := range val.Elements {
			n.Items = append(n.Items, fromHujson(&val.Elements[i]))
		}
	case hujson.Literal:
		switch val.Kind() {
		case '"':
			n.Kind, n.Str = String, val.String()
		case '0':
			n.Kind, n.Num, n.Raw = Number, val.Float(), string(val)
		case 't', 'f':
			n.Kind, n.Bool = Bool, val.Bool()
		default:
			n.Kind = Null
		}
	}
	return n
}
