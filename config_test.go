package main

import (
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadServeConfigPrecedence(t *testing.T) {
	t.Parallel()
	def := defaultConfig()
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"defaults", nil, nil, func(t *testing.T, c Config) {
			if c.Listen != def.Listen || c.DataDir != "./data" || c.LogLevel != "info" || c.TLSMode() != TLSOff {
				t.Errorf("defaults not applied: %+v", c)
			}
		}},
		{"env sets listen", nil, map[string]string{"SYNCHRONIZER_LISTEN": "127.0.0.1:9000"}, func(t *testing.T, c Config) {
			if c.Listen != "127.0.0.1:9000" {
				t.Errorf("Listen = %q", c.Listen)
			}
		}},
		{"flag overrides env", []string{"--listen", "127.0.0.1:9001"}, map[string]string{"SYNCHRONIZER_LISTEN": "127.0.0.1:9000"}, func(t *testing.T, c Config) {
			if c.Listen != "127.0.0.1:9001" {
				t.Errorf("Listen = %q", c.Listen)
			}
		}},
		{"env data and log level", nil, map[string]string{"SYNCHRONIZER_DATA": "/srv/x", "SYNCHRONIZER_LOG_LEVEL": "debug"}, func(t *testing.T, c Config) {
			if c.DataDir != "/srv/x" || c.LogLevel != "debug" {
				t.Errorf("got %q %q", c.DataDir, c.LogLevel)
			}
		}},
		{"env domains comma separated", nil, map[string]string{"SYNCHRONIZER_DOMAIN": "a.example.com, B.example.com"}, func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Domains, []string{"a.example.com", "b.example.com"}) || c.TLSMode() != TLSACME {
				t.Errorf("Domains = %q mode %s", c.Domains, c.TLSMode())
			}
		}},
		{"flag domains replace env domains", []string{"--domain", "c.example.com", "--domain", "d.example.com"},
			map[string]string{"SYNCHRONIZER_DOMAIN": "a.example.com"}, func(t *testing.T, c Config) {
				if !reflect.DeepEqual(c.Domains, []string{"c.example.com", "d.example.com"}) {
					t.Errorf("Domains = %q", c.Domains)
				}
			}},
		{"env bool self-signed", nil, map[string]string{"SYNCHRONIZER_SELF_SIGNED": "true"}, func(t *testing.T, c Config) {
			if !c.SelfSigned || c.TLSMode() != TLSSelfSigned {
				t.Errorf("SelfSigned = %v", c.SelfSigned)
			}
		}},
		{"flag bool overrides env bool", []string{"--self-signed=false"}, map[string]string{"SYNCHRONIZER_SELF_SIGNED": "1"}, func(t *testing.T, c Config) {
			if c.SelfSigned {
				t.Error("SelfSigned still true")
			}
		}},
		{"env key and key file", nil, map[string]string{"SYNCHRONIZER_KEY": "abc", "SYNCHRONIZER_KEY_FILE": "/k"}, func(t *testing.T, c Config) {
			if c.Key != "abc" || c.KeyFile != "/k" {
				t.Errorf("Key %q KeyFile %q", c.Key, c.KeyFile)
			}
		}},
		{"static tls", []string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, nil, func(t *testing.T, c Config) {
			if c.TLSMode() != TLSStatic {
				t.Errorf("mode %s", c.TLSMode())
			}
		}},
		{"acme listeners and directory", []string{"--domain", "x.example.com", "--https-listen", "127.0.0.1:8443", "--http-listen", "127.0.0.1:8081", "--acme-directory", "https://ca.test/dir"},
			nil, func(t *testing.T, c Config) {
				if c.HTTPSListen != "127.0.0.1:8443" || c.HTTPListen != "127.0.0.1:8081" || c.ACMEDirectory != "https://ca.test/dir" {
					t.Errorf("%+v", c)
				}
			}},
		{"shutdown timeout from env", nil, map[string]string{"SYNCHRONIZER_SHUTDOWN_TIMEOUT": "5s"}, func(t *testing.T, c Config) {
			if c.ShutdownTimeout != 5*time.Second {
				t.Errorf("ShutdownTimeout = %s", c.ShutdownTimeout)
			}
		}},
		{"run retention default, env and flag", nil, nil, func(t *testing.T, c Config) {
			if c.RunRetentionDays != 90 || c.runRetention() != 90*24*time.Hour {
				t.Errorf("RunRetentionDays = %d (%s)", c.RunRetentionDays, c.runRetention())
			}
		}},
		{"run retention from env", nil, map[string]string{"SYNCHRONIZER_RUN_RETENTION": "30"}, func(t *testing.T, c Config) {
			if c.RunRetentionDays != 30 || c.runRetention() != 30*24*time.Hour {
				t.Errorf("RunRetentionDays = %d", c.RunRetentionDays)
			}
		}},
		{"run retention 0 keeps every run", []string{"--run-retention", "0"}, map[string]string{"SYNCHRONIZER_RUN_RETENTION": "30"}, func(t *testing.T, c Config) {
			if c.RunRetentionDays != 0 || c.runRetention() >= 0 {
				t.Errorf("RunRetentionDays = %d (%s)", c.RunRetentionDays, c.runRetention())
			}
		}},
		{"admin bootstrap env", nil, map[string]string{"SYNCHRONIZER_ADMIN_EMAIL": "a@b.c", "SYNCHRONIZER_ADMIN_PASSWORD": "pw"}, func(t *testing.T, c Config) {
			if c.AdminEmail != "a@b.c" || c.AdminPassword != "pw" {
				t.Errorf("%q %q", c.AdminEmail, c.AdminPassword)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := loadServeConfig(tt.args, envMap(tt.env))
			if err != nil {
				t.Fatalf("loadServeConfig: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadServeConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // substring of the error
	}{
		{"unknown flag", []string{"--nope"}, nil, "flag provided but not defined: -nope"},
		{"positional argument", []string{"extra"}, nil, "serve takes no arguments"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "--log-level"},
		{"bad env bool", nil, map[string]string{"SYNCHRONIZER_SELF_SIGNED": "maybe"}, "SYNCHRONIZER_SELF_SIGNED"},
		{"bad env duration", nil, map[string]string{"SYNCHRONIZER_SHUTDOWN_TIMEOUT": "soon"}, "SYNCHRONIZER_SHUTDOWN_TIMEOUT"},
		{"bad listen", []string{"--listen", "8080"}, nil, "--listen"},
		{"bad port", []string{"--listen", "127.0.0.1:99999"}, nil, "invalid port"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, nil, "--tls-cert and --tls-key"},
		{"two tls modes", []string{"--self-signed", "--domain", "a.example.com"}, nil, "exclude each other"},
		{"domain with scheme", []string{"--domain", "https://a.example.com"}, nil, "bare DNS name"},
		{"domain is ip", []string{"--domain", "10.0.0.1"}, nil, "IP address"},
		{"domain not fqdn", []string{"--domain", "intranet"}, nil, "fully qualified"},
		{"acme directory http", []string{"--domain", "a.example.com", "--acme-directory", "http://ca/dir"}, nil, "--acme-directory"},
		{"acme ca without domain", []string{"--acme-ca", "ca.pem"}, nil, "--acme-ca"},
		{"empty data", []string{"--data", ""}, nil, "--data"},
		{"zero shutdown timeout", []string{"--shutdown-timeout", "0s"}, nil, "--shutdown-timeout"},
		{"negative run retention", []string{"--run-retention", "-1"}, nil, "--run-retention"},
		{"bad env run retention", nil, map[string]string{"SYNCHRONIZER_RUN_RETENTION": "90d"}, "SYNCHRONIZER_RUN_RETENTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadServeConfig(tt.args, envMap(tt.env))
			var uerr *usageError
			if !errors.As(err, &uerr) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadServeConfigHelp(t *testing.T) {
	t.Parallel()
	_, err := loadServeConfig([]string{"--help"}, envMap(nil))
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
}

// TestServeHelpMentionsEveryFlag checks that every flag of the flag set is
// documented, with its environment twin.
func TestServeHelpMentionsEveryFlag(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	writeServeHelp(&b)
	help := b.String()
	cfg := defaultConfig()
	fs := newServeFlagSet(&cfg, &listFlag{values: &cfg.Domains}, &listFlag{values: &cfg.TrustedProxies})
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		if !strings.Contains(help, "--"+f.Name) {
			t.Errorf("help does not mention --%s", f.Name)
		}
		if !strings.Contains(help, envName(f.Name)) {
			t.Errorf("help does not mention %s", envName(f.Name))
		}
	})
	if n != len(serveFlags) {
		t.Errorf("flag set has %d flags, serveFlags documents %d", n, len(serveFlags))
	}
}

// TestVersionLine checks the -ldflags -X values win over the build info and
// that the fallback is never empty. It changes package variables, so it is
// not parallel.
func TestVersionLine(t *testing.T) {
	oldV, oldC := version, commit
	defer func() { version, commit = oldV, oldC }()
	version, commit = "1.2.3", "abc1234"
	if got := versionLine(); got != "synchronizer 1.2.3 (commit abc1234)" {
		t.Errorf("versionLine = %q", got)
	}
	version, commit = "", ""
	v, c := buildInfo()
	if v == "" || c == "" {
		t.Errorf("fallback version %q commit %q", v, c)
	}
}
