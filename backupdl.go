package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph/model"
	"github.com/synchronizer/synchronizer/kv"
)

// Backup download over HTTP (GET /api/backup).
//
// A GET that the browser sends with the session cookie could be triggered by another site (a link, an <img>), so a
// cookie alone is not enough: the dashboard first asks for a link with the createBackupLink mutation (a POST that
// the API's CSRF check covers) and then GETs /api/backup?token=… with its session. The token is random (256 bits),
// bound to the admin account that asked for it, valid for backupLinkTTL and works once. A caller with an API token
// (Authorization: Bearer, never sent by a browser on its own) needs no link. The backup is streamed from the store
// as `synchronizer backup` writes it, never held in memory, and every download is audited.
const (
	pathBackup    = "/api/backup"
	backupLinkTTL = time.Minute
	// maxBackupLinks bounds the open links (an admin clicking many times); the oldest is dropped beyond it.
	maxBackupLinks = 64
)

// Audit actions of backup downloads.
const (
	actionBackupLink       = "backup.link_created"
	actionBackupDownloaded = "backup.downloaded"
	actionBackupFailed     = "backup.failed"
)

// backupLink is an issued, not yet used download link.
type backupLink struct {
	account   string
	expires   time.Time
	encrypted bool
}

// backupDownloads issues download links and serves GET /api/backup. It is safe for concurrent use.
type backupDownloads struct {
	db   *kv.DB
	auth *auth.Service
	now  func() time.Time
	log  *slog.Logger

	mu    sync.Mutex
	links map[string]backupLink
}

func newBackupDownloads(db *kv.DB, authSvc *auth.Service, now func() time.Time, logger *slog.Logger) *backupDownloads {
	return &backupDownloads{db: db, auth: authSvc, now: now, log: logger, links: map[string]backupLink{}}
}

// CreateBackupLink implements graph.Ops: a one-time link for the calling admin.
func (b *backupDownloads) CreateBackupLink(ctx context.Context, encrypted bool) (*model.BackupLink, error) {
	if err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("backup link: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := b.now()
	expires := now.Add(backupLinkTTL)
	b.mu.Lock()
	for t, l := range b.links { // drop expired links; bound the rest
		if !now.Before(l.expires) {
			delete(b.links, t)
		}
	}
	if len(b.links) >= maxBackupLinks {
		oldest := ""
		for t, l := range b.links {
			if oldest == "" || l.expires.Before(b.links[oldest].expires) {
				oldest = t
			}
		}
		delete(b.links, oldest)
	}
	b.links[token] = backupLink{account: v.AccountID, expires: expires, encrypted: encrypted}
	b.mu.Unlock()
	b.audit(ctx, actionBackupLink, "store", "encrypted="+strconv.FormatBool(encrypted))
	return &model.BackupLink{URL: pathBackup + "?token=" + token, ExpiresAt: expires.UTC()}, nil
}

// take returns the link of token for account and deletes it (one-time).
func (b *backupDownloads) take(token, account string) (backupLink, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.links[token]
	if !ok {
		return backupLink{}, false
	}
	delete(b.links, token) // used, or tried by another account: either way it is spent
	if l.account != account || !b.now().Before(l.expires) {
		return backupLink{}, false
	}
	return l, true
}

// ServeHTTP serves GET /api/backup; it must run behind auth.Service.Middleware.
func (b *backupDownloads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := auth.ViewerFrom(r.Context())
	switch {
	case v == nil:
		writeJSONError(w, http.StatusUnauthorized, auth.CodeUnauthenticated, "sign in as an admin to download a backup")
		return
	case v.Role != auth.RoleAdmin:
		b.audit(r.Context(), actionBackupFailed, "store", "refused: not an admin")
		writeJSONError(w, http.StatusForbidden, auth.CodeForbidden, "only admins may download a backup")
		return
	}
	encrypted := false
	if v.Via == "session" || r.URL.Query().Has("token") {
		l, ok := b.take(r.URL.Query().Get("token"), v.AccountID)
		if !ok {
			b.audit(r.Context(), actionBackupFailed, "store", "refused: link missing, used, expired or of another admin")
			writeJSONError(w, http.StatusForbidden, auth.CodeForbidden,
				"this backup link is missing, was used already or has expired: links work once, for 60 seconds; ask for a new one (Settings → Backup)")
			return
		}
		encrypted = l.encrypted
	} else {
		encrypted = r.URL.Query().Get("encrypted") == "true"
	}
	now := b.now().UTC()
	name := "synchronizer-" + now.Format("2006-01-02T150405Z") + ".bak"
	if encrypted {
		name = "synchronizer-" + now.Format("2006-01-02T150405Z") + ".encrypted.bak"
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	cw := &countingWriter{w: w}
	var err error
	if encrypted {
		err = b.db.BackupEncrypted(cw)
	} else {
		err = b.db.Backup(cw)
	}
	if err != nil {
		b.log.ErrorContext(r.Context(), "backup download failed", slog.Any("error", err), slog.Int64("bytes", cw.n))
		b.audit(r.Context(), actionBackupFailed, name, fmt.Sprintf("after %d bytes: %v", cw.n, err))
		if cw.n == 0 {
			h.Del("Content-Disposition")
			writeJSONError(w, http.StatusInternalServerError, "INTERNAL", "the backup failed: "+err.Error())
			return
		}
		// Headers are gone: abort the connection so the client sees a broken transfer, not a short file.
		panic(http.ErrAbortHandler)
	}
	b.audit(r.Context(), actionBackupDownloaded, name, fmt.Sprintf("%d bytes, encrypted=%t", cw.n, encrypted))
}

func (b *backupDownloads) audit(ctx context.Context, action, target, detail string) {
	if b.auth == nil {
		return
	}
	if err := b.auth.Audit(ctx, auth.Event{Action: action, Target: target, Detail: detail}); err != nil {
		b.log.Error("backup: audit failed", "action", action, "err", err)
	}
}
