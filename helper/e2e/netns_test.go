//go:build netns

// Package e2e proves the helper end to end, as root, in network namespaces of its own: two
// helpers configured through the protocol ping each other's virtual IP over the tunnel, directly
// and through a relay, and carry the core's datagrams both ways. Run under the lab lock:
//
//	flock /tmp/lanrage-lab.lock go test -tags netns -count=1 ./e2e/
package e2e

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// handshakeWithinResend: an RTT on veth plus the stats polling; far below WireGuard's 5 s retry.
const handshakeWithinResend = time.Second

func TestTwoHelpersPingOverTheTunnelDirectlyAndThroughARelay(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (network namespaces, TUN)")
	}
	bin := buildHelper(t)
	lab := newLab(t)

	a := startHelper(t, lab.ns("a"), bin)
	b := startHelper(t, lab.ns("b"), bin)
	keyA, keyB := newKey(t), newKey(t)
	openA := a.open(t, "lrh0", keyA.private)
	openB := b.open(t, "lrh0", keyB.private)
	a.ok(t, "set-address", `"address":"`+virtualA+`","prefixLength":16`)
	b.ok(t, "set-address", `"address":"`+virtualB+`","prefixLength":16`)
	a.ok(t, "set-peer", fmt.Sprintf(`"peer":%q,"allowedIps":["%s/32"],"persistentKeepalive":0`, keyB.public, virtualB))
	b.ok(t, "set-peer", fmt.Sprintf(`"peer":%q,"allowedIps":["%s/32"],"persistentKeepalive":0`, keyA.public, virtualA))
	if openA.PublicKey != keyA.public || openB.PublicKey != keyB.public {
		t.Fatalf("open reported keys %s %s", openA.PublicKey, openB.PublicKey)
	}

	t.Run("direct", func(t *testing.T) {
		a.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyB.public, addrB, openB.ListenPort))
		b.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyA.public, addrA, openA.ListenPort))
		lab.ping(t, "a", virtualB)
		lab.ping(t, "b", virtualA)
		st := a.stats(t)
		if st.Peers[0].Path.Kind != "direct" || st.Peers[0].WireGuardIn == 0 || st.Peers[0].LastHandshakeMs == 0 {
			t.Fatalf("stats after direct pings: %+v", st)
		}
	})

	t.Run("through a relay, keeping the WireGuard session", func(t *testing.T) {
		relay := startForwarder(t, lab.ns("r"), relayPort)
		before := a.stats(t).Peers[0].LastHandshakeMs
		route := "00112233445566aa"
		a.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"relay","host":%q,"port":%d,"routeId":%q}`, keyB.public, routerA, relayPort, route))
		b.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"relay","host":%q,"port":%d,"routeId":%q}`, keyA.public, routerB, relayPort, route))
		// Each core announces its side to the relay (the real relay needs a BIND; this
		// forwarder learns a side from its first frame): a probe inside a DATA frame, which the
		// other helper must send up to its core rather than to WireGuard.
		probeA := append(dataHeader(route), []byte("\xffLRP probe from A")...)
		probeB := append(dataHeader(route), []byte("\xffLRP probe from B")...)
		a.send(t, netip.MustParseAddrPort(fmt.Sprintf("%s:%d", routerA, relayPort)), 0, probeA)
		waitFor(t, func() bool { return relay.sides() == 1 })
		b.send(t, netip.MustParseAddrPort(fmt.Sprintf("%s:%d", routerB, relayPort)), 0, probeB)
		from, got := a.nextDatagram(t)
		if from != netip.MustParseAddrPort(fmt.Sprintf("%s:%d", routerA, relayPort)) || string(got) != string(probeB) {
			t.Fatalf("relayed probe came up from %s as %q", from, got)
		}
		lab.ping(t, "a", virtualB)
		lab.ping(t, "b", virtualA)
		if relay.forwarded() < 4 {
			t.Fatalf("the relay forwarded %d packets; the pings did not go through it", relay.forwarded())
		}
		st := a.stats(t)
		if st.Peers[0].Path.Kind != "relay" || st.Peers[0].Path.RouteID != route {
			t.Fatalf("path %+v", st.Peers[0].Path)
		}
		if st.Peers[0].LastHandshakeMs != before {
			t.Fatalf("handshake changed from %d to %d: the path change touched the session", before, st.Peers[0].LastHandshakeMs)
		}
	})

	t.Run("the core's datagrams go up with their source and out with a TTL", func(t *testing.T) {
		stun := []byte{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		peerSock := lab.listenUDP(t, "b", addrB+":40000")
		peerSock.WriteToUDPAddrPort(stun, netip.MustParseAddrPort(fmt.Sprintf("%s:%d", addrA, openA.ListenPort)))
		from, got := a.nextDatagram(t)
		if from != netip.MustParseAddrPort(addrB+":40000") || string(got) != string(stun) {
			t.Fatalf("datagram up from %s: %x", from, got)
		}
		a.send(t, netip.MustParseAddrPort(addrB+":40000"), 64, []byte("probe-ish"))
		buf := make([]byte, 100)
		peerSock.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, src, err := peerSock.ReadFromUDPAddrPort(buf)
		if err != nil || string(buf[:n]) != "probe-ish" || src.Port() != openA.ListenPort {
			t.Fatalf("send out: %q from %s (%v)", buf[:n], src, err)
		}
		// TTL 1 cannot cross router R: the datagram never arrives.
		a.send(t, netip.MustParseAddrPort(addrB+":40000"), 1, []byte("ttl-1"))
		peerSock.SetReadDeadline(time.Now().Add(time.Second))
		if n, _, err := peerSock.ReadFromUDPAddrPort(buf); err == nil {
			t.Fatalf("a TTL 1 datagram crossed the router: %q", buf[:n])
		}
	})

	t.Run("clear-address takes the interface down without its address; set-address brings it back", func(t *testing.T) {
		a.ok(t, "clear-address", "")
		// The link's flags, then its IPv4 addresses (none listed without one).
		link := func() string {
			var all string
			for _, args := range [][]string{{"link", "show", "dev", "lrh0"}, {"-4", "address", "show", "dev", "lrh0"}} {
				out, err := exec.Command("ip", append([]string{"-n", lab.ns("a")}, args...)...).CombinedOutput()
				if err != nil {
					t.Fatalf("ip %v: %v: %s", args, err, out)
				}
				all += string(out)
			}
			return all
		}
		routes := func() string {
			out, _ := exec.Command("ip", "-n", lab.ns("a"), "-4", "route", "show", "dev", "lrh0").CombinedOutput()
			return strings.TrimSpace(string(out))
		}
		if got := link(); strings.Contains(got, "inet ") || strings.Contains(got, ",UP") || strings.Contains(got, "<UP") {
			t.Fatalf("after clear-address the interface is still up or addressed:\n%s", got)
		}
		if got := routes(); got != "" {
			t.Fatalf("after clear-address routes remain on lrh0: %s", got)
		}
		a.ok(t, "clear-address", "") // clearing again is harmless
		a.ok(t, "set-address", `"address":"`+virtualA+`","prefixLength":16`)
		// Up again with its address, and the TUN's queue at netcfg's tunQueueLength.
		if got := link(); !strings.Contains(got, "inet "+virtualA+"/16") || !strings.Contains(got, "UP") || !strings.Contains(got, "qlen 5000") {
			t.Fatalf("after set-address again:\n%s", got)
		}
		if got := routes(); !strings.HasPrefix(got, "10.66.0.0/16 ") {
			t.Fatalf("after set-address again the route is %q", got)
		}
		// The relay forwarder ended with its subtest: back to the direct path for the ping.
		a.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyB.public, addrB, openB.ListenPort))
		b.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyA.public, addrA, openA.ListenPort))
		lab.ping(t, "a", virtualB)
	})

	t.Run("close removes the interface and EOF does too", func(t *testing.T) {
		a.ok(t, "close", "")
		if code := a.wait(t); code != 0 {
			t.Fatalf("helper A exited %d after close", code)
		}
		b.closeStdin()
		if code := b.wait(t); code != 0 {
			t.Fatalf("helper B exited %d after EOF", code)
		}
		for _, ns := range []string{"a", "b"} {
			out, _ := exec.Command("ip", "-n", lab.ns(ns), "link", "show", "lrh0").CombinedOutput()
			if !strings.Contains(string(out), "does not exist") {
				t.Fatalf("interface left in %s: %s", ns, out)
			}
		}
	})
}

