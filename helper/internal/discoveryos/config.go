package discoveryos

import (
	"fmt"
	"net/netip"
	"regexp"
)

// MaxGroups bounds the multicast groups one setup handles: each is a rule and a membership, and
// games use a handful (the default is one).
const MaxGroups = 16

// Config says what to bring into the interface.
type Config struct {
	// Interface is the LANrage interface (lanrage0).
	Interface string
	// Groups are the game multicast groups to copy into the interface and join on it.
	Groups []netip.Addr
}

var (
	ifaceName      = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)
	multicast      = netip.MustParsePrefix("224.0.0.0/4")
	localControl   = netip.MustParsePrefix("224.0.0.0/24")
	ssdp           = netip.MustParseAddr("239.255.255.250")
	errNeverCopied = "is the home network's (mDNS, LLMNR, SSDP and routing protocols stay on their own link)"
)

// Check refuses a config that could not be applied or that would take the home network's
// discovery: a group outside 224.0.0.0/4, in 224.0.0.0/24 (mDNS, LLMNR, IGMP), or SSDP's.
func (c Config) Check() error {
	if !ifaceName.MatchString(c.Interface) || c.Interface == "." || c.Interface == ".." {
		return fmt.Errorf("discovery: interface name %q is not 1-15 of A-Za-z0-9_.-", c.Interface)
	}
	return CheckGroups(c.Groups)
}

// CheckGroups refuses a group list that could not be applied or that would take the home
// network's discovery (the helper protocol checks set-discovery with it).
func CheckGroups(groups []netip.Addr) error {
	if len(groups) > MaxGroups {
		return fmt.Errorf("discovery: %d multicast groups, at most %d", len(groups), MaxGroups)
	}
	seen := map[netip.Addr]bool{}
	for _, g := range groups {
		switch {
		case !g.Is4() || !multicast.Contains(g):
			return fmt.Errorf("discovery: %v is not an IPv4 multicast group (224.0.0.0/4)", g)
		case localControl.Contains(g) || g == ssdp:
			return fmt.Errorf("discovery: %v %s", g, errNeverCopied)
		case seen[g]:
			return fmt.Errorf("discovery: multicast group %v is listed twice", g)
		}
		seen[g] = true
	}
	return nil
}
