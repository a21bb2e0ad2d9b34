package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// registry registers the bridge's schemas (Confluent's API), retrying while it is not up yet.
type registry struct{ base string }

func (r *registry) register(ctx context.Context, subject, schema string) (int, error) {
	body, _ := json.Marshal(map[string]string{"schema": schema})
	u := strings.TrimSuffix(r.base, "/") + "/subjects/" + url.PathEscape(subject) + "/versions"
	for {
		id, err := func() (int, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
			if err != nil {
				return 0, err
			}
			req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusOK {
				return 0, fmt.Errorf("registering %s: %d %s", subject, resp.StatusCode, strings.TrimSpace(string(data)))
			}
			var out struct {
				ID int `json:"id"`
			}
			if err := json.Unmarshal(data, &out); err != nil || out.ID < 1 {
				return 0, fmt.Errorf("registering %s: unexpected answer %s", subject, data)
			}
			return out.ID, nil
		}()
		if err == nil {
			return id, nil
		}
		// A conflict (an incompatible schema already there) will not pass by waiting.
		if strings.Contains(err.Error(), ": 409 ") || strings.Contains(err.Error(), ": 422 ") {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%v (%w)", err, ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}
