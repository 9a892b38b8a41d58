package tunnel

import (
	"strconv"
	"strings"
)

const maxHandshakeSec = 1 << 40

type peerFigures struct {
	lastHandshakeMs int64
	rx, tx          uint64
}

// parseDeviceDump reads the per-peer figures out of the device's UAPI "get" text:
//
//	public_key=<hex>            (starts a peer)
//	last_handshake_time_sec=<n>
//	last_handshake_time_nsec=<n>
//	rx_bytes=<n>
//	tx_bytes=<n>
//
// The text is the device's own, but it is parsed defensively: a bad number reads as 0.
func parseDeviceDump(text string) map[string]peerFigures {
	out := map[string]peerFigures{}
	var key string
	var sec, nsec int64
	flush := func() {
		if key != "" {
			f := out[key]
			// Past year 36,000 the text is not a clock: read it as "never" rather than overflow.
			if sec > 0 && sec < maxHandshakeSec {
				f.lastHandshakeMs = sec*1000 + nsec/1_000_000
			}
			out[key] = f
		}
	}
	for _, line := range strings.Split(text, "\n") {
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch name {
		case "public_key":
			flush()
			key, sec, nsec = value, 0, 0
			out[key] = peerFigures{}
		case "last_handshake_time_sec":
			sec, _ = strconv.ParseInt(value, 10, 64)
		case "last_handshake_time_nsec":
			nsec, _ = strconv.ParseInt(value, 10, 64)
		case "rx_bytes", "tx_bytes":
			if key == "" {
				continue
			}
			n, _ := strconv.ParseUint(value, 10, 64)
			f := out[key]
			if name == "rx_bytes" {
				f.rx = n
			} else {
				f.tx = n
			}
			out[key] = f
		}
	}
	flush()
	return out
}
