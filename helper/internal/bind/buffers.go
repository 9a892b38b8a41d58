package bind

import "net"

// SocketBufferBytes is what the public socket asks for each way: the size wireguard-go's own
// StdNetBind asks for (conn.socketBufferSize). At Linux's default 208 KiB, a stream of small
// game packets at 10,000/s fills the receive queue after about 30 ms without a read (each
// 64-byte datagram is charged some 700 bytes of kernel buffer), and a helper sharing a busy
// machine is sometimes not scheduled for longer: those packets were lost (issue #7). 7 MiB holds
// most of a second of that stream; the memory is only used while packets wait.
const SocketBufferBytes = 7 << 20

// sizeBuffers grows c's kernel buffers to SocketBufferBytes: past the system maximum where the OS
// lets a privileged process (sizeBuffersForced), else as far as the maximum allows.
func sizeBuffers(c *net.UDPConn) {
	if sizeBuffersForced(c) {
		return
	}
	// Capped at net.core.rmem_max / wmem_max; a smaller buffer is no error.
	_ = c.SetReadBuffer(SocketBufferBytes)
	_ = c.SetWriteBuffer(SocketBufferBytes)
}
