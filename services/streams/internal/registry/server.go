package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is what Confluent's registry answers with.
const ContentType = "application/vnd.schemaregistry.v1+json"

// Confluent's error codes.
const (
	codeSubjectNotFound    = 40401
	codeVersionNotFound    = 40402
	codeSchemaNotFound     = 40403
	codeInvalidSchema      = 42201
	codeInvalidVersion     = 42202
	codeInvalidLevel       = 42203
	codeIncompatible       = 409
	codeStore              = 50001
	codeSubjectConfigUnset = 40408
)

type apiError struct {
	status int
	Code   int    `json:"error_code"`
	Msg    string `json:"message"`
}

func (e *apiError) Error() string { return e.Msg }

func fail(status, code int, format string, args ...any) *apiError {
	return &apiError{status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Writer appends to the log; the Log does, and tests may give another.
type Writer interface {
	Sync(ctx context.Context) error
	Append(ctx context.Context, key, value any) (int64, error)
}

// Server answers Confluent's Schema Registry API (the part clients use: register, look up,
// fetch by id and by version, list, soft delete, compatibility settings and checks).
type Server struct {
	State   *State
	Log     Writer
	writing sync.Mutex
}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f func(r *http.Request) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
			defer cancel()
			v, err := f(r.WithContext(ctx))
			w.Header().Set("Content-Type", ContentType)
			if err != nil {
				var e *apiError
				if !errors.As(err, &e) {
					e = fail(http.StatusInternalServerError, codeStore, "%v", err)
				}
				w.WriteHeader(e.status)
				_ = json.NewEncoder(w).Encode(e)
				return
			}
			if raw, ok := v.(rawText); ok {
				_, _ = io.WriteString(w, string(raw))
				return
			}
			_ = json.NewEncoder(w).Encode(v)
		})
	}
	h("GET /{$}", func(*http.Request) (any, error) { return map[string]any{}, nil })
	h("GET /schemas/types", func(*http.Request) (any, error) { return []string{Avro, JSON}, nil })
	h("GET /schemas/ids/{id}", s.schemaByID)
	h("GET /schemas/ids/{id}/schema", s.rawByID)
	h("GET /schemas/ids/{id}/versions", s.versionsOfID)
	h("GET /subjects", func(r *http.Request) (any, error) {
		if err := s.Log.Sync(r.Context()); err != nil {
			return nil, err
		}
		return s.State.Subjects(r.URL.Query().Get("deleted") == "true"), nil
	})
	h("GET /subjects/{subject}/versions", s.versions)
	h("GET /subjects/{subject}/versions/{version}", s.version)
	h("GET /subjects/{subject}/versions/{version}/schema", s.rawVersion)
	h("POST /subjects/{subject}/versions", s.register)
	h("POST /subjects/{subject}", s.lookup)
	h("DELETE /subjects/{subject}", s.deleteSubject)
	h("DELETE /subjects/{subject}/versions/{version}", s.deleteVersion)
	h("GET /config", func(r *http.Request) (any, error) { return s.getConfig(r, "", false) })
	h("PUT /config", func(r *http.Request) (any, error) { return s.putConfig(r, "") })
	h("GET /config/{subject}", func(r *http.Request) (any, error) {
		return s.getConfig(r, r.PathValue("subject"), r.URL.Query().Get("defaultToGlobal") == "true")
	})
	h("PUT /config/{subject}", func(r *http.Request) (any, error) { return s.putConfig(r, r.PathValue("subject")) })
	h("POST /compatibility/subjects/{subject}/versions/{version}", s.checkCompatibility)
	h("POST /compatibility/subjects/{subject}/versions", s.checkCompatibility)
	return mux
}

type rawText string

// fresh reads the log to its end, then runs find: an answer from any instance includes
// whatever any instance acknowledged before the request (one ListOffsets round trip).
func (s *Server) fresh(r *http.Request, find func() bool) error {
	if err := s.Log.Sync(r.Context()); err != nil {
		return err
	}
	find()
	return nil
}

func (s *Server) id(r *http.Request) (int, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		return 0, fail(http.StatusNotFound, codeSchemaNotFound, "Schema %s not found", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) byID(r *http.Request) (schema, kind string, err error) {
	id, err := s.id(r)
	if err != nil {
		return "", "", err
	}
	var ok bool
	if err := s.fresh(r, func() bool { schema, kind, ok = s.State.ByID(id); return ok }); err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", fail(http.StatusNotFound, codeSchemaNotFound, "Schema %d not found", id)
	}
	return schema, kind, nil
}

func (s *Server) schemaByID(r *http.Request) (any, error) {
	schema, kind, err := s.byID(r)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"schema": schema}
	if kind != Avro {
		out["schemaType"] = kind
	}
	return out, nil
}

func (s *Server) rawByID(r *http.Request) (any, error) {
	schema, _, err := s.byID(r)
	return rawText(schema), err
}

