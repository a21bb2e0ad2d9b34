package backup

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"bcm/services/lnd/internal/lndrun"
	"github.com/lightningnetwork/lnd/lnrpc"
)

// Service follows lnd's channel backups and keeps each one encrypted.
type Service struct {
	// RPCServer, TLSCert, Macaroon: how to reach lnd (readonly.macaroon suffices:
	// ExportAllChannelBackups and SubscribeChannelBackups need offchain:read, GetInfo
	// info:read). The files are read again at every connection (lnd may renew its cert).
	RPCServer, TLSCert, Macaroon string
	Recipient                    *Recipient
	Store                        *Store
	// Producer is nil without Kafka brokers.
	Producer *Producer
	Log      *log.Logger
	// MaxBackoff bounds the wait between reconnections (it doubles from a second).
	MaxBackoff time.Duration
	// OnSaved, when set, is called after each kept backup (tests and metrics).
	OnSaved func(Entry)

	// unsent is the newest backup Kafka has not taken yet (compaction keeps only the newest
	// per node, so older unsent ones do not matter); retried every RetryKafka.
	mu     sync.Mutex
	unsent *unsent
	// RetryKafka is how often an unsent backup is tried again (default 30 s).
	RetryKafka time.Duration
}

type unsent struct {
	node  string
	entry Entry
	data  []byte
}

// Run keeps following lnd until ctx ends; connection errors (lnd restarting, still locked)
// are logged and retried with backoff.
func (s *Service) Run(ctx context.Context) error {
	if s.Producer != nil {
		go s.retryKafka(ctx)
	}
	backoff := time.Second
	for {
		started := time.Now()
		err := s.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		// A connection that lasted is a fresh start: begin the backoff again.
		if time.Since(started) > time.Minute {
			backoff = time.Second
		}
		s.Log.Printf("lnd: %v; reconnecting in %s", err, backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		if backoff *= 2; backoff > s.MaxBackoff {
			backoff = s.MaxBackoff
		}
	}
}

// follow is one connection: the current backup first (ExportAllChannelBackups), then every
// new one lnd sends.
func (s *Service) follow(ctx context.Context) error {
	conn, err := lndrun.Dial(s.RPCServer, s.TLSCert, s.Macaroon)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := lnrpc.NewLightningClient(conn)
	callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	info, err := client.GetInfo(callCtx, &lnrpc.GetInfoRequest{})
	cancel()
	if err != nil {
		return fmt.Errorf("GetInfo: %w", err)
	}
	node := info.IdentityPubkey

	stream, err := client.SubscribeChannelBackups(ctx, &lnrpc.ChannelBackupSubscription{})
	if err != nil {
		return fmt.Errorf("SubscribeChannelBackups: %w", err)
	}
	// Subscribed first, exported second: a change between the two is not missed.
	callCtx, cancel = context.WithTimeout(ctx, time.Minute)
	snap, err := client.ExportAllChannelBackups(callCtx, &lnrpc.ChanBackupExportRequest{})
	cancel()
	if err != nil {
		return fmt.Errorf("ExportAllChannelBackups: %w", err)
	}
	s.Log.Printf("following lnd %s's channel backups", node)
	if err := s.keep(ctx, node, snap.GetMultiChanBackup()); err != nil {
		return err
	}
	for {
		snap, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("channel backup stream: %w", err)
		}
		if err := s.keep(ctx, node, snap.GetMultiChanBackup()); err != nil {
			return err
		}
	}
}

// keep encrypts one multi-channel backup, saves it and sends it to Kafka.
func (s *Service) keep(ctx context.Context, node string, multi *lnrpc.MultiChanBackup) error {
	if multi == nil || len(multi.MultiChanBackup) == 0 {
		return errors.New("lnd sent a snapshot without a multi-channel backup")
	}
	enc, err := s.Recipient.Encrypt(multi.MultiChanBackup)
	if err != nil {
		return err
	}
	e, err := s.Store.Save(time.Now(), multi.MultiChanBackup, enc, len(multi.ChanPoints), node, s.Recipient.Fingerprints())
	if err != nil {
		return fmt.Errorf("saving the backup in %s: %w", s.Store.Dir, err)
	}
	s.Log.Printf("kept %s (%d channels, sha256 %s)", e.File, e.Channels, shortHex(e.SHA256))
	if s.Producer != nil {
		// Kafka being away does not stop the files: the backup waits as the unsent one.
		s.mu.Lock()
		s.unsent = &unsent{node: node, entry: e, data: enc}
		s.mu.Unlock()
		s.sendUnsent(ctx)
	}
	if s.OnSaved != nil {
		s.OnSaved(e)
	}
	return nil
}

// sendUnsent produces the newest unsent backup; on failure it stays for the next try.
func (s *Service) sendUnsent(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unsent == nil {
		return
	}
	sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.Producer.Send(sendCtx, s.unsent.node, s.unsent.entry, s.unsent.data); err != nil {
		s.Log.Printf("kafka: sending %s: %v (kept as a file; trying again)", s.unsent.entry.File, err)
		return
	}
	s.Log.Printf("sent %s to kafka", s.unsent.entry.File)
	s.unsent = nil
}

func (s *Service) retryKafka(ctx context.Context) {
	every := s.RetryKafka
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sendUnsent(ctx)
		}
	}
}

func shortHex(s string) string {
	if _, err := hex.DecodeString(s); err != nil || len(s) < 16 {
		return s
	}
	return s[:16]
}
