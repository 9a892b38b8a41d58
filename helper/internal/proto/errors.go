// Package proto is the helper protocol with the core, as declared in helper/PROTOCOL.md:
// framing, the address/datagram/send layouts, request parsing with full validation, and
// response/event encoding. Parsers never panic and never change anything: they return a value
// or an *Error whose Code is one of PROTOCOL.md's error codes.
package proto

import "fmt"

// Version is the protocol version this helper speaks (PROTOCOL.md, "Versioning"): its one
// declaration on the Go side. The TypeScript driver's HELPER_PROTOCOL_VERSION must equal it; both
// sides' tests check it against helper/testdata/protocol-vectors.json, so they cannot drift apart.
const Version = 2

// Error codes (PROTOCOL.md, "Error codes").
const (
	CodeBadFrame    = "bad-frame"
	CodeBadJSON     = "bad-json"
	CodeBadArgs     = "bad-args"
	CodeUnknownOp   = "unknown-op"
	CodeNotHello    = "not-hello"
	CodeVersion     = "version"
	CodeNotOpen     = "not-open"
	CodeAlreadyOpen = "already-open"
	CodeUnknownPeer = "unknown-peer"
	CodeTooMany     = "too-many"
	CodeBadSend     = "bad-send"
	CodeUnsupported = "unsupported"
	CodeOS          = "os"
)

// Error is a refusal the core sees as {"code", "message"}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
