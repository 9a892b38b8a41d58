//go:build netnsbench

package e2e

// The helper's data path against raw wireguard-go, in the same namespaces and the same run:
//
//	helper   lanrage-helper: custom Bind (demux, paths), configured through the protocol
//	raw-new  wireguard-go at the helper's pinned version, standard Bind (UDP GSO/GRO), rawwg/
//	debian   Debian's /usr/bin/wireguard-go (the lab's baseline today), configured with wg
//
// Rounds alternate the modes; each figure is the median over rounds. Run as root, under the lab
// lock: flock /tmp/lanrage-lab.lock go test -tags netnsbench -run Bench -v -count=1 ./e2e/
// (npm run bench -- helper-datapath does this).

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	// benchRounds: three alternating rounds give a median that one noisy round cannot move.
	benchRounds = 3
	// pingCount at pingInterval: 2 s of pings per round, enough samples for a p99 (3 in 500).
	pingCount    = 500
	pingInterval = "0.004"
	// iperfSeconds: long enough for TCP to leave slow start on veth, short on a shared machine.
	iperfSeconds = 4
	listenA      = 51001
	listenB      = 51002
)

type figures struct {
	p50, p99, mbps, cpuMsPer100MB, rssMB float64
	game1kP99, game10kP99                float64
	game1kLost, game10kLost              float64
}

type tunnelPair interface {
	pids() []int
	stop(t *testing.T)
}

func TestBenchHelperDataPathAgainstRawWireGuardGo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (network namespaces, TUN)")
	}
	helperBin := buildHelper(t)
	rawBin := buildGo(t, "rawwg", "./rawwg")
	lab := newLab(t)
	keyA, keyB := newKey(t), newKey(t)
	modes := []struct {
		name  string
		start func() tunnelPair
	}{
		{"helper", func() tunnelPair { return startHelperPair(t, lab, helperBin, keyA, keyB) }},
		{"raw-new", func() tunnelPair { return startRawPair(t, lab, rawBin, keyA, keyB) }},
		{"debian", func() tunnelPair { return startDebianPair(t, lab, keyA, keyB) }},
	}
	results := map[string][]figures{}
	for round := 0; round < benchRounds; round++ {
		for _, m := range modes {
			pair := m.start()
			lab.ping(t, "a", virtualB) // handshake done before measuring
			f := measure(t, lab, pair)
			pair.stop(t)
			results[m.name] = append(results[m.name], f)
			t.Logf("round %d %-8s p50 %.3f ms p99 %.3f ms  udp1k p99 %.3f lost %.0f  udp10k p99 %.3f lost %.0f  %.0f Mbit/s  CPU %.0f ms/100MB  RSS %.1f MB",
				round+1, m.name, f.p50, f.p99, f.game1kP99, f.game1kLost, f.game10kP99, f.game10kLost, f.mbps, f.cpuMsPer100MB, f.rssMB)
		}
	}
	med := map[string]figures{}
	for name, fs := range results {
		med[name] = median(fs)
	}
	h, raw, deb := med["helper"], med["raw-new"], med["debian"]
	fmt.Printf("\n| median of %d rounds | helper | raw wireguard-go (same version) | Debian wireguard-go | helper / raw | helper / Debian |\n", benchRounds)
	fmt.Printf("| --- | --- | --- | --- | --- | --- |\n")
	row := func(name, unit string, a, b, c float64) {
		fmt.Printf("| %s | %.3f %s | %.3f %s | %.3f %s | %.2f | %.2f |\n", name, a, unit, b, unit, c, unit, a/b, a/c)
	}
	row("ICMP RTT p50", "ms", h.p50, raw.p50, deb.p50)
	row("ICMP RTT p99", "ms", h.p99, raw.p99, deb.p99)
	row("UDP 64 B at 1,000/s, RTT p99", "ms", h.game1kP99, raw.game1kP99, deb.game1kP99)
	row("UDP 64 B at 10,000/s, RTT p99", "ms", h.game10kP99, raw.game10kP99, deb.game10kP99)
	fmt.Printf("| UDP lost at 1,000/s / 10,000/s (of 2,000 / 20,000) | %.0f / %.0f | %.0f / %.0f | %.0f / %.0f | | |\n",
		h.game1kLost, h.game10kLost, raw.game1kLost, raw.game10kLost, deb.game1kLost, deb.game10kLost)
	row("TCP throughput (iperf3)", "Mbit/s", h.mbps, raw.mbps, deb.mbps)
	row("CPU of both tunnel processes", "ms/100 MB", h.cpuMsPer100MB, raw.cpuMsPer100MB, deb.cpuMsPer100MB)
	row("RSS of one tunnel process", "MB", h.rssMB, raw.rssMB, deb.rssMB)
}

