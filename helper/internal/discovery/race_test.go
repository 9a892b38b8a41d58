package discovery

import (
	"net/netip"
	"sync"
	"testing"
	"time"
)

// The data path (one FromOS goroutine, one ToOS goroutine, as tunhook runs them) while the
// configuration changes and stats are read from a third: `go test -race` must find nothing.
func TestTheDataPathRunsWhileTheConfigurationChanges(t *testing.T) {
	f := New(Options{})
	_ = f.SetAddress(addrB, subnet)
	f.SetPeer(keyA, []netip.Prefix{netip.PrefixFrom(addrA, 32)})
	f.SetEnabled(true)
	envelope := unhex(t, hexEnvelopeAToB)
	broadcast := unhex(t, hexA2SFromA)
	RewriteSource(broadcast, addrB)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		inj := &ringInjector{}
		for {
			select {
			case <-stop:
				return
			default:
				f.FromOS(append([]byte(nil), broadcast...), inj)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				f.ToOS(append([]byte(nil), envelope...))
			}
		}
	}()
	deadline := time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(deadline) {
		f.SetPeer(keyC, []netip.Prefix{netip.PrefixFrom(addrC, 32)})
		f.SetEnabled(false)
		f.SetEnabled(true)
		_ = f.Stats()
		f.RemovePeer(keyC)
	}
	close(stop)
	wg.Wait()
	if st := f.Stats(); st.Peers[0].Received == 0 || st.Forwarded == 0 {
		t.Fatalf("nothing went through: %+v", st)
	}
}
