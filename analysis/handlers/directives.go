package handlers

import "strings"

// Directive is one `# pyworkers: WORD ARG` comment line.
type Directive struct{ Word, Arg string }

// DirectivesAbove returns the `# pyworkers:` lines of the comment block
// directly above offset (the start of a def or its decorators), top first.
func DirectivesAbove(src string, offset int) []Directive {
	var out []Directive
	lineStart := strings.LastIndexByte(src[:offset], '\n') + 1
	for end := lineStart - 1; end > 0; {
		start := strings.LastIndexByte(src[:end], '\n') + 1
		line := strings.TrimSpace(src[start:end])
		if !strings.HasPrefix(line, "#") {
			break
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(line, "#")), "pyworkers:"); ok {
			word, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
			out = append([]Directive{{word, strings.TrimSpace(arg)}}, out...)
		}
		end = start - 1
	}
	return out
}

// Request is one request chosen by `# pyworkers:` comments above a fetch
// handler:
//
//	# pyworkers: POST /items?draft=1
//	# pyworkers: header content-type: application/json
//	# pyworkers: body {"name": "x"}
type Request struct {
	Method, Path string
	Headers      []string // "Name: value"
	Body         string
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// RequestsAbove reads the requests of the comment block above offset.
// Several METHOD lines give several requests; header and body lines apply
// to the METHOD line before them. Without one, the request is GET /.
func RequestsAbove(src string, offset int) []Request {
	var reqs []Request
	for _, d := range DirectivesAbove(src, offset) {
		switch {
		case httpMethods[strings.ToUpper(d.Word)]:
			path := d.Arg
			if path == "" {
				path = "/"
			}
			reqs = append(reqs, Request{Method: strings.ToUpper(d.Word), Path: path})
		case d.Word == "header" && len(reqs) > 0:
			reqs[len(reqs)-1].Headers = append(reqs[len(reqs)-1].Headers, d.Arg)
		case d.Word == "body" && len(reqs) > 0:
			reqs[len(reqs)-1].Body = d.Arg
		}
	}
	if len(reqs) == 0 {
		reqs = []Request{{Method: "GET", Path: "/"}}
	}
	return reqs
}

// ObjectDirectives are the `# pyworkers: name NAME`, `args [..]` and
// `params {..}` lines above a Durable Object method or a workflow's run.
type ObjectDirectives struct {
	Name   string // the object's name; default "default"
	Args   string // the method's JSON arguments; default "[]"
	Params string // the workflow's JSON params; default "" (none)
}

// ObjectDirectivesAbove reads the object directives above offset.
func ObjectDirectivesAbove(src string, offset int) ObjectDirectives {
	out := ObjectDirectives{Name: "default", Args: "[]"}
	for _, d := range DirectivesAbove(src, offset) {
		switch d.Word {
		case "name":
			out.Name = d.Arg
		case "args":
			out.Args = d.Arg
		case "params":
			out.Params = d.Arg
		}
	}
	return out
}
