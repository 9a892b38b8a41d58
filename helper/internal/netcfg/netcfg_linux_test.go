package netcfg

import (
	"path/filepath"
	"testing"
)

func TestIPIsTakenFromASystemDirectory(t *testing.T) {
	got := ipCommand()
	if dir := filepath.Dir(got); dir != "/usr/sbin" && dir != "/sbin" && dir != "/usr/bin" && dir != "/bin" {
		t.Fatalf("ip from %q", got)
	}
}
