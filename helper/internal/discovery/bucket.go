package discovery

import "time"

const (
	// DefaultRatePerSecond is the sustained discovery packets per second between two members,
	// each way. Games announce far below it: Minecraft once per 1.5 s, a Source LAN browser
	// refresh is 6 packets (ports 27015-27020), Teeworlds' 8 (ports 8303-8310). A storm at this
	// rate to 31 peers with full 1,388-byte packets is ~0.9 MB/s of uplink, which a home line
	// carries without starving the party's game traffic.
	DefaultRatePerSecond = 20
	// DefaultBurst lets a whole LAN-browser refresh through at once even right after another:
	// a few games' scans back to back.
	DefaultBurst = 40
)

// bucket is a token bucket: up to burst tokens, refilled at rate per second. One goroutine uses
// it (see peer); time comes from the caller.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends one token if there is one.
func (b *bucket) take(now time.Time, rate, burst float64) bool {
	if b.last.IsZero() {
		b.tokens = burst
	} else if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens += elapsed * rate
		if b.tokens > burst {
			b.tokens = burst
		}
	}
	if now.After(b.last) || b.last.IsZero() {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
