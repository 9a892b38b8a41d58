package discoveryos

import (
	"net/netip"
	"strings"
	"testing"
)

func groups(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, g := range s {
		out[i] = netip.MustParseAddr(g)
	}
	return out
}

func TestCheckRefusesGroupsThatBelongToTheHomeNetwork(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		errHas string
	}{
		{"Minecraft", Config{Interface: "lanrage0", Groups: groups("224.0.2.60")}, ""},
		{"none", Config{Interface: "lanrage0"}, ""},
		{"mDNS", Config{Interface: "lanrage0", Groups: groups("224.0.0.251")}, "home network"},
		{"LLMNR", Config{Interface: "lanrage0", Groups: groups("224.0.0.252")}, "home network"},
		{"SSDP", Config{Interface: "lanrage0", Groups: groups("239.255.255.250")}, "home network"},
		{"unicast", Config{Interface: "lanrage0", Groups: groups("10.66.0.1")}, "not an IPv4 multicast"},
		{"IPv6", Config{Interface: "lanrage0", Groups: groups("ff02::fb")}, "not an IPv4 multicast"},
		{"twice", Config{Interface: "lanrage0", Groups: groups("224.0.2.60", "224.0.2.60")}, "twice"},
		{"bad interface", Config{Interface: "lan rage"}, "interface name"},
		{"too many", Config{Interface: "lanrage0", Groups: groups("239.1.1.1", "239.1.1.2", "239.1.1.3",
			"239.1.1.4", "239.1.1.5", "239.1.1.6", "239.1.1.7", "239.1.1.8", "239.1.1.9", "239.1.1.10",
			"239.1.1.11", "239.1.1.12", "239.1.1.13", "239.1.1.14", "239.1.1.15", "239.1.1.16", "239.1.1.17")},
			"at most 16"},
	}
	for _, c := range cases {
		err := c.cfg.Check()
		if c.errHas == "" && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas)) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.errHas)
		}
	}
}

func TestRulesetCopiesLimitedBroadcastsAndGameGroupsIntoTheInterface(t *testing.T) {
	got := Ruleset(Config{Interface: "lr-ab0", Groups: groups("224.0.2.60", "239.1.2.3")})
	want := `add table ip lanrage_disco_lr_ab0
delete table ip lanrage_disco_lr_ab0
table ip lanrage_disco_lr_ab0 {
	chain output {
		type filter hook output priority filter; policy accept;
		oifname != "lr-ab0" ip daddr 255.255.255.255 udp dport != { 67, 68, 137, 138 } dup to 255.255.255.255 device "lr-ab0"
		oifname != "lr-ab0" ip daddr 224.0.2.60 meta l4proto udp dup to 224.0.2.60 device "lr-ab0"
		oifname != "lr-ab0" ip daddr 239.1.2.3 meta l4proto udp dup to 239.1.2.3 device "lr-ab0"
	}
}
`
	if got != want {
		t.Fatalf("ruleset\n%s\nwant\n%s", got, want)
	}
}
