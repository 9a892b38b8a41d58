package tunhook

import (
	"golang.zx2c4.com/wireguard/tun"
)

// InjectQueue is how many injected packets may wait for WireGuard: a burst of one broadcast
// copied to every member of a full party (32), several times over.
const InjectQueue = 256

// Wrap puts hook between dev and the WireGuard device. With a nil hook it returns dev itself:
// no cost on the data path when discovery is off.
func Wrap(dev tun.Device, hook Hook) tun.Device {
	if hook == nil {
		return dev
	}
	return &wrapper{Device: dev, hook: hook, queue: make(chan []byte, InjectQueue)}
}

type wrapper struct {
	tun.Device
	hook  Hook
	queue chan []byte
}

// Inject implements Injector.
func (w *wrapper) Inject(packet []byte) bool {
	select {
	case w.queue <- append([]byte(nil), packet...):
		return true
	default:
		return false
	}
}

// Read hands WireGuard the OS's packets (as the hook decided) and the injected ones. Injected
// packets waiting from an earlier read go first, without waiting for the OS.
func (w *wrapper) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	if n := w.drain(bufs, sizes, offset, 0); n > 0 {
		return n, nil
	}
	n, err := w.Device.Read(bufs, sizes, offset)
	for i := 0; i < n; i++ {
		if sizes[i] > 0 && w.hook.FromOS(bufs[i][offset:offset+sizes[i]], w) == Drop {
			sizes[i] = 0 // the device skips empty entries
		}
	}
	return w.drain(bufs, sizes, offset, n), err
}

// drain fills free slots from index n on with injected packets; it returns the new count.
func (w *wrapper) drain(bufs [][]byte, sizes []int, offset, n int) int {
	for n < len(bufs) {
		select {
		case p := <-w.queue:
			if len(p) > len(bufs[n])-offset {
				continue // larger than the device's buffer: cannot be a packet of this MTU
			}
			sizes[n] = copy(bufs[n][offset:], p)
			n++
		default:
			return n
		}
	}
	return n
}

// Write gives the hook every decrypted packet before the OS sees it.
func (w *wrapper) Write(bufs [][]byte, offset int) (int, error) {
	kept := bufs[:0]
	for _, b := range bufs {
		out := w.hook.ToOS(b[offset:])
		if out == nil {
			continue
		}
		// A sub-slice (outer header removed) is moved to where the OS write expects it.
		n := copy(b[offset:], out)
		kept = append(kept, b[:offset+n])
	}
	if len(kept) == 0 {
		return len(bufs), nil
	}
	if _, err := w.Device.Write(kept, offset); err != nil {
		return 0, err
	}
	return len(bufs), nil
}
