package netcfg

import (
	"context"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

type osConfigurator struct{}

// tunQueueLength is the TUN's packet queue toward the helper (its txqueuelen; the TUN driver's
// default is 500): with no qdisc in front, a full queue drops what games send. 500 packets is
// 50 ms of a 10,000 packets/s stream, less than a helper on a busy machine may wait to be
// scheduled; 5,000 matches the half second or more the public socket's buffer holds the other
// way (bind.SocketBufferBytes). Only packets actually waiting take memory.
const tunQueueLength = 5000

// SetAddress replaces the interface's IPv4 address with prefix and brings the link up (with its
// queue at tunQueueLength); the kernel adds the route of the prefix once the link is up with the
// address. It is done with ioctls on a socket of this process, in this network namespace: this is
// on the path of a join's first ping, and starting `ip` for it cost 5-40 ms on a busy machine
// (issue #7), while the ioctls take microseconds. SIOCSIFADDR replaces the interface's primary
// address (the helper gives its interface no other); the netmask comes after it because
// SIOCSIFADDR sets the address's classful default.
func (osConfigurator) SetAddress(_ context.Context, iface string, prefix netip.Prefix) error {
	if !prefix.Addr().Is4() {
		return fmt.Errorf("setting the address of %s: %s is not IPv4", iface, prefix)
	}
	return withInetSocket(func(fd int) error {
		if err := setInet4(fd, iface, unix.SIOCSIFADDR, prefix.Addr()); err != nil {
			return fmt.Errorf("setting the address of %s to %s: %w", iface, prefix.Addr(), err)
		}
		mask := netip.AddrFrom4([4]byte(netmask(prefix.Bits())))
		if err := setInet4(fd, iface, unix.SIOCSIFNETMASK, mask); err != nil {
			return fmt.Errorf("setting the netmask of %s to /%d: %w", iface, prefix.Bits(), err)
		}
		if err := setUint32(fd, iface, unix.SIOCSIFTXQLEN, tunQueueLength); err != nil {
			return fmt.Errorf("setting the queue length of %s: %w", iface, err)
		}
		return setUp(fd, iface, true)
	})
}

// ClearAddress takes the link down and removes its IPv4 address, and with it the prefix's route:
// nothing is routed into the interface until the next SetAddress. Linux deletes the primary
// address when it is set to 0.0.0.0.
func (osConfigurator) ClearAddress(_ context.Context, iface string, _ netip.Prefix) error {
	return withInetSocket(func(fd int) error {
		if err := setUp(fd, iface, false); err != nil {
			return err
		}
		if err := setInet4(fd, iface, unix.SIOCSIFADDR, netip.IPv4Unspecified()); err != nil &&
			err != unix.EADDRNOTAVAIL {
			return fmt.Errorf("removing the address of %s: %w", iface, err)
		}
		return nil
	})
}

func withInetSocket(do func(fd int) error) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening a socket for interface ioctls: %w", err)
	}
	defer unix.Close(fd)
	return do(fd)
}

func setInet4(fd int, iface string, req uint, addr netip.Addr) error {
	ifr, err := unix.NewIfreq(iface)
	if err != nil {
		return err
	}
	a := addr.As4()
	if err := ifr.SetInet4Addr(a[:]); err != nil {
		return err
	}
	return unix.IoctlIfreq(fd, req, ifr)
}

func setUint32(fd int, iface string, req uint, v uint32) error {
	ifr, err := unix.NewIfreq(iface)
	if err != nil {
		return err
	}
	ifr.SetUint32(v)
	return unix.IoctlIfreq(fd, req, ifr)
}

// setUp sets or clears IFF_UP, keeping the link's other flags.
func setUp(fd int, iface string, up bool) error {
	ifr, err := unix.NewIfreq(iface)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("reading the flags of %s: %w", iface, err)
	}
	flags := ifr.Uint16()
	if up {
		flags |= unix.IFF_UP
	} else {
		flags &^= unix.IFF_UP
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("setting %s %s: %w", iface, map[bool]string{true: "up", false: "down"}[up], err)
	}
	return nil
}

// netmask is the IPv4 netmask of a prefix length, e.g. 16 → 255.255.0.0.
func netmask(bits int) []byte {
	m := ^uint32(0) << (32 - bits)
	return []byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}
}
