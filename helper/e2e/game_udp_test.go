//go:build netnsbench

package e2e

import (
	"encoding/binary"
	"net"
	"sort"
	"sync"
	"testing"
	"time"
)

// Game-like UDP over the tunnel: 64-byte datagrams at a fixed rate from A to an echo in B.
const (
	gamePayload  = 64
	gameDuration = 2 * time.Second
	// gameDrain: how long to wait for the last echoes; far above any RTT on veth.
	gameDrain = 500 * time.Millisecond
	gamePort  = 9000
)

type gameResult struct {
	p99ms float64
	lost  int
}

func gameUDP(t *testing.T, lab *lab, rate int) gameResult {
	t.Helper()
	echo := lab.listenUDP(t, "b", virtualB+":9000")
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := echo.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			echo.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	defer echo.Close()
	client := lab.listenUDP(t, "a", virtualA+":0")
	defer client.Close()
	dst := &net.UDPAddr{IP: net.ParseIP(virtualB), Port: gamePort}
	total := rate * int(gameDuration/time.Second)
	sentAt := make([]int64, total)
	rtts := make([]float64, 0, total)
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			client.SetReadDeadline(time.Now().Add(gameDuration + gameDrain))
			n, err := client.Read(buf)
			if err != nil || n < 8 {
				return
			}
			seq := binary.BigEndian.Uint64(buf)
			now := time.Now().UnixNano()
			mu.Lock()
			if seq < uint64(total) && sentAt[seq] != 0 {
				rtts = append(rtts, float64(now-sentAt[seq])/1e6)
				sentAt[seq] = 0
				if len(rtts) == total {
					mu.Unlock()
					return
				}
			}
			mu.Unlock()
		}
	}()
	payload := make([]byte, gamePayload)
	start := time.Now()
	for seq := 0; seq < total; {
		due := int(time.Since(start) * time.Duration(rate) / time.Second)
		for ; seq < total && seq <= due; seq++ {
			binary.BigEndian.PutUint64(payload, uint64(seq))
			mu.Lock()
			sentAt[seq] = time.Now().UnixNano()
			mu.Unlock()
			client.WriteToUDP(payload, dst)
		}
		time.Sleep(100 * time.Microsecond)
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	r := gameResult{lost: total - len(rtts)}
	if len(rtts) > 0 {
		sort.Float64s(rtts)
		r.p99ms = rtts[len(rtts)*99/100]
	}
	return r
}
