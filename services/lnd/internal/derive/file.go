package derive

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// WalletSecret is the JSON of the wallet secret file bcm-lnd-start reads (a Swarm secret,
// never argv or the environment):
//
//	{"entropy":"<32 hex>","salt":"<10 hex>","birthday":"YYYY-MM-DD",
//	 "password":"<64 hex>","macaroonRootKey":"<64 hex>"}
//
// Hex is lowercase. The device's secret itself never reaches the node.
type WalletSecret struct {
	Values
	// Birthday is the day the wallet's history starts (UTC), from the stack's settings.
	Birthday time.Time
}

type walletSecretJSON struct {
	Entropy         string `json:"entropy"`
	Salt            string `json:"salt"`
	Birthday        string `json:"birthday"`
	Password        string `json:"password"`
	MacaroonRootKey string `json:"macaroonRootKey"`
}

var lowerHex = regexp.MustCompile(`^[0-9a-f]*$`)

// decodeHex decodes a lowercase hex field of n bytes; the error names the field, never its value.
func decodeHex(field, s string, n int) ([]byte, error) {
	if len(s) != 2*n || !lowerHex.MatchString(s) {
		return nil, fmt.Errorf("%q must be %d lowercase hex digits", field, 2*n)
	}
	b, _ := hex.DecodeString(s)
	return b, nil
}

// ParseBirthday reads a YYYY-MM-DD date as midnight UTC.
func ParseBirthday(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("\"birthday\" must be a date YYYY-MM-DD, not %q", s)
	}
	return t.UTC(), nil
}

// ParseWalletSecret reads the wallet secret file's JSON. Every field is required; unknown
// fields are refused (a misspelt field would otherwise be silently empty).
func ParseWalletSecret(data []byte) (WalletSecret, error) {
	var raw walletSecretJSON
	var ws WalletSecret
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		// json's errors may quote the input: say only where it went wrong.
		return ws, fmt.Errorf("not the JSON object {entropy, salt, birthday, password, macaroonRootKey}: %s", jsonErrorKind(err))
	}
	b, err := decodeHex("entropy", raw.Entropy, len(ws.Entropy))
	if err != nil {
		return ws, err
	}
	copy(ws.Entropy[:], b)
	if b, err = decodeHex("salt", raw.Salt, len(ws.Salt)); err != nil {
		return ws, err
	}
	copy(ws.Salt[:], b)
	if _, err = decodeHex("password", raw.Password, 32); err != nil {
		return ws, err
	}
	ws.Password = raw.Password
	if b, err = decodeHex("macaroonRootKey", raw.MacaroonRootKey, len(ws.MacaroonRootKey)); err != nil {
		return ws, err
	}
	copy(ws.MacaroonRootKey[:], b)
	if ws.Birthday, err = ParseBirthday(raw.Birthday); err != nil {
		return ws, err
	}
	return ws, nil
}

// MarshalJSON writes the file's JSON (used by tests and by bcm-lnd-seed --derive).
func (ws WalletSecret) MarshalJSON() ([]byte, error) {
	return json.Marshal(walletSecretJSON{
		Entropy:         hex.EncodeToString(ws.Entropy[:]),
		Salt:            hex.EncodeToString(ws.Salt[:]),
		Birthday:        ws.Birthday.UTC().Format(time.DateOnly),
		Password:        ws.Password,
		MacaroonRootKey: hex.EncodeToString(ws.MacaroonRootKey[:]),
	})
}

// jsonErrorKind describes a decoding error without quoting the input (it may be a secret).
func jsonErrorKind(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("syntax error at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("field %q has the wrong type", e.Field)
	default:
		msg := err.Error()
		// "json: unknown field \"x\"" names a field, not a value.
		if len(msg) > 0 && bytes.HasPrefix([]byte(msg), []byte("json: unknown field")) {
			return msg
		}
		return "unreadable"
	}
}
