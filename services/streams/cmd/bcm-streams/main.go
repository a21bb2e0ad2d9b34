// bcm-streams: the kafka tier's own services in one binary (services/streams/README.md).
//
//	bcm-streams schema-registry --brokers=… [--listen=:8081] [--replication-factor=N]
//	bcm-streams rest-proxy --brokers=… [--listen=:8082] [--registry=URL] [--base-url=URL]
//	bcm-streams chain-bridge --chain=… --rpc-addr=… --rpc-user=… --rpc-pass-file=… --rpc-cert=… --brokers=… --registry=URL
//	bcm-streams probe URL        exit 0 when URL answers 200 (a health check)
//	bcm-streams --version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"bcm/services/streams/internal/bridge"
	"bcm/services/streams/internal/registry"
	"bcm/services/streams/internal/restproxy"
)

const version = "0.1.0"

func usage() {
	fmt.Fprint(os.Stderr, `usage: bcm-streams COMMAND [FLAGS]
  schema-registry   Confluent-compatible schema registry, stored in the Kafka topic _schemas
  rest-proxy        Confluent-compatible REST proxy (API v2 and v3)
  chain-bridge      btcd's blocks and transactions into bitcoin.<chain>.blocks and .transactions
  probe URL         exit 0 when URL answers 200 OK (health checks)
  --version         print the version
Each command takes --help.
`)
}

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	log.SetPrefix("bcm-streams " + cmd + ": ")
	var err error
	switch cmd {
	case "schema-registry":
		err = runRegistry(args)
	case "rest-proxy":
		err = runRestProxy(args)
	case "chain-bridge":
		err = runBridge(args)
	case "probe":
		err = probe(args)
	case "--version", "version":
		fmt.Println("bcm-streams", version)
	case "-h", "--help", "help":
		usage()
	default:
		usage()
		fmt.Fprintf(os.Stderr, "bcm-streams: unknown command %q\n", cmd)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bcm-streams %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func brokers(s string) ([]string, error) {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(b); err != nil {
			return nil, fmt.Errorf("--brokers: %q is not HOST:PORT", b)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, errors.New("--brokers: name at least one broker, e.g. --brokers=kafka-1:9092")
	}
	return out, nil
}

// serve runs handler on listen until SIGTERM or SIGINT, then drains for up to 5 s.
func serve(listen string, handler http.Handler) error {
	srv := &http.Server{Addr: listen, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("listening on %s", listen)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

func runRegistry(args []string) error {
	fs := flag.NewFlagSet("schema-registry", flag.ExitOnError)
	listen := fs.String("listen", ":8081", "address to serve the API on")
	brokerList := fs.String("brokers", "", "Kafka brokers, HOST:PORT,… (required)")
	topic := fs.String("topic", "_schemas", "the topic that stores the schemas (compacted, one partition)")
	rf := fs.Int("replication-factor", 1, "replicas of the topic when this instance creates it")
	_ = fs.Parse(args)
	list, err := brokers(*brokerList)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	state := registry.NewState()
	l, err := registry.OpenLog(ctx, registry.LogConfig{Brokers: list, Topic: *topic, ReplicationFactor: int16(*rf)}, state)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := l.Sync(ctx); err != nil {
		return fmt.Errorf("reading %s: %w", *topic, err)
	}
	log.Printf("%s read: %d subjects", *topic, len(state.Subjects(false)))
	return serve(*listen, (&registry.Server{State: state, Log: l}).Handler())
}

func runRestProxy(args []string) error {
	fs := flag.NewFlagSet("rest-proxy", flag.ExitOnError)
	listen := fs.String("listen", ":8082", "address to serve the API on")
	brokerList := fs.String("brokers", "", "Kafka brokers, HOST:PORT,… (required)")
	reg := fs.String("registry", "", "schema registry URL, for avro (e.g. http://schema-registry-1:8081)")
	base := fs.String("base-url", "", "how clients reach this instance, for consumer instances' base_uri (e.g. http://kafka-rest-1:8082)")
	_ = fs.Parse(args)
	list, err := brokers(*brokerList)
	if err != nil {
		return err
	}
	s, err := restproxy.New(restproxy.Config{Brokers: list, RegistryURL: *reg, BaseURL: *base})
	if err != nil {
		return err
	}
	defer s.Close()
	return serve(*listen, s.Handler())
}

func runBridge(args []string) error {
	fs := flag.NewFlagSet("chain-bridge", flag.ExitOnError)
	chain := fs.String("chain", "", "the chain: mainnet, testnet3, testnet4, signet, regtest (names the topics)")
	addr := fs.String("rpc-addr", "", "btcd's RPC, HOST:PORT (TLS)")
	user := fs.String("rpc-user", "", "RPC user")
	passFile := fs.String("rpc-pass-file", "", "file holding the RPC password")
	cert := fs.String("rpc-cert", "", "btcd's rpc.cert")
	brokerList := fs.String("brokers", "", "Kafka brokers, HOST:PORT,… (required)")
	reg := fs.String("registry", "", "schema registry URL (required)")
	rf := fs.Int("replication-factor", 0, "replicas of the topics when the bridge creates them (0: the cluster's default)")
	start := fs.Int64("start-height", 0, "the first block written to empty topics")
	batch := fs.Int("batch-blocks", 20, "blocks per Kafka transaction while catching up")
	_ = fs.Parse(args)
	list, err := brokers(*brokerList)
	if err != nil {
		return err
	}
	for name, v := range map[string]string{"--chain": *chain, "--rpc-addr": *addr, "--rpc-user": *user, "--rpc-pass-file": *passFile, "--rpc-cert": *cert, "--registry": *reg} {
		if v == "" {
			return fmt.Errorf("%s is required (bcm-streams chain-bridge --help)", name)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	notify := make(chan struct{}, 1)
	node, err := bridge.DialNode(bridge.NodeConfig{Addr: *addr, User: *user, PassFile: *passFile, CertFile: *cert}, notify)
	if err != nil {
		return err
	}
	b, err := bridge.New(ctx, bridge.Config{Chain: *chain, Brokers: list, RegistryURL: *reg, ReplicationFactor: int16(*rf), StartHeight: *start, BatchBlocks: *batch}, node)
	if err != nil {
		return err
	}
	defer b.Close()
	go func() {
		for range notify {
			select {
			case b.Notified <- struct{}{}:
			default:
			}
		}
	}()
	return b.Run(ctx)
}

func probe(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: bcm-streams probe URL")
	}
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(args[0])
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", args[0], resp.Status)
	}
	return nil
}
