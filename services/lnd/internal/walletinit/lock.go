package walletinit

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock takes an exclusive flock on LndDir/.bcm-lnd-start.lock, so that two tasks on one
// volume never run the one-shot steps at once. The descriptor is close-on-exec: exec'ing
// lnd releases it (lnd then holds its own database locks).
func (c *Config) lock() (func(), error) {
	if err := os.MkdirAll(c.LndDir, 0o700); err != nil {
		return nil, fmt.Errorf("lnd's directory %s: %w", c.LndDir, err)
	}
	path := filepath.Join(c.LndDir, lockName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another bcm-lnd-start holds %s; fix: run one lnd task per volume", path)
	}
	return func() { f.Close() }, nil
}
