// Command lanrage-helper is LANrage's only privileged process: the TUN interface, WireGuard
// (wireguard-go, in-process) and the public UDP socket, driven by the core over stdin/stdout
// with the protocol in helper/PROTOCOL.md. Logs go to stderr.
//
//	lanrage-helper [-log-level debug|info|warn|error]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/lanrage/lanrage/helper/internal/server"
	"github.com/lanrage/lanrage/helper/internal/tunnel"
)

func main() {
	level := flag.String("log-level", "info", "debug, info, warn or error")
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println(server.HelperVersion)
		return
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "lanrage-helper: -log-level %q: %v\n", *level, err)
		os.Exit(int(server.ExitFailure))
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))

	// A core that died mid-write must not kill us with SIGPIPE before we remove the interface:
	// the write fails instead, and stdin's EOF ends the helper cleanly.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := server.NewWriter(os.Stdout)
	exit := server.New(os.Stdin, out, log, server.RealOpener, tunnel.Deps{}).Run(ctx)
	out.Close()
	os.Exit(int(exit))
}
