package bind

import (
	"encoding/binary"
	"unsafe"
)

func unsafePointer(b *byte) unsafe.Pointer { return unsafe.Pointer(b) }

// putNativeInt32 writes v in the host's byte order, as the kernel reads control message data.
func putNativeInt32(b []byte, v int32) {
	binary.NativeEndian.PutUint32(b, uint32(v))
}
