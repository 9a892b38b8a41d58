// Package discoveryos makes the OS put games' broadcasts and multicasts into the LANrage
// interface — and take the party's in — without taking anything away from the user's other
// networks. Package discovery then carries them (see docs/game-discovery.md for every OS).
//
// Linux (done):
//
//   - Limited broadcast (255.255.255.255) is routed by the kernel to one interface only: the one
//     the default route uses. A route "255.255.255.255/32 dev lanrage0" would move every such
//     broadcast into the party — the home network would lose Wake-on-LAN, Steam Remote Play
//     discovery and its own LAN games while the user is in a party. Instead an nftables table
//     of ours *duplicates* each UDP limited broadcast leaving another interface into the LANrage
//     interface ("dup to … device"), so both the home network and the party get it. The copy
//     still carries the home address as its source; package discovery sets it to our virtual
//     IP (checksums recomputed) so peers answer through the tunnel. DHCP (67, 68) and NetBIOS
//     (137, 138) are host infrastructure and are never copied.
//   - The party subnet's broadcast (10.66.255.255) is the interface's own: the kernel sends it
//     there already.
//   - Multicast groups games use (224.0.2.60, Minecraft's LAN announcements, by default) are
//     duplicated the same way, leaving the home network's copy where it was. mDNS (224.0.0.251)
//     and SSDP (239.255.255.250) are never touched: the config refuses them.
//   - To receive, the kernel accepts a multicast datagram on an interface only if something
//     joined the group there: the helper joins each game group on the LANrage interface. A
//     game's socket bound to 0.0.0.0:PORT then gets the party's announcements even though the
//     game joined the group on its default interface (IP_MULTICAST_ALL, on by default).
//     Broadcasts need nothing: Linux delivers them on any interface.
//
// Close undoes everything (the helper calls it on close, EOF and signals). If the helper is
// killed outright, the kernel drops the group memberships with its socket; the nftables table
// stays, but its rules copy nothing once the interface is gone, and the next start replaces it
// (the table is named after the interface).
package discoveryos
