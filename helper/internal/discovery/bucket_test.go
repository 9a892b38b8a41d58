package discovery

import (
	"testing"
	"time"
)

func TestTheBucketRefillsAtItsRateUpToItsBurst(t *testing.T) {
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at   time.Duration
		take int
		want int // how many of take succeed
	}{
		{0, 5, 3},                      // starts full: burst 3
		{500 * time.Millisecond, 2, 1}, // 0.5 s at 2/s = 1 token
		{-time.Second, 1, 0},           // a clock that steps back refills nothing
		{10 * time.Second, 5, 3},       // a long quiet spell refills only to the burst
		{10*time.Second + 250*time.Millisecond, 1, 0},
		{10*time.Second + 500*time.Millisecond, 1, 1},
	}
	var b bucket
	for i, s := range steps {
		got := 0
		for range s.take {
			if b.take(t0.Add(s.at), 2, 3) {
				got++
			}
		}
		if got != s.want {
			t.Errorf("step %d (at %v): %d of %d taken, want %d", i, s.at, got, s.take, s.want)
		}
	}
}
