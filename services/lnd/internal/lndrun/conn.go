// Package lndrun talks to lnd over gRPC (its TLS certificate and a macaroon from files) and
// runs lnd as a child process for bcm-lnd-start's one-shot steps.
package lndrun

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// macaroonCred sends the macaroon in the "macaroon" metadata, as lncli does.
type macaroonCred string

func (m macaroonCred) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"macaroon": string(m)}, nil
}

func (macaroonCred) RequireTransportSecurity() bool { return true }

// Dial connects to lnd's gRPC at addr, trusting only the certificate in certFile (lnd's
// self-signed tls.cert), with the macaroon in macaroonFile when it is not empty. The
// connection is lazy: a refused connection shows in the first call, which callers retry.
func Dial(addr, certFile, macaroonFile string) (*grpc.ClientConn, error) {
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("lnd's TLS certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("lnd's TLS certificate %s holds no PEM certificate", certFile)
	}
	// lnd's certificate names localhost, 127.0.0.1, its hostname and IPs and any
	// tlsextradomain: verifying the name against the address we dial is what lncli does.
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		// SCB multi-backups grow with the channels; lnd's own clients allow 200 MB.
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(200 << 20)),
	}
	if macaroonFile != "" {
		mac, err := os.ReadFile(macaroonFile)
		if err != nil {
			return nil, fmt.Errorf("lnd's macaroon: %w", err)
		}
		if len(mac) == 0 {
			return nil, errors.New("lnd's macaroon file " + macaroonFile + " is empty")
		}
		opts = append(opts, grpc.WithPerRPCCredentials(macaroonCred(hex.EncodeToString(mac))))
	}
	return grpc.Dial(addr, opts...)
}
