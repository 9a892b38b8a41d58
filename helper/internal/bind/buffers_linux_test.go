package bind

import (
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func socketOption(t *testing.T, c *net.UDPConn, opt int) int {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var getErr error
	if err := raw.Control(func(fd uintptr) { v, getErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt) }); err != nil {
		t.Fatal(err)
	}
	if getErr != nil {
		t.Fatal(getErr)
	}
	return v
}

func TestTheBindGrowsItsSocketBuffersPastTheSystemMaximum(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (SO_RCVBUFFORCE needs CAP_NET_ADMIN, as the helper has)")
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	New(c, nil, Options{})
	// Linux reports twice the size asked for (it counts its own bookkeeping): 7 MiB → 14 MiB.
	if got := socketOption(t, c, unix.SO_RCVBUF); got != 14680064 {
		t.Errorf("SO_RCVBUF = %d, want 14680064", got)
	}
	if got := socketOption(t, c, unix.SO_SNDBUF); got != 14680064 {
		t.Errorf("SO_SNDBUF = %d, want 14680064", got)
	}
}
