package server

import (
	"bufio"
	"io"
	"net/netip"
	"sync"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// DatagramQueue bounds the datagrams waiting for the core (PROTOCOL.md limits): ~1 s of STUN
// and probe traffic for a full party. Beyond it the newest are dropped: the socket's receive
// loop, which also carries WireGuard, never waits for the core.
const DatagramQueue = 1024

// controlQueue: responses and events are few (one per request); their writers may wait.
const controlQueue = 64

// Writer is the only writer of the helper's stdout. Responses and events are never dropped;
// datagrams are, when the core reads too slowly.
type Writer struct {
	control   chan []byte
	datagrams chan []byte
	done      chan struct{}
	closeOnce sync.Once
	stop      chan struct{}
}

// NewWriter starts writing frames to w until Close.
func NewWriter(w io.Writer) *Writer {
	wr := &Writer{
		control:   make(chan []byte, controlQueue),
		datagrams: make(chan []byte, DatagramQueue),
		done:      make(chan struct{}),
		stop:      make(chan struct{}),
	}
	go wr.loop(bufio.NewWriterSize(w, 64*1024))
	return wr
}

func (wr *Writer) loop(out *bufio.Writer) {
	defer close(wr.done)
	write := func(frame []byte) bool {
		_, err := out.Write(frame)
		return err == nil
	}
	for {
		var frame []byte
		select {
		case frame = <-wr.control:
		case frame = <-wr.datagrams:
		case <-wr.stop:
			// Everything queued before Close still goes out (the close op's response).
			for {
				select {
				case frame = <-wr.control:
					write(frame)
				default:
					out.Flush()
					return
				}
			}
		}
		if !write(frame) {
			return // the core is gone; the reader sees EOF and shuts down
		}
		// Flush when nothing else is waiting: batches under load, no delay when idle.
		if len(wr.control) == 0 && len(wr.datagrams) == 0 && out.Flush() != nil {
			return
		}
	}
}

// Control queues a response or event frame.
func (wr *Writer) Control(frame []byte) {
	select {
	case wr.control <- frame:
	case <-wr.done:
	}
}

// Deliver implements bind.Upstream: a datagram frame for the core, or false when the queue is
// full.
func (wr *Writer) Deliver(from netip.AddrPort, datagram []byte) bool {
	frame := proto.AppendDatagram(make([]byte, 0, 4+1+proto.AddressLength+len(datagram)), from, datagram)
	select {
	case wr.datagrams <- frame:
		return true
	default:
		return false
	}
}

// DeliverProbe implements bind.ProbeUpstream: a probe-datagram frame for the core (it shares the
// datagram queue and its drop rule), or false when the queue is full.
func (wr *Writer) DeliverProbe(socket uint16, from netip.AddrPort, datagram []byte) bool {
	frame := proto.AppendProbeDatagram(make([]byte, 0, 4+1+2+proto.AddressLength+len(datagram)), socket, from, datagram)
	select {
	case wr.datagrams <- frame:
		return true
	default:
		return false
	}
}

// Close writes what is queued for control and stops.
func (wr *Writer) Close() {
	wr.closeOnce.Do(func() { close(wr.stop) })
	<-wr.done
}
