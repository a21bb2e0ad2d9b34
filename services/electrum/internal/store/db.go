package store

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"

	"bcm/services/electrum/internal/chain"
)

// DB is the open index.
type DB struct {
	bolt *bolt.DB
	path string
}

// ErrInUse: another process has the index open (bbolt's file lock).
var ErrInUse = errors.New("the index is locked by another process (is another bcm-electrum running on this datadir?)")

// Open opens the index at path, creating it when missing. An index that cannot be read, is
// shorter than its own metadata says (a truncated copy), has another format or a tip that
// does not match its own headers, or fails bbolt's page check after an unclean stop, is
// set aside and replaced by an empty one; rebuilt then says why. A locked index is an
// error: it is not damaged, only in use.
func Open(path string) (db *DB, rebuilt string, err error) {
	if st, statErr := os.Stat(path); statErr == nil && st.Size() == 0 {
		// bbolt would quietly make a new database in an empty file; say so instead.
		err = errors.New("the index file is empty")
	} else {
		db, err = openChecked(path)
	}
	if err == nil || errors.Is(err, ErrInUse) {
		return db, "", err
	}
	reason := err.Error()
	if rmErr := os.Remove(path); rmErr != nil && !os.IsNotExist(rmErr) {
		return nil, "", fmt.Errorf("index %s is damaged (%s) and could not be removed: %w", path, reason, rmErr)
	}
	db, err = openChecked(path)
	if err != nil {
		return nil, "", fmt.Errorf("creating a new index at %s: %w", path, err)
	}
	return db, reason, nil
}

// openChecked opens and checks; any panic of bbolt on a damaged file (it trusts its
// pages) and any fault reading the memory map past a truncated end become an error.
func openChecked(path string) (db *DB, err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.bolt.Close()
				db = nil
			}
			err = fmt.Errorf("reading the index failed: %v", r)
		}
	}()
	b, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: time.Second,
		// The free-page list is rebuilt at open instead of written at every commit:
		// fewer pages written while indexing.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, ErrInUse
	}
	if err != nil {
		return nil, fmt.Errorf("opening: %w", err)
	}
	db = &DB{bolt: b, path: path}
	if err := db.check(); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

func (d *DB) check() error {
	st, err := os.Stat(d.path)
	if err != nil {
		return err
	}
	var unclean bool
	err = d.bolt.View(func(tx *bolt.Tx) error {
		if size := tx.Size(); st.Size() < size {
			return fmt.Errorf("the file has %d bytes but its pages reach %d: truncated", st.Size(), size)
		}
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return nil // new and empty
		}
		if f := string(meta.Get(kFormat)); f != Format {
			return fmt.Errorf("format %q, this program writes %q", f, Format)
		}
		unclean = meta.Get(kRunning) != nil
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("table %s is missing", name)
			}
		}
		height, hash, ok := tipOf(tx)
		if !ok {
			return nil
		}
		header := tx.Bucket(bHeaders).Get(heightKey(height))
		if len(header) != 80 || chain.DoubleSHA256(header) != hash {
			return fmt.Errorf("the tip (height %d) does not match the stored header", height)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if unclean {
		// The last process did not close the index: bbolt's commits are atomic, but check
		// every page once before trusting it (a full read of the file).
		err = d.bolt.View(func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				return fmt.Errorf("page check after an unclean stop: %v", e)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return d.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bMeta)
		if err := meta.Put(kFormat, []byte(Format)); err != nil {
			return err
		}
		return meta.Put(kRunning, []byte(time.Now().UTC().Format(time.RFC3339)))
	})
}

// Close marks the index cleanly closed and closes it.
func (d *DB) Close() error {
	err := d.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete(kRunning) })
	if cerr := d.bolt.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path is the index file.
func (d *DB) Path() string { return d.path }

// SizeBytes is the size of the index file.
func (d *DB) SizeBytes() int64 {
	st, err := os.Stat(d.path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// View runs fn on a consistent read-only snapshot; any number run at once, beside a writer.
func (d *DB) View(fn func(r *Reader) error) error {
	return d.bolt.View(func(tx *bolt.Tx) error { return fn(&Reader{tx: tx}) })
}

// Update runs fn in the one write transaction, committed atomically (and fsynced) when fn
// returns nil.
func (d *DB) Update(fn func(w *Writer) error) error {
	return d.bolt.Update(func(tx *bolt.Tx) error { return fn(&Writer{Reader: Reader{tx: tx}}) })
}

func tipOf(tx *bolt.Tx) (int64, chain.Hash, bool) {
	v := tx.Bucket(bMeta).Get(kTip)
	if len(v) != 36 {
		return -1, chain.Hash{}, false
	}
	var h chain.Hash
	copy(h[:], v[4:])
	return int64(uint32FromBytes(v[:4])), h, true
}

func uint32FromBytes(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Reset empties every table in one transaction: the index starts over from the genesis
// block (after a reorg deeper than the undo data, or on a node of another chain).
func (d *DB) Reset() error {
	return d.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if string(name) == string(bMeta) {
				continue
			}
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bMeta)
		if err := meta.Delete(kTip); err != nil {
			return err
		}
		return meta.Delete(kGenesis)
	})
}