func dataHeader(routeHex string) []byte {
	route, _ := hex.DecodeString(routeHex)
	return append([]byte{0xff, 'L', 'R', 'R', 1, 3}, route...)
}

func TestAHandshakeLostBeforeAnyPathIsResentTheMomentOneIsProven(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (network namespaces, TUN)")
	}
	bin := buildHelper(t)
	lab := newLab(t)
	a := startHelper(t, lab.ns("a"), bin)
	b := startHelper(t, lab.ns("b"), bin)
	keyA, keyB := newKey(t), newKey(t)
	openA := a.open(t, "lrh1", keyA.private)
	openB := b.open(t, "lrh1", keyB.private)
	// A's keepalive makes WireGuard initiate at once; with no path yet, it is lost.
	a.ok(t, "set-peer", fmt.Sprintf(`"peer":%q,"allowedIps":["%s/32"],"persistentKeepalive":25`, keyB.public, virtualB))
	b.ok(t, "set-peer", fmt.Sprintf(`"peer":%q,"allowedIps":["%s/32"],"persistentKeepalive":0`, keyA.public, virtualA))
	waitFor(t, func() bool { return a.stats(t).Socket.DroppedNoPath > 0 })

	b.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyA.public, addrA, openA.ListenPort))
	a.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyB.public, addrB, openB.ListenPort))
	resentAt := time.Now()
	var r struct {
		Resent bool `json:"resent"`
	}
	if err := json.Unmarshal(a.ok(t, "resend-handshake", fmt.Sprintf(`"peer":%q`, keyB.public)), &r); err != nil || !r.Resent {
		t.Fatalf("resent %v %v", r.Resent, err)
	}
	// WireGuard's own retry would come 5 s after the lost one; the resent one completes in
	// about an RTT.
	waitFor(t, func() bool { return a.stats(t).Peers[0].LastHandshakeMs != 0 })
	if took := time.Since(resentAt); took > handshakeWithinResend {
		t.Fatalf("handshake took %v after the resend", took)
	}
}
