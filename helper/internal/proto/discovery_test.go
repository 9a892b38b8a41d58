package proto

import (
	"net/netip"
	"strings"
	"testing"
)

func TestSetDiscoveryIsValidatedLikeEveryOtherOp(t *testing.T) {
	cases := []struct {
		body   string
		errHas string
		want   SetDiscoveryArgs
	}{
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":["224.0.2.60"]}`, "",
			SetDiscoveryArgs{Enabled: true, Groups: []netip.Addr{netip.MustParseAddr("224.0.2.60")}}},
		{`{"id":1,"op":"set-discovery","enabled":false,"multicastGroups":[]}`, "", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true}`, "multicastGroups is missing", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":"yes","multicastGroups":[]}`, "enabled must be a boolean", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":["224.0.0.251"]}`, "home network", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":["239.255.255.250"]}`, "home network", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":["10.66.0.1"]}`, "not an IPv4 multicast", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":[7]}`, "not a string", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":"224.0.2.60"}`, "must be an array", SetDiscoveryArgs{}},
		{`{"id":1,"op":"set-discovery","enabled":true,"multicastGroups":[],"extra":1}`, `unknown field "extra"`, SetDiscoveryArgs{}},
	}
	for _, c := range cases {
		req, err := ParseRequest([]byte(c.body))
		if c.errHas != "" {
			if err == nil || err.Code != CodeBadArgs || !strings.Contains(err.Message, c.errHas) {
				t.Errorf("%s: error %v, want bad-args saying %q", c.body, err, c.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		got := req.Args.(SetDiscoveryArgs)
		if got.Enabled != c.want.Enabled || len(got.Groups) != len(c.want.Groups) ||
			(len(got.Groups) > 0 && got.Groups[0] != c.want.Groups[0]) {
			t.Errorf("%s: got %+v, want %+v", c.body, got, c.want)
		}
	}
}