func median(fs []figures) figures {
	pick := func(get func(figures) float64) float64 {
		v := make([]float64, len(fs))
		for i, f := range fs {
			v[i] = get(f)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return figures{
		p50: pick(func(f figures) float64 { return f.p50 }), p99: pick(func(f figures) float64 { return f.p99 }),
		mbps: pick(func(f figures) float64 { return f.mbps }), cpuMsPer100MB: pick(func(f figures) float64 { return f.cpuMsPer100MB }),
		rssMB:       pick(func(f figures) float64 { return f.rssMB }),
		game1kP99:   pick(func(f figures) float64 { return f.game1kP99 }),
		game10kP99:  pick(func(f figures) float64 { return f.game10kP99 }),
		game1kLost:  pick(func(f figures) float64 { return f.game1kLost }),
		game10kLost: pick(func(f figures) float64 { return f.game10kLost }),
	}
}

func measure(t *testing.T, lab *lab, pair tunnelPair) figures {
	t.Helper()
	var f figures
	out, err := exec.Command("ip", "netns", "exec", lab.ns("a"), "ping", "-c", fmt.Sprint(pingCount), "-i", pingInterval, virtualB).Output()
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	var rtts []float64
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, "time="); i >= 0 {
			v, _ := strconv.ParseFloat(strings.Fields(line[i+5:])[0], 64)
			rtts = append(rtts, v)
		}
	}
	if len(rtts) < pingCount*9/10 {
		t.Fatalf("only %d of %d pings answered", len(rtts), pingCount)
	}
	sort.Float64s(rtts)
	f.p50, f.p99 = rtts[len(rtts)/2], rtts[len(rtts)*99/100]

	g := gameUDP(t, lab, 1_000)
	f.game1kP99, f.game1kLost = g.p99ms, float64(g.lost)
	g = gameUDP(t, lab, 10_000)
	f.game10kP99, f.game10kLost = g.p99ms, float64(g.lost)

	server := exec.Command("ip", "netns", "exec", lab.ns("b"), "iperf3", "-s", "-1", "-B", virtualB)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Wait()
	time.Sleep(300 * time.Millisecond) // iperf3 -s has no readiness signal; it listens within ms
	cpuBefore := cpuTicks(t, pair.pids())
	raw, err := exec.Command("ip", "netns", "exec", lab.ns("a"), "iperf3", "-c", virtualB, "-t", fmt.Sprint(iperfSeconds), "-J").Output()
	if err != nil {
		t.Fatalf("iperf3: %v %s", err, raw)
	}
	cpuAfter := cpuTicks(t, pair.pids())
	var report struct {
		End struct {
			SumReceived struct {
				Bytes         float64 `json:"bytes"`
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum_received"`
		} `json:"end"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		t.Fatal(err)
	}
	f.mbps = report.End.SumReceived.BitsPerSecond / 1e6
	ticksPerSecond := 100.0 // USER_HZ on Linux
	cpuMs := float64(cpuAfter-cpuBefore) / ticksPerSecond * 1000
	f.cpuMsPer100MB = cpuMs / (report.End.SumReceived.Bytes / 100e6)
	f.rssMB = rssMB(t, pair.pids()[0])
	return f
}

func cpuTicks(t *testing.T, pids []int) int64 {
	var total int64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		// Fields after the command name (which may hold spaces): utime is 14th, stime 15th.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		u, _ := strconv.ParseInt(fields[11], 10, 64)
		s, _ := strconv.ParseInt(fields[12], 10, 64)
		total += u + s
	}
	return total
}

func rssMB(t *testing.T, pid int) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

type procPair struct {
	cmds    []*exec.Cmd
	stdins  []io.WriteCloser
	cleanup func()
}

func (p *procPair) pids() []int {
	return []int{p.cmds[0].Process.Pid, p.cmds[1].Process.Pid}
}

func (p *procPair) stop(t *testing.T) {
	for _, in := range p.stdins {
		if in != nil {
			in.Close()
		}
	}
	for _, c := range p.cmds {
		c.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			c.Process.Kill()
			<-done
		}
	}
	if p.cleanup != nil {
		p.cleanup()
	}
}

// helperPair wraps two helperProcs configured through the protocol, on a direct path.
type helperPair struct{ a, b *helperProc }

func (h *helperPair) pids() []int { return []int{h.a.cmd.Process.Pid, h.b.cmd.Process.Pid} }

func (h *helperPair) stop(t *testing.T) {
	h.a.ok(t, "close", "")
	h.b.ok(t, "close", "")
	h.a.wait(t)
	h.b.wait(t)
}

func startHelperPair(t *testing.T, lab *lab, bin string, keyA, keyB keyPair) tunnelPair {
	a := startHelper(t, lab.ns("a"), bin)
	b := startHelper(t, lab.ns("b"), bin)
	a.ok(t, "open", fmt.Sprintf(`"interface":"lrb0","privateKey":%q,"listenPort":%d`, keyA.private, listenA))
	b.ok(t, "open", fmt.Sprintf(`"interface":"lrb0","privateKey":%q,"listenPort":%d`, keyB.private, listenB))
	a.ok(t, "set-address", `"address":"`+virtualA+`","prefixLength":16`)
	b.ok(t, "set-address", `"address":"`+virtualB+`","prefixLength":16`)
	a.ok(t, "set-peer", fmt.Sprintf(`"peer":%q,"allowedIps":["%s/32"],"persistentKeepalive":0`, keyB.public, virtualB))
	b.ok(t, "set-peer", fmt.Sprintf(`"peer":%q,"allowedIps":["%s/32"],"persistentKeepalive":0`, keyA.public, virtualA))
	a.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyB.public, addrB, listenB))
	b.ok(t, "set-path", fmt.Sprintf(`"peer":%q,"path":{"kind":"direct","host":%q,"port":%d}`, keyA.public, addrA, listenA))
	return &helperPair{a, b}
}

func hexKey(b64 string) string {
	b, _ := base64.StdEncoding.DecodeString(b64)
	return hex.EncodeToString(b)
}

func startRawPair(t *testing.T, lab *lab, bin string, keyA, keyB keyPair) tunnelPair {
	p := &procPair{}
	for _, side := range []struct {
		ns, addr, key, peer, endpoint, allowed string
		listen                                 int
	}{
		{lab.ns("a"), virtualA + "/16", keyA.private, keyB.public, fmt.Sprintf("%s:%d", addrB, listenB), virtualB + "/32", listenA},
		{lab.ns("b"), virtualB + "/16", keyB.private, keyA.public, fmt.Sprintf("%s:%d", addrA, listenA), virtualA + "/32", listenB},
	} {
		cmd := exec.Command("ip", "netns", "exec", side.ns, bin, "-iface", "lrb0", "-addr", side.addr,
			"-key", hexKey(side.key), "-peer", hexKey(side.peer), "-endpoint", side.endpoint,
			"-allowed", side.allowed, "-listen", fmt.Sprint(side.listen))
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
			t.Fatalf("rawwg: %q", line)
		}
		p.cmds = append(p.cmds, cmd)
		p.stdins = append(p.stdins, in)
	}
	return p
}

func startDebianPair(t *testing.T, lab *lab, keyA, keyB keyPair) tunnelPair {
	// wireguard-go's UAPI sockets live in /var/run/wireguard, shared by every namespace: each
	// side gets its own interface name.
	p := &procPair{}
	names := []string{lab.prefix + "wa", lab.prefix + "wb"}
	dir := t.TempDir()
	for i, side := range []struct {
		ns, addr, key, peer, endpoint, allowed string
		listen                                 int
	}{
		{lab.ns("a"), virtualA + "/16", keyA.private, keyB.public, fmt.Sprintf("%s:%d", addrB, listenB), virtualB + "/32", listenA},
		{lab.ns("b"), virtualB + "/16", keyB.private, keyA.public, fmt.Sprintf("%s:%d", addrA, listenA), virtualA + "/32", listenB},
	} {
		cmd := exec.Command("ip", "netns", "exec", side.ns, "wireguard-go", "-f", names[i])
		cmd.Env = append(os.Environ(), "WG_PROCESS_FOREGROUND=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.cmds = append(p.cmds, cmd)
		p.stdins = append(p.stdins, nil)
		keyFile := fmt.Sprintf("%s/key%d", dir, i)
		os.WriteFile(keyFile, []byte(side.key+"\n"), 0o600)
		waitFor(t, func() bool { _, err := os.Stat("/var/run/wireguard/" + names[i] + ".sock"); return err == nil })
		for _, args := range [][]string{
			{"wg", "set", names[i], "private-key", keyFile, "listen-port", fmt.Sprint(side.listen),
				"peer", side.peer, "endpoint", side.endpoint, "allowed-ips", side.allowed},
			{"ip", "address", "add", side.addr, "dev", names[i]},
			{"ip", "link", "set", names[i], "up"},
		} {
			if out, err := exec.Command("ip", append([]string{"netns", "exec", side.ns}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("%v: %v %s", args, err, out)
			}
		}
	}
	p.cleanup = func() {
		for i, ns := range []string{lab.ns("a"), lab.ns("b")} {
			_ = exec.Command("ip", "-n", ns, "link", "del", names[i]).Run()
		}
	}
	return p
}