func (s *Server) versionsOfID(r *http.Request) (any, error) {
	id, err := s.id(r)
	if err != nil {
		return nil, err
	}
	var out []Schema
	if err := s.fresh(r, func() bool { out = s.State.SubjectVersionsOf(id); return len(out) > 0 }); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fail(http.StatusNotFound, codeSchemaNotFound, "Schema %d not found", id)
	}
	list := make([]map[string]any, len(out))
	for i, v := range out {
		list[i] = map[string]any{"subject": v.Subject, "version": v.Version}
	}
	return list, nil
}

func (s *Server) versions(r *http.Request) (any, error) {
	subject := r.PathValue("subject")
	var out []int
	deleted := r.URL.Query().Get("deleted") == "true"
	if err := s.fresh(r, func() bool { out = s.State.Versions(subject, deleted); return len(out) > 0 }); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fail(http.StatusNotFound, codeSubjectNotFound, "Subject '%s' not found.", subject)
	}
	return out, nil
}

// versionNumber is "latest" (-1) or a positive number.
func versionNumber(v string) (int, error) {
	if v == "latest" || v == "-1" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fail(http.StatusUnprocessableEntity, codeInvalidVersion, "The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", v)
	}
	return n, nil
}

func (s *Server) findVersion(r *http.Request) (*Schema, error) {
	subject := r.PathValue("subject")
	n, err := versionNumber(r.PathValue("version"))
	if err != nil {
		return nil, err
	}
	deleted := r.URL.Query().Get("deleted") == "true"
	var v *Schema
	if err := s.fresh(r, func() bool { v = s.State.Version(subject, n, deleted); return v != nil }); err != nil {
		return nil, err
	}
	if v == nil {
		if len(s.State.Versions(subject, true)) == 0 {
			return nil, fail(http.StatusNotFound, codeSubjectNotFound, "Subject '%s' not found.", subject)
		}
		return nil, fail(http.StatusNotFound, codeVersionNotFound, "Version %s not found.", r.PathValue("version"))
	}
	return v, nil
}

// answer is a version as the API shows it (no deleted flag; schemaType only when not AVRO).
func answer(v *Schema) map[string]any {
	out := map[string]any{"subject": v.Subject, "version": v.Version, "id": v.ID, "schema": v.Schema}
	if v.SchemaType != Avro {
		out["schemaType"] = v.SchemaType
	}
	if len(v.References) > 0 {
		out["references"] = v.References
	}
	return out
}

func (s *Server) version(r *http.Request) (any, error) {
	v, err := s.findVersion(r)
	if err != nil {
		return nil, err
	}
	return answer(v), nil
}

func (s *Server) rawVersion(r *http.Request) (any, error) {
	v, err := s.findVersion(r)
	if err != nil {
		return nil, err
	}
	return rawText(v.Schema), nil
}

// request is the body of register, lookup and compatibility checks.
type request struct {
	Schema     string      `json:"schema"`
	SchemaType string      `json:"schemaType"`
	References []Reference `json:"references"`
}

func readRequest(r *http.Request) (request, string, string, error) {
	var req request
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return req, "", "", err
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return req, "", "", fail(http.StatusUnprocessableEntity, codeInvalidSchema, "Invalid request body: %v", err)
	}
	kind := kindOf(req.SchemaType)
	canonical, err := Canonical(kind, req.Schema)
	if err != nil {
		return req, "", "", fail(http.StatusUnprocessableEntity, codeInvalidSchema, "Invalid schema: %v", err)
	}
	return req, kind, canonical, nil
}

func (s *Server) lookup(r *http.Request) (any, error) {
	subject := r.PathValue("subject")
	_, kind, canonical, err := readRequest(r)
	if err != nil {
		return nil, err
	}
	var v *Schema
	if err := s.fresh(r, func() bool { v = s.State.Lookup(subject, kind, canonical); return v != nil }); err != nil {
		return nil, err
	}
	if v == nil {
		if len(s.State.Versions(subject, false)) == 0 {
			return nil, fail(http.StatusNotFound, codeSubjectNotFound, "Subject '%s' not found.", subject)
		}
		return nil, fail(http.StatusNotFound, codeSchemaNotFound, "Schema not found")
	}
	return answer(v), nil
}

// live is a subject's live versions, oldest first.
func (s *Server) live(subject string) []*Schema {
	var out []*Schema
	for _, n := range s.State.Versions(subject, false) {
		out = append(out, s.State.Version(subject, n, false))
	}
	return out
}

