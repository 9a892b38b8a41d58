package proto

import (
	"encoding/json"
	"net/netip"

	"github.com/lanrage/lanrage/helper/internal/discovery"
	"github.com/lanrage/lanrage/helper/internal/discoveryos"
)

// Game discovery (PROTOCOL.md, "Game discovery"): the set-discovery op and stats.discovery.

// SetDiscoveryArgs turns discovery on or off and names the game multicast groups.
type SetDiscoveryArgs struct {
	Enabled bool
	Groups  []netip.Addr
}

// SetDiscoveryResult says whether the OS copies home broadcasts into the interface.
type SetDiscoveryResult struct {
	HomeCopies bool   `json:"homeCopies"`
	Reason     string `json:"reason"`
}

// DiscoveryStats is stats.discovery.
type DiscoveryStats = discovery.Stats

var setDiscoveryFields = fields{required: []string{"enabled", "multicastGroups"}}

func parseSetDiscovery(obj map[string]json.RawMessage) (any, *Error) {
	var a SetDiscoveryArgs
	if json.Unmarshal(obj["enabled"], &a.Enabled) != nil {
		return nil, Errorf(CodeBadArgs, "enabled must be a boolean")
	}
	var groups []json.RawMessage
	if json.Unmarshal(obj["multicastGroups"], &groups) != nil || groups == nil {
		return nil, Errorf(CodeBadArgs, "multicastGroups must be an array of IPv4 multicast groups")
	}
	if len(groups) > discoveryos.MaxGroups {
		return nil, Errorf(CodeBadArgs, "multicastGroups has %d entries; at most %d", len(groups), discoveryos.MaxGroups)
	}
	for i, raw := range groups {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, Errorf(CodeBadArgs, "multicastGroups[%d] is not a string", i)
		}
		g, err := netip.ParseAddr(s)
		if err != nil || !g.Is4() {
			return nil, Errorf(CodeBadArgs, "multicastGroups[%d] %q is not an IPv4 address", i, truncate(s))
		}
		a.Groups = append(a.Groups, g)
	}
	if err := discoveryos.CheckGroups(a.Groups); err != nil {
		return nil, Errorf(CodeBadArgs, "multicastGroups: %s", err.Error())
	}
	return a, nil
}
