package discoveryos

import (
	"fmt"
	"strings"
)

// infrastructurePorts are UDP broadcasts a host makes for itself, never for a game: DHCP (67,
// 68) and NetBIOS name/datagram (137, 138, which would also tell the party the host's name).
const infrastructurePorts = "67, 68, 137, 138"

// TableName is the nftables table of one interface's setup (family ip). nftables names allow
// letters, digits, "_" and "."; interface names may also hold "-".
func TableName(iface string) string {
	return "lanrage_disco_" + strings.ReplaceAll(iface, "-", "_")
}

// Ruleset is the nftables script that (re)creates the interface's table: each UDP limited
// broadcast and each packet to a listed group leaving another interface is duplicated into
// ours. "add table" then "delete table" makes the script replace an old table (left by a helper
// that died) in one atomic transaction, and work when there is none.
func Ruleset(c Config) string {
	t := TableName(c.Interface)
	var b strings.Builder
	fmt.Fprintf(&b, "add table ip %s\n", t)
	fmt.Fprintf(&b, "delete table ip %s\n", t)
	fmt.Fprintf(&b, "table ip %s {\n", t)
	b.WriteString("\tchain output {\n")
	b.WriteString("\t\ttype filter hook output priority filter; policy accept;\n")
	fmt.Fprintf(&b, "\t\toifname != %q ip daddr 255.255.255.255 udp dport != { %s } dup to 255.255.255.255 device %q\n",
		c.Interface, infrastructurePorts, c.Interface)
	for _, g := range c.Groups {
		fmt.Fprintf(&b, "\t\toifname != %q ip daddr %v meta l4proto udp dup to %v device %q\n",
			c.Interface, g, g, c.Interface)
	}
	b.WriteString("\t}\n}\n")
	return b.String()
}

// DeleteScript removes the interface's table (an error if there is none, which Close ignores).
func DeleteScript(iface string) string {
	return fmt.Sprintf("delete table ip %s\n", TableName(iface))
}
