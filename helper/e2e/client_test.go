//go:build netns || netnsbench

package e2e

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// requestTimeout: every op answers in milliseconds; open creates a TUN (tens of ms).
const requestTimeout = 10 * time.Second

// helperProc drives one lanrage-helper through its stdin/stdout, as the core does.
type helperProc struct {
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	responses chan json.RawMessage
	datagrams chan []byte
	exited    chan int
	nextID    int
}

func startHelper(t *testing.T, ns, bin string) *helperProc {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, bin, "-log-level", "debug")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	log, err := os.Create(t.TempDir() + "/helper.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helperProc{cmd: cmd, stdin: stdin, responses: make(chan json.RawMessage, 16),
		datagrams: make(chan []byte, 64), exited: make(chan int, 1)}
	go h.readLoop(bufio.NewReader(stdout))
	go func() {
		_ = cmd.Wait()
		h.exited <- cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("helper in %s logged:\n%s", ns, out)
		}
	})
	h.ok(t, "hello", `"version":2`)
	return h
}

func (h *helperProc) readLoop(r io.Reader) {
	fr := proto.NewReader(r)
	for {
		typ, body, err := fr.Next()
		if err != nil {
			return
		}
		switch typ {
		case proto.FrameResponse:
			h.responses <- append(json.RawMessage(nil), body...)
		case proto.FrameDatagram:
			h.datagrams <- append([]byte(nil), body...)
		}
	}
}

type response struct {
	ID     int             `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *proto.Error    `json:"error"`
}

// ok sends {"id", "op", fields…} and fails the test unless the answer is ok.
func (h *helperProc) ok(t *testing.T, op, fields string) json.RawMessage {
	t.Helper()
	h.nextID++
	body := fmt.Sprintf(`{"id":%d,"op":%q`, h.nextID, op)
	if fields != "" {
		body += "," + fields
	}
	body += "}"
	if _, err := h.stdin.Write(proto.AppendFrame(nil, proto.FrameRequest, []byte(body))); err != nil {
		t.Fatal(err)
	}
	select {
	case raw := <-h.responses:
		var r response
		if err := json.Unmarshal(raw, &r); err != nil || r.ID != h.nextID || !r.OK {
			t.Fatalf("%s: %s", op, raw)
		}
		return r.Result
	case <-time.After(requestTimeout):
		t.Fatalf("%s: no answer", op)
	}
	return nil
}

func (h *helperProc) open(t *testing.T, name, privateKey string) proto.OpenResult {
	var r proto.OpenResult
	raw := h.ok(t, "open", fmt.Sprintf(`"interface":%q,"privateKey":%q,"listenPort":0`, name, privateKey))
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (h *helperProc) stats(t *testing.T) proto.StatsResult {
	var r proto.StatsResult
	if err := json.Unmarshal(h.ok(t, "stats", ""), &r); err != nil || len(r.Peers) != 1 {
		t.Fatalf("stats %+v %v", r, err)
	}
	return r
}

func (h *helperProc) send(t *testing.T, to netip.AddrPort, ttl uint8, payload []byte) {
	if _, err := h.stdin.Write(proto.AppendSend(nil, to, ttl, payload)); err != nil {
		t.Fatal(err)
	}
}

func (h *helperProc) nextDatagram(t *testing.T) (netip.AddrPort, []byte) {
	t.Helper()
	select {
	case body := <-h.datagrams:
		ip := netip.AddrFrom4([4]byte(body[3:7]))
		return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(body[1:3])), body[proto.AddressLength:]
	case <-time.After(requestTimeout):
		t.Fatal("no datagram came up")
	}
	return netip.AddrPort{}, nil
}

func (h *helperProc) closeStdin() { h.stdin.Close() }

func (h *helperProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-h.exited:
		return code
	case <-time.After(requestTimeout):
		t.Fatal("helper did not exit")
	}
	return -1
}
