// Package chanbackupcmd is bcm-chanbackup: it keeps lnd's static channel backups encrypted to the controller's
// OpenPGP key: in a directory (the last N) and optionally on a compacted Kafka topic.
// See services/lnd/README.md.
package chanbackupcmd

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"bcm/services/lnd/internal/backup"
	"bcm/services/lnd/internal/cli"
)

const name = "bcm-chanbackup"

const usage = `Usage: bcm-chanbackup --rpcserver HOST:PORT --tlscert FILE --macaroon FILE --recipient-key FILE --dir DIR [flags]

Follows lnd's static channel backups (SubscribeChannelBackups; the current one at start from
ExportAllChannelBackups). Each multi-channel backup is encrypted to the armored OpenPGP
public key in --recipient-key and written atomically to DIR as
channel-backup-<UTC time>-<sha256 of the backup, 16 hex>.pgp, with DIR/index.json listing
the newest --keep (older files are removed). With --kafka-brokers each encrypted backup is
also produced to the compacted topic (key: the node's identity pubkey), created when absent.
lnd's readonly.macaroon suffices. Reconnects with backoff when lnd restarts.
`

// Main runs the command with its arguments (os.Args[1:]).
func Main(args []string) {
	fs := cli.NewFlagSet(name, usage)
	rpc := fs.String("rpcserver", "127.0.0.1:10009", "lnd's gRPC address")
	cert := fs.String("tlscert", "/var/lib/lnd/tls.cert", "lnd's TLS certificate")
	mac := fs.String("macaroon", "", "the macaroon file (readonly.macaroon of the chain)")
	key := fs.String("recipient-key", "", "the controller's armored OpenPGP public key")
	dir := fs.String("dir", "", "the directory the encrypted backups are kept in")
	keep := fs.Int("keep", 20, "how many backups to keep")
	brokers := fs.String("kafka-brokers", "", "comma-separated Kafka bootstrap brokers (HOST:PORT); none: no Kafka")
	topic := fs.String("kafka-topic", backup.DefaultTopic, "the compacted topic")
	maxBackoff := fs.Duration("max-backoff", time.Minute, "the longest wait between reconnections to lnd")
	fs.Parse(args)

	if err := check(*mac, *key, *dir, *keep); err != nil {
		cli.Fatal(name, err)
	}
	logger := log.New(os.Stderr, "["+name+"] ", log.LstdFlags|log.LUTC)
	recipient, err := backup.LoadRecipient(*key)
	if err != nil {
		cli.Fatal(name, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	svc := &backup.Service{
		RPCServer: *rpc, TLSCert: *cert, Macaroon: *mac,
		Recipient: recipient, Store: &backup.Store{Dir: *dir, Keep: *keep},
		Log: logger, MaxBackoff: *maxBackoff,
	}
	if *brokers != "" {
		list := strings.Split(*brokers, ",")
		p, err := connectKafka(ctx, list, *topic, logger)
		if err != nil {
			cli.Fatal(name, err)
		}
		defer p.Close()
		svc.Producer = p
	}
	logger.Printf("encrypting to %s, keeping %d in %s", recipient.Fingerprints(), *keep, *dir)
	if err := svc.Run(ctx); err != nil {
		cli.Fatal(name, err)
	}
}

// connectKafka retries until the brokers answer (they may start after us).
func connectKafka(ctx context.Context, brokers []string, topic string, logger *log.Logger) (*backup.Producer, error) {
	for wait := time.Second; ; wait = min(2*wait, time.Minute) {
		callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		p, err := backup.NewProducer(callCtx, brokers, topic)
		cancel()
		if err == nil {
			logger.Printf("producing to kafka topic %s on %s", topic, strings.Join(brokers, ","))
			return p, nil
		}
		if strings.Contains(err.Error(), "fix:") {
			return nil, err
		}
		logger.Printf("kafka: %v; retrying in %s", err, wait)
		select {
		case <-ctx.Done():
			return nil, errors.New("stopped while waiting for kafka")
		case <-time.After(wait):
		}
	}
}

func check(mac, key, dir string, keep int) error {
	switch {
	case mac == "":
		return errors.New("--macaroon is required: lnd's readonly.macaroon (data/chain/bitcoin/CHAIN/readonly.macaroon)")
	case key == "":
		return errors.New("--recipient-key is required: the controller's armored OpenPGP public key file")
	case dir == "":
		return errors.New("--dir is required: where the encrypted backups are kept (on the chain volume)")
	case keep < 1:
		return fmt.Errorf("--keep must be at least 1, not %d", keep)
	}
	return nil
}
