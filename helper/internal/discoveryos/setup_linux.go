package discoveryos

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// nftTimeout bounds one nft run: it is a single netlink transaction, done in milliseconds;
// a hung nft must not hold the helper's request loop.
const nftTimeout = 5 * time.Second

// RunNft runs nft with script on stdin. Tests pass their own.
type RunNft func(ctx context.Context, script string) error

// ExecNft runs the system's nft binary.
func ExecNft(ctx context.Context, script string) error {
	ctx, cancel := context.WithTimeout(ctx, nftTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nft", "-f", "-")
	cmd.Stdin = bytes.NewBufferString(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("nft: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

// Setup is one applied Config; Close undoes it.
type Setup struct {
	cfg  Config
	nft  RunNft
	sock int // the socket holding the group memberships on the interface; -1 without groups
}

// Apply installs the duplication rules and joins the groups on the interface, which must exist
// and be up. On error nothing is left behind.
func Apply(ctx context.Context, cfg Config, nft RunNft) (*Setup, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if nft == nil {
		nft = ExecNft
	}
	ifi, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	s := &Setup{cfg: cfg, nft: nft, sock: -1}
	if len(cfg.Groups) > 0 {
		if s.sock, err = join(ifi.Index, cfg); err != nil {
			return nil, err
		}
	}
	if err := nft(ctx, Ruleset(cfg)); err != nil {
		s.closeSocket()
		return nil, fmt.Errorf("discovery: copying broadcasts into %s: %w", cfg.Interface, err)
	}
	return s, nil
}

// join opens one UDP socket and joins every group on the interface with it.
func join(ifindex int, cfg Config) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("discovery: socket: %w", err)
	}
	for _, g := range cfg.Groups {
		mreq := &syscall.IPMreqn{Multiaddr: g.As4(), Ifindex: int32(ifindex)}
		if err := syscall.SetsockoptIPMreqn(fd, syscall.IPPROTO_IP, syscall.IP_ADD_MEMBERSHIP, mreq); err != nil {
			_ = syscall.Close(fd)
			return -1, fmt.Errorf("discovery: joining %v on %s: %w", g, cfg.Interface, err)
		}
	}
	return fd, nil
}

func (s *Setup) closeSocket() {
	if s.sock >= 0 {
		_ = syscall.Close(s.sock) // the kernel leaves the groups with it
		s.sock = -1
	}
}

// Close removes the rules and leaves the groups. A table already gone (the interface was
// deleted, or someone flushed the ruleset) is not an error.
func (s *Setup) Close(ctx context.Context) error {
	s.closeSocket()
	err := s.nft(ctx, DeleteScript(s.cfg.Interface))
	if err != nil && strings.Contains(err.Error(), "No such file or directory") {
		return nil
	}
	return err
}
