package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/synchronizer/synchronizer/demo"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
)

// connectors is the explicit registry of connector types the appliance can use (no init() side effects). The
// reference connector is for tests and stays out.
func connectors() map[string]engine.Factory {
	return map[string]engine.Factory{
		"superoffice": superoffice.New,
		msgraph.Type:  msgraph.New,
		dav.Type:      dav.New,
	}
}

// pushWatchEvery is how often the appliance looks for saved profiles and linked-user changes that need push
// channels created (see pushWiring.watch).
const pushWatchEvery = time.Minute

// syncStack is the sync side of the appliance: governor, engine, scheduler and push intake, built and started
// in that order and stopped in the reverse one.
type syncStack struct {
	gov    *governor.Governor
	eng    *engine.Engine
	sched  *scheduler.Scheduler
	intake *push.Intake
	push   *pushWiring
	// stopWatch ends the push-channel watcher; watchDone is closed when it has returned.
	stopWatch context.CancelFunc
	watchDone chan struct{}
	secrets   func(instance string) engine.Secrets
	log       *slog.Logger
	// demo holds the fakes of --demo; closed after the scheduler has stopped.
	demo *demo.Demo
	// reinvite re-invites users whose Microsoft grant was refused (reinvite.go); nil until startReinviter.
	reinvite *reinviter
}

// startSync builds the sync stack on db, recovers the journal (pending intents of a run that a crash or a kill
// interrupted are resolved before anything new runs), loads every profile into the scheduler and starts it.
func startSync(ctx context.Context, cfg Config, db *kv.DB, logger *slog.Logger) (*syncStack, error) {
	return startSyncAt(ctx, cfg, db, logger, webhookBaseURL(cfg))
}

// startSyncAt is startSync with the public base URL given (tests point it at a loopback server).
func startSyncAt(ctx context.Context, cfg Config, db *kv.DB, logger *slog.Logger, publicURL string) (_ *syncStack, err error) {
	s := &syncStack{log: logger, secrets: engine.KVSecrets(db)}
	defer func() {
		// On a failed start, close what was opened (the demo's fakes in particular); the scheduler is stopped only
		// if it started.
		if err != nil && s.demo != nil {
			s.demo.Close()
		}
	}()
	reg := &lateRegistry{}
	s.gov = governor.New(governor.Options{Logger: logger.With("component", "governor")})
	eng, err := engine.New(engine.Config{
		KV:           db,
		Logger:       logger.With("component", "engine"),
		Connectors:   connectors(),
		Governor:     s.gov,
		HTTP:         &http.Client{Timeout: 60 * time.Second, Transport: remoteTransport()},
		PublicURL:    publicURL,
		Secrets:      s.secrets,
		Push:         reg,
		RunRetention: cfg.runRetention(),
	})
	if err != nil {
		return nil, fmt.Errorf("sync engine: %w", err)
	}
	s.eng = eng
	if err := eng.Recover(ctx); err != nil {
		// Recovery failing for one job must not keep the appliance down: the job stays pending and is recovered
		// at its next run; the admin sees the error in the log and on the user's status.
		logger.Error("journal recovery did not finish; the affected jobs recover at their next run", slog.Any("error", err))
	}
	sched, err := scheduler.New(scheduler.Options{
		Runner: eng,
		KV:     db,
		Logger: logger.With("component", "scheduler"),
	})
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	s.sched = sched
	s.push = newPushWiring(eng, reg, publicURL, logger.With("component", "push-wiring"))
	sched.AddHousekeeping("renew-subscriptions", func(ctx context.Context) error { return s.push.ensureAll(ctx, true) })
	sched.AddHousekeeping("badger-gc", func(ctx context.Context) error { db.GCOnce(ctx); return nil })
	sched.AddHousekeeping("store-verify", func(context.Context) error { return db.Verify() })
	sched.AddHousekeeping("run-retention", func(ctx context.Context) error { _, err := eng.PruneRuns(ctx); return err })
	if cfg.Demo {
		d, err := demo.Start(ctx, demo.Options{Logger: logger.With("component", "demo"), AutoDiverge: true})
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		s.demo = d
		if _, err := d.Install(ctx, eng, s.secrets); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		logger.Info("demo mode: a SuperOffice fake and a Microsoft 365 fake run on loopback with 5 sample users; profile \"demo\" syncs their appointments, tasks, contacts and selections every 30 s")
	}
	if err := graph.LoadSchedule(eng, sched); err != nil {
		return nil, fmt.Errorf("loading profiles into the scheduler: %w", err)
	}
	if err := sched.Start(ctx); err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	if s.demo != nil {
		// The demo's first runs start now, each user's kinds in order (contacts before groups), instead of at
		// polls spread over the first 30 s.
		for i, err := range sched.TriggerBatch(ctx, s.demo.FirstRuns()) {
			if err != nil {
				logger.Warn("demo: a first run was not queued; it runs at its first poll", slog.Int("request", i), slog.Any("error", err))
			}
		}
	}
	in, err := push.New(push.Options{KV: db, Sink: sched, Health: sched, Logger: logger.With("component", "push"),
		Route: s.push.route, OnLifecycle: s.push.onLifecycle})
	if err != nil {
		_ = sched.Stop(ctx)
		return nil, fmt.Errorf("push intake: %w", err)
	}
	if err := in.Start(ctx); err != nil {
		_ = sched.Stop(ctx)
		return nil, fmt.Errorf("push intake: %w", err)
	}
	s.intake = in
	reg.in.Store(in)
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	s.stopWatch, s.watchDone = stopWatch, make(chan struct{})
	go func() {
		defer close(s.watchDone)
		s.push.watch(watchCtx, pushWatchEvery)
	}()
	return s, nil
}

// stop ends push intake, then lets running jobs finish (up to the scheduler's grace period) and persists what
// was due, so the next start runs it first.
func (s *syncStack) stop(ctx context.Context) {
	if s == nil {
		return
	}
	if s.stopWatch != nil {
		s.stopWatch()
		<-s.watchDone
	}
	if s.intake != nil {
		s.intake.Stop()
	}
	if s.push != nil {
		s.push.stop()
	}
	s.reinvite.stop()
	if s.sched != nil {
		if err := s.sched.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("scheduler stop", slog.Any("error", err))
		}
	}
	if s.demo != nil {
		s.demo.Close()
	}
}

// webhookBaseURL is the appliance's public base URL for webhooks: https://<first domain> with --domain, else empty
// (no public URL: connectors run on polling and their checks say so).
func webhookBaseURL(cfg Config) string {
	if len(cfg.Domains) == 0 {
		return ""
	}
	return "https://" + cfg.Domains[0]
}

// tlsClientConfig is the TLS configuration of every call to a remote system.
func tlsClientConfig() *tls.Config { return &tls.Config{MinVersion: tls.VersionTLS12} }

// remoteTransport is the base transport for calls to remote systems: TLS 1.2 at least, bounded idle pools.
func remoteTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tlsClientConfig()
	t.MaxIdleConnsPerHost = 16
	return t
}
