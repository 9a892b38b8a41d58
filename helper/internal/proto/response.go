package proto

import "encoding/json"

type okResponse struct {
	ID     uint32 `json:"id"`
	OK     bool   `json:"ok"`
	Result any    `json:"result"`
}

type errResponse struct {
	ID    uint32 `json:"id"`
	OK    bool   `json:"ok"`
	Error *Error `json:"error"`
}

type errorEvent struct {
	Event   string `json:"event"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ResponseFrame is a whole response frame: ok with result (nil becomes {}), or the error.
func ResponseFrame(id uint32, result any, e *Error) []byte {
	var body []byte
	if e != nil {
		body = mustJSON(errResponse{ID: id, OK: false, Error: e})
	} else {
		if result == nil {
			result = struct{}{}
		}
		body = mustJSON(okResponse{ID: id, OK: true, Result: result})
	}
	return AppendFrame(nil, FrameResponse, body)
}

// ErrorEventFrame is a whole "error" event frame.
func ErrorEventFrame(e *Error) []byte {
	return AppendFrame(nil, FrameEvent, mustJSON(errorEvent{Event: "error", Code: e.Code, Message: e.Message}))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own result types are marshalled; failing here is a programming error.
		panic(err)
	}
	return b
}
