//go:build netns

package e2e

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lanrage/lanrage/helper/internal/discoveryos"
)

// nft's own parser and the kernel's checks accept game discovery's ruleset (check mode: nothing
// changes). "lo" stands in for the LANrage interface: "dup … device" must name one that exists.
// The full behaviour — copies reaching the party — is e2e/lab/discovery.lab.test.ts.
func TestRealNftAcceptsTheDiscoveryRuleset(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (nft talks to the kernel even in check mode)")
	}
	script := discoveryos.Ruleset(discoveryos.Config{
		Interface: "lo",
		Groups:    []netip.Addr{netip.MustParseAddr("224.0.2.60")},
	})
	// Check mode cannot delete a table that does not exist yet: check the table itself.
	script = script[strings.Index(script, "table ip"):]
	cmd := exec.CommandContext(context.Background(), "nft", "-c", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft -c refused the ruleset: %v\n%s\n%s", err, out, script)
	}
}
