// Package discovery carries LAN game discovery — UDP broadcast and multicast — across a LANrage
// party, inside the encrypted tunnel.
//
// # The problem
//
// LAN games find each other by UDP broadcast (255.255.255.255 or the subnet's broadcast address)
// or multicast (Minecraft's 224.0.2.60:4445). WireGuard is layer 3 and routes by cryptokey: a
// packet goes to the one peer whose allowed IPs contain its destination. No peer's allowed IPs
// (10.66.x.y/32) contain 255.255.255.255, 10.66.255.255 or 224.0.2.60, so WireGuard drops them.
//
// # The choice: a unicast envelope per peer
//
// The Forwarder sits on the TUN → WireGuard path (package tunhook). For a broadcast or multicast
// UDP packet the OS sends into the interface, it injects one copy per peer, each wrapped in a
// small unicast envelope addressed to that peer's virtual IP on the reserved port EnvelopePort:
//
//	outer IPv4  src = our virtual IP, dst = the peer's virtual IP, proto UDP, DF
//	outer UDP   EnvelopePort → EnvelopePort
//	envelope    "LD" | version 1 | flags 0
//	inner       the original IPv4/UDP packet, unchanged (or with its source set to our virtual IP)
//
// WireGuard routes each envelope like any unicast packet, so the peer is chosen by its allowed
// IPs and the envelope is encrypted for it alone; on the far side WireGuard checks that the
// envelope's source is an allowed IP of the peer that sent it, which authenticates the sender.
// The far Forwarder, on the WireGuard → TUN path, recognises the envelope, checks the inner
// packet (its source must be the envelope's source; its destination broadcast or multicast) and
// writes the inner packet to the OS: a game bound to 0.0.0.0:PORT receives the same broadcast or
// multicast it would on a LAN, from the sender's virtual IP, and answers it by plain unicast
// through the tunnel.
//
// The alternative — sending the original packet with its destination rewritten to each peer's
// virtual IP — loses the original destination (limited vs subnet broadcast, which group), and
// the receiver cannot tell it from ordinary unicast. The envelope costs 32 bytes per copy (20 IP
// + 8 UDP + 4), so an inner packet may be at most MTU − 32 bytes (1,388 at the default 1,420).
//
// # Loops and storms, impossible by construction
//
//   - Only packets from this member are forwarded: the inner source must be our own virtual IP,
//     or an address outside the party subnet (the OS duplicated a home-LAN broadcast into the
//     interface; its source is then set to our virtual IP, checksums recomputed). A packet whose
//     source is another member's virtual IP — a delivered copy — is never forwarded again.
//   - Delivered packets go only to the OS (ToOS returns them); the receive path cannot inject.
//   - Envelopes are unicast, so they are never classified as discovery; an inner packet to
//     EnvelopePort or one that is itself not broadcast/multicast is refused: no nesting.
//   - Each peer has a token bucket on the way out (copies to it) and on the way in (copies from
//     it): a storm from one member costs the party at most Burst + Rate × seconds copies per
//     pair, and a hostile peer that skips its own limit is cut at the receiver.
//   - Inner packets larger than MTU − 32 bytes, fragments, and non-UDP are not forwarded.
//
// Link-local control multicast (224.0.0.0/24: mDNS, LLMNR, IGMP, routing protocols) is host
// infrastructure, not game discovery, and stays on its link.
//
// The OS side — getting the games' broadcasts into the interface without taking them away from
// the user's home network — lives in package discoveryos and docs/game-discovery.md.
package discovery