// register: the same content under the subject gives its id back; new content is checked
// against the subject's compatibility level, then written, and retried when another
// instance took the version or the id first.
func (s *Server) register(r *http.Request) (any, error) {
	subject := r.PathValue("subject")
	req, kind, canonical, err := readRequest(r)
	if err != nil {
		return nil, err
	}
	// One writer at a time in this instance; other instances are raced through the log.
	s.writing.Lock()
	defer s.writing.Unlock()
	for attempt := 0; attempt < 8; attempt++ {
		if err := s.Log.Sync(r.Context()); err != nil {
			return nil, err
		}
		if v := s.State.Lookup(subject, kind, canonical); v != nil {
			return map[string]int{"id": v.ID}, nil
		}
		level, _ := s.State.Compatibility(subject)
		if err := Compatible(level, kind, req.Schema, s.live(subject)); err != nil {
			return nil, fail(http.StatusConflict, codeIncompatible, "Schema being registered is incompatible with an earlier schema for subject \"%s\": %v", subject, err)
		}
		id, _ := s.State.IDFor(kind, canonical)
		version := s.State.NextVersion(subject)
		value := Schema{Subject: subject, Version: version, ID: id, Schema: req.Schema, References: req.References}
		if kind != Avro {
			value.SchemaType = kind
		}
		sub := subject
		if _, err := s.Log.Append(r.Context(), recordKey{KeyType: "SCHEMA", Subject: &sub, Version: version, Magic: 1}, value); err != nil {
			return nil, err
		}
		// Accepted when the subject now has this content (ours, or an equal one that won).
		if v := s.State.Lookup(subject, kind, canonical); v != nil {
			return map[string]int{"id": v.ID}, nil
		}
	}
	return nil, fail(http.StatusInternalServerError, codeStore, "Register operation lost to other writers 8 times; try again")
}

func (s *Server) deleteVersion(r *http.Request) (any, error) {
	v, err := s.findVersion(r)
	if err != nil {
		return nil, err
	}
	v.Deleted = true
	sub := v.Subject
	if _, err := s.Log.Append(r.Context(), recordKey{KeyType: "SCHEMA", Subject: &sub, Version: v.Version, Magic: 1}, v); err != nil {
		return nil, err
	}
	return v.Version, nil
}

func (s *Server) deleteSubject(r *http.Request) (any, error) {
	subject := r.PathValue("subject")
	if err := s.Log.Sync(r.Context()); err != nil {
		return nil, err
	}
	versions := s.live(subject)
	if len(versions) == 0 {
		return nil, fail(http.StatusNotFound, codeSubjectNotFound, "Subject '%s' not found.", subject)
	}
	out := []int{}
	for _, v := range versions {
		v.Deleted = true
		sub := v.Subject
		if _, err := s.Log.Append(r.Context(), recordKey{KeyType: "SCHEMA", Subject: &sub, Version: v.Version, Magic: 1}, v); err != nil {
			return nil, err
		}
		out = append(out, v.Version)
	}
	return out, nil
}

func (s *Server) getConfig(r *http.Request, subject string, defaultToGlobal bool) (any, error) {
	if err := s.Log.Sync(r.Context()); err != nil {
		return nil, err
	}
	level, own := s.State.Compatibility(subject)
	if subject != "" && !own && !defaultToGlobal {
		return nil, fail(http.StatusNotFound, codeSubjectConfigUnset, "Subject '%s' does not have subject-level compatibility configured", subject)
	}
	return map[string]string{"compatibilityLevel": level}, nil
}

func (s *Server) putConfig(r *http.Request, subject string) (any, error) {
	var body struct {
		Compatibility string `json:"compatibility"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || !ValidLevel(strings.ToUpper(body.Compatibility)) {
		return nil, fail(http.StatusUnprocessableEntity, codeInvalidLevel, "Invalid compatibility level. Valid values are %s", strings.Join(Levels, ", "))
	}
	level := strings.ToUpper(body.Compatibility)
	var sub *string
	if subject != "" {
		sub = &subject
	}
	if _, err := s.Log.Append(r.Context(), recordKey{KeyType: "CONFIG", Subject: sub, Magic: 0}, configValue{CompatibilityLevel: level}); err != nil {
		return nil, err
	}
	return map[string]string{"compatibility": level}, nil
}

func (s *Server) checkCompatibility(r *http.Request) (any, error) {
	subject := r.PathValue("subject")
	req, kind, _, err := readRequest(r)
	if err != nil {
		return nil, err
	}
	if err := s.Log.Sync(r.Context()); err != nil {
		return nil, err
	}
	level, _ := s.State.Compatibility(subject)
	against := s.live(subject)
	if r.PathValue("version") != "" {
		v, err := s.findVersion(r)
		if err != nil {
			return nil, err
		}
		against = []*Schema{v}
		level = strings.TrimSuffix(level, "_TRANSITIVE")
	}
	if err := Compatible(level, kind, req.Schema, against); err != nil {
		out := map[string]any{"is_compatible": false}
		if r.URL.Query().Get("verbose") == "true" {
			out["messages"] = []string{err.Error()}
		}
		return out, nil
	}
	return map[string]any{"is_compatible": true}, nil
}
