package js

import "errors"

// Error is a Go error that crosses into JS as an error of its own class
// (TypeError, RangeError, …): Python then sees `TypeError: msg`, as on
// Cloudflare, instead of a plain `Error` whose message names the class.
type Error struct {
	Name    string // the JS class: "TypeError", "RangeError", "Error", …
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// Errorf-like constructors for the common classes.
func NewTypeError(msg string) *Error  { return &Error{Name: "TypeError", Message: msg} }
func NewRangeError(msg string) *Error { return &Error{Name: "RangeError", Message: msg} }

// ErrorValue is the JS value a Go error becomes: a thrown JS value is
// passed through, an *Error keeps its class, anything else is an Error.
func (w *World) ErrorValue(err error) Value {
	var th *Throw
	if errors.As(err, &th) {
		return th.Value
	}
	var je *Error
	if errors.As(err, &je) {
		return w.NewError(je.Name, je.Message)
	}
	return w.NewError("Error", err.Error())
}

// ThrowGo throws err into JS (see ErrorValue).
func (w *World) ThrowGo(err error) {
	panic(&Throw{Value: w.ErrorValue(err)})
}
