// Package test runs the kafka tier's services against a real Kafka (one KRaft node from the
// kafka image's jars, on loopback): the schema registry, the REST proxy and the chain bridge.
package test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"bcm/services/streams/internal/kafkatest"
	"bcm/services/streams/internal/registry"
	"bcm/services/streams/internal/restproxy"
)

// brokers is the Kafka every test shares (started once by the first test that needs it).
var brokers string

func kafka(t *testing.T) string {
	t.Helper()
	if brokers == "" {
		brokers = kafkaMain.start(t)
	}
	return brokers
}

// kafkaMain keeps the shared broker alive for the whole run (a test's Cleanup would stop it).
var kafkaMain = &shared{}

type shared struct {
	tb      *sharedTB
	address string
}

func (s *shared) start(t *testing.T) string {
	if s.address != "" {
		return s.address
	}
	s.tb = &sharedTB{T: t}
	s.address = kafkatest.Start(s.tb)
	return s.address
}

// sharedTB defers cleanups to the end of TestMain.
type sharedTB struct {
	*testing.T
	cleanups []func()
}

func (s *sharedTB) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }
func (s *sharedTB) TempDir() string {
	d, err := os.MkdirTemp("", "bcm-streams-kafka-")
	if err != nil {
		panic(err)
	}
	s.cleanups = append(s.cleanups, func() { os.RemoveAll(d) })
	return d
}

func TestMain(m *testing.M) {
	if os.Getenv("BCM_BRIDGE_HELPER") == "1" {
		bridgeHelper()
		return
	}
	code := m.Run()
	if kafkaMain.tb != nil {
		for i := len(kafkaMain.tb.cleanups) - 1; i >= 0; i-- {
			kafkaMain.tb.cleanups[i]()
		}
	}
	os.Exit(code)
}

// registryInstance runs one schema registry on the shared Kafka, stopped when the test ends.
func registryInstance(t *testing.T, topic string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	state := registry.NewState()
	l, err := registry.OpenLog(ctx, registry.LogConfig{Brokers: []string{kafka(t)}, Topic: topic}, state)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&registry.Server{State: state, Log: l}).Handler())
	t.Cleanup(func() { srv.Close(); l.Close() })
	return srv.URL
}

// restInstance runs one REST proxy on the shared Kafka.
func restInstance(t *testing.T, registryURL string) string {
	t.Helper()
	s, err := restproxy.New(restproxy.Config{Brokers: []string{kafka(t)}, RegistryURL: registryURL})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { srv.Close(); s.Close() })
	return srv.URL
}
