package netcfg

import (
	"bytes"
	"testing"
)

func TestNetmaskOfEachPrefixLengthLANrageAccepts(t *testing.T) {
	for _, c := range []struct {
		bits int
		want []byte
	}{
		{8, []byte{255, 0, 0, 0}},
		{16, []byte{255, 255, 0, 0}},
		{23, []byte{255, 255, 254, 0}},
		{31, []byte{255, 255, 255, 254}},
		{32, []byte{255, 255, 255, 255}},
	} {
		if got := netmask(c.bits); !bytes.Equal(got, c.want) {
			t.Errorf("netmask(%d) = %v, want %v", c.bits, got, c.want)
		}
	}
}
