//go:build netns || netnsbench

package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/sys/unix"
)

// Underlay: players A and B each on a veth to a router namespace R that forwards between them
// and runs the relay forwarder.
//
//	A 10.201.1.2 ── 10.201.1.1 R 10.201.2.1 ── 10.201.2.2 B
const (
	addrA, addrB     = "10.201.1.2", "10.201.2.2"
	routerA, routerB = "10.201.1.1", "10.201.2.1"
	relayPort        = 7401
	virtualA         = "10.66.0.1"
	virtualB         = "10.66.0.2"
	// pingDeadline: a fresh tunnel needs one handshake (an RTT on veth: well under a second);
	// WireGuard's own retry is 5 s, so a passing ping within this proves the resend/first try.
	pingDeadline = 8
)

// lab is three namespaces with a unique prefix (lrh<pid>-a/-b/-r), removed at the end.
type lab struct{ prefix string }

func newLab(t *testing.T) *lab {
	l := &lab{prefix: fmt.Sprintf("lrh%d", os.Getpid()%100000)}
	t.Cleanup(func() {
		for _, n := range []string{"a", "b", "r"} {
			_ = exec.Command("ip", "netns", "del", l.ns(n)).Run()
		}
	})
	steps := [][]string{
		{"netns", "add", l.ns("a")}, {"netns", "add", l.ns("b")}, {"netns", "add", l.ns("r")},
		{"link", "add", l.prefix + "a", "netns", l.ns("a"), "type", "veth", "peer", "name", "ra", "netns", l.ns("r")},
		{"link", "add", l.prefix + "b", "netns", l.ns("b"), "type", "veth", "peer", "name", "rb", "netns", l.ns("r")},
		{"-n", l.ns("a"), "addr", "add", addrA + "/24", "dev", l.prefix + "a"},
		{"-n", l.ns("b"), "addr", "add", addrB + "/24", "dev", l.prefix + "b"},
		{"-n", l.ns("r"), "addr", "add", routerA + "/24", "dev", "ra"},
		{"-n", l.ns("r"), "addr", "add", routerB + "/24", "dev", "rb"},
		{"-n", l.ns("a"), "link", "set", l.prefix + "a", "up"},
		{"-n", l.ns("b"), "link", "set", l.prefix + "b", "up"},
		{"-n", l.ns("r"), "link", "set", "ra", "up"},
		{"-n", l.ns("r"), "link", "set", "rb", "up"},
		{"-n", l.ns("a"), "link", "set", "lo", "up"},
		{"-n", l.ns("b"), "link", "set", "lo", "up"},
		{"-n", l.ns("r"), "link", "set", "lo", "up"},
		{"-n", l.ns("a"), "route", "add", "default", "via", routerA},
		{"-n", l.ns("b"), "route", "add", "default", "via", routerB},
	}
	for _, s := range steps {
		if out, err := exec.Command("ip", s...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	if out, err := exec.Command("ip", "netns", "exec", l.ns("r"), "sysctl", "-qw", "net.ipv4.ip_forward=1").CombinedOutput(); err != nil {
		t.Fatalf("forwarding in R: %v: %s", err, out)
	}
	return l
}

func buildHelper(t *testing.T) string { return buildGo(t, "lanrage-helper", "../cmd/lanrage-helper") }

func buildGo(t *testing.T, name, pkg string) string {
	t.Helper()
	bin := t.TempDir() + "/" + name
	// The go that runs this test, whether or not one is on PATH (npm test may find it elsewhere).
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goBin, "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached in 3 s")
}

func (l *lab) ns(name string) string { return l.prefix + "-" + name }

func (l *lab) ping(t *testing.T, from, to string) {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", l.ns(from), "ping", "-c", "3", "-i", "0.2",
		"-w", fmt.Sprint(pingDeadline), to).CombinedOutput()
	if err != nil {
		t.Fatalf("ping %s from %s: %v\n%s", to, from, err, out)
	}
}

// inNetns runs fn on an OS thread switched into the namespace; sockets it opens stay there.
func inNetns(t *testing.T, ns string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		// The thread is never unlocked: it dies with this goroutine instead of returning to
		// the pool while in another namespace.
		target, err := os.Open("/var/run/netns/" + ns)
		if err != nil {
			t.Error(err)
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			t.Error(err)
			return
		}
		fn()
	}()
	<-done
}

func (l *lab) listenUDP(t *testing.T, ns, addr string) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	inNetns(t, l.ns(ns), func() {
		a, _ := net.ResolveUDPAddr("udp4", addr)
		var err error
		if c, err = net.ListenUDP("udp4", a); err != nil {
			t.Error(err)
		}
	})
	if c == nil {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// forwarder is a relay with the DATA forwarding of src-server/relay and none of its checks:
// a DATA frame from one address of a route goes to the route's other address.
type forwarder struct{ count, known atomic.Int64 }

func (f *forwarder) sides() int64 { return f.known.Load() }

func (f *forwarder) forwarded() int64 { return f.count.Load() }

func startForwarder(t *testing.T, ns string, port int) *forwarder {
	t.Helper()
	var c *net.UDPConn
	inNetns(t, ns, func() {
		var err error
		if c, err = net.ListenUDP("udp4", &net.UDPAddr{Port: port}); err != nil {
			t.Error(err)
		}
	})
	if c == nil {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	f := &forwarder{}
	go func() {
		sides := map[[8]byte][]*net.UDPAddr{}
		buf := make([]byte, 65536)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if n < 14 || string(buf[:4]) != "\xffLRR" || buf[5] != 3 {
				continue
			}
			route := [8]byte(buf[6:14])
			known := sides[route]
			var other *net.UDPAddr
			seen := false
			for _, s := range known {
				if s.String() == from.String() {
					seen = true
				} else {
					other = s
				}
			}
			if !seen && len(known) < 2 {
				sides[route] = append(known, from)
				f.known.Add(1)
			}
			if other != nil {
				c.WriteToUDP(buf[:n], other)
				f.count.Add(1)
			}
		}
	}()
	return f
}

type keyPair struct{ private, public string }

func newKey(t *testing.T) keyPair {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	k[0] &= 248
	k[31] = (k[31] & 127) | 64
	pub, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{base64.StdEncoding.EncodeToString(k[:]), base64.StdEncoding.EncodeToString(pub)}
}
