package proto

import (
	"encoding/binary"
	"errors"
	"io"
)

// Framing (PROTOCOL.md, "Framing"):
//
//	0                 4        5
//	+-----------------+--------+--------------------------------------+
//	| length (u32 BE) | type   | body (length − 1 bytes)              |
//	+-----------------+--------+--------------------------------------+
const (
	FrameRequest  byte = 0x01
	FrameResponse byte = 0x02
	FrameEvent    byte = 0x03
	FrameDatagram byte = 0x04
	FrameSend     byte = 0x05

	frameLengthSize = 4
	// MaxFrameLength: a 65,507-byte UDP payload plus the 20-byte address/ttl header and the type
	// byte fits, with room to spare.
	MaxFrameLength = 65536
	// MaxRequestBody: the largest real request (set-peer with 64 allowed IPs) is ~3 KB.
	MaxRequestBody = 16384
)

// ErrFatalFrame means the stream cannot be trusted any more (a length outside 1..65536): the
// helper reports it and exits, as PROTOCOL.md says.
var ErrFatalFrame = errors.New("frame length outside 1..65536")

// Reader reads frames from the core into one reusable buffer.
type Reader struct {
	r   io.Reader
	buf []byte
}

// NewReader reads frames from r (the helper's stdin).
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, frameLengthSize+MaxFrameLength)}
}

// Next returns the next frame's type and body; the body is valid until the next call. io.EOF
// means the parent closed the stream between frames; io.ErrUnexpectedEOF within a frame.
func (fr *Reader) Next() (byte, []byte, error) {
	if _, err := io.ReadFull(fr.r, fr.buf[:frameLengthSize]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(fr.buf[:frameLengthSize])
	if n < 1 || n > MaxFrameLength {
		return 0, nil, ErrFatalFrame
	}
	frame := fr.buf[frameLengthSize : frameLengthSize+int(n)]
	if _, err := io.ReadFull(fr.r, frame); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return frame[0], frame[1:], nil
}

// AppendFrame appends one frame of type typ around body to dst.
func AppendFrame(dst []byte, typ byte, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)+1))
	dst = append(dst, typ)
	return append(dst, body...)
}
