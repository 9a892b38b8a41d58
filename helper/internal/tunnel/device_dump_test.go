package tunnel

import "testing"

func TestDeviceDumpGivesEachPeersHandshakeAndTransfer(t *testing.T) {
	dump := "private_key=aa\nlisten_port=0\n" +
		"public_key=0101\nendpoint=0101\nlast_handshake_time_sec=1764553200\nlast_handshake_time_nsec=123456789\nrx_bytes=2048\ntx_bytes=4096\n" +
		"public_key=0202\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\nrx_bytes=x\ntx_bytes=7\nerrno=0\n"
	got := parseDeviceDump(dump)
	want := map[string]peerFigures{
		"0101": {lastHandshakeMs: 1764553200123, rx: 2048, tx: 4096},
		"0202": {lastHandshakeMs: 0, rx: 0, tx: 7},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Fatalf("%s: %+v, want %+v", k, got[k], w)
		}
	}
}

func FuzzParseDeviceDump(f *testing.F) {
	f.Add("public_key=0101\nlast_handshake_time_sec=5\nlast_handshake_time_nsec=7\nrx_bytes=1\ntx_bytes=2\n")
	f.Add("rx_bytes=1\npublic_key=\n=\n")
	f.Add("public_key=01\nlast_handshake_time_sec=9223372036854775\n")
	f.Fuzz(func(t *testing.T, text string) {
		for key, fig := range parseDeviceDump(text) {
			if fig.lastHandshakeMs < 0 && key != "" {
				// Negative seconds in the text read as "never", not as a time before 1970.
				t.Fatalf("negative handshake time for %q", key)
			}
		}
	})
}
