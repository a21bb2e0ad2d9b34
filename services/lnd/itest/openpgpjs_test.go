package itest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nodeModules is where openpgp.js is: the repository's node_modules (npm ci), or
// BCM_NODE_MODULES. The controller decrypts backups with openpgp.js, so the tests make the
// key and decrypt with it too.
func nodeModules(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BCM_NODE_MODULES")
	if dir == "" {
		dir = filepath.Join(repoRoot(), "node_modules")
	}
	if _, err := os.Stat(filepath.Join(dir, "openpgp", "package.json")); err != nil {
		t.Fatalf("openpgp.js is not in %s; fix: npm ci at the repository's root (or set BCM_NODE_MODULES)", dir)
	}
	return dir
}

func runNode(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	f := filepath.Join(t.TempDir(), "script.cjs")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", append([]string{f}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules(t))
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node: %v: %s", err, ee.Stderr)
		}
		t.Fatalf("node: %v", err)
	}
	return out
}

// pgpKey is an OpenPGP key pair made by openpgp.js's generateKey with its defaults (ed25519
// primary key, cv25519 encryption subkey, as the controller's), armored.
type pgpKey struct {
	PrivateKey string `json:"privateKey"`
	PublicKey  string `json:"publicKey"`
}

func openpgpjsKey(t *testing.T, options string) pgpKey {
	t.Helper()
	out := runNode(t, fmt.Sprintf(`const openpgp = require('openpgp');
openpgp.generateKey({ userIDs: [{ name: 'bcm controller (test)' }], format: 'armored', %s })
  .then(({ privateKey, publicKey }) => process.stdout.write(JSON.stringify({ privateKey, publicKey })))
  .catch((e) => { console.error(e); process.exit(1); });`, options))
	var k pgpKey
	if err := json.Unmarshal(out, &k); err != nil {
		t.Fatal(err)
	}
	return k
}

// openpgpjsDecrypt decrypts a binary OpenPGP message file with openpgp.js.
func openpgpjsDecrypt(t *testing.T, key pgpKey, file string) []byte {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "private.asc")
	if err := os.WriteFile(keyFile, []byte(key.PrivateKey), 0o600); err != nil {
		t.Fatal(err)
	}
	return runNode(t, `const openpgp = require('openpgp'); const fs = require('fs');
(async () => {
  const privateKey = await openpgp.readPrivateKey({ armoredKey: fs.readFileSync(process.argv[2], 'utf8') });
  const message = await openpgp.readMessage({ binaryMessage: fs.readFileSync(process.argv[3]) });
  const { data } = await openpgp.decrypt({ message, decryptionKeys: privateKey, format: 'binary' });
  process.stdout.write(Buffer.from(data));
})().catch((e) => { console.error(e); process.exit(1); });`, keyFile, file)
}
