// Command rawwg is the benchmark baseline: wireguard-go at the helper's own pinned version,
// with its standard Bind (StdNetBind: batched I/O, UDP GSO/GRO) and nothing of LANrage, on a
// TUN it creates. It runs until stdin closes.
//
//	rawwg -iface NAME -addr 10.66.0.1/16 -key HEX -listen PORT -peer HEX -endpoint IP:PORT -allowed CIDR
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun"
)

func main() {
	iface := flag.String("iface", "", "interface name")
	addr := flag.String("addr", "", "interface address with prefix")
	key := flag.String("key", "", "private key, hex")
	listen := flag.Int("listen", 0, "UDP listen port")
	peer := flag.String("peer", "", "peer public key, hex")
	endpoint := flag.String("endpoint", "", "peer endpoint ip:port")
	allowed := flag.String("allowed", "", "peer allowed IP")
	flag.Parse()

	t, err := tun.CreateTUN(*iface, 1420)
	if err != nil {
		log.Fatal(err)
	}
	dev := device.NewDevice(t, conn.NewDefaultBind(), &device.Logger{Verbosef: device.DiscardLogf, Errorf: log.Printf})
	cfg := fmt.Sprintf("private_key=%s\nlisten_port=%d\npublic_key=%s\nendpoint=%s\nallowed_ip=%s\n",
		*key, *listen, *peer, *endpoint, *allowed)
	if err := dev.IpcSet(cfg); err != nil {
		log.Fatal(err)
	}
	if err := dev.Up(); err != nil {
		log.Fatal(err)
	}
	for _, args := range [][]string{{"address", "add", *addr, "dev", *iface}, {"link", "set", *iface, "up"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			log.Fatalf("ip %v: %v %s", args, err, out)
		}
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	dev.Close()
}
