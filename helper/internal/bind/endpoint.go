package bind

import (
	"encoding/hex"
	"errors"
	"net/netip"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// Endpoint is a peer as the device sees it: one per peer, whatever path it takes. Its address
// methods describe the current path (for logs and cookie MACs only).
type Endpoint struct{ peer *Peer }

func (e *Endpoint) ClearSrc()           {}
func (e *Endpoint) SrcToString() string { return "" }
func (e *Endpoint) SrcIP() netip.Addr   { return netip.Addr{} }

func (e *Endpoint) DstToString() string {
	return e.peer.path.Load().to.String()
}

// DstToBytes feeds WireGuard's cookie MAC (mac2) under load: the peer's key identifies the
// sender as well as an address would, and stays stable when the path changes.
func (e *Endpoint) DstToBytes() []byte { return e.peer.key[:] }

func (e *Endpoint) DstIP() netip.Addr { return e.peer.path.Load().to.Addr() }

// EndpointString is what the tunnel writes as the device's endpoint for a peer.
func EndpointString(k proto.Key) string { return hex.EncodeToString(k[:]) }

func keyFromHex(s string) (proto.Key, error) {
	var k proto.Key
	if len(s) != 2*len(k) {
		return k, errors.New("endpoint is not a 64-digit hex key")
	}
	_, err := hex.Decode(k[:], []byte(s))
	return k, err
}
