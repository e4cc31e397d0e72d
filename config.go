package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
)

// envPrefix is the prefix of every environment variable the binary reads.
const envPrefix = "SYNCHRONIZER_"

// Config is the configuration of `synchronizer serve`. Every field comes from
// a command-line flag with an environment twin (SYNCHRONIZER_<NAME>, the
// flag name upper-cased with dashes turned into underscores); a flag given on
// the command line overrides the environment, which overrides the default.
type Config struct {
	// Listen is the address of the HTTP (or, with --tls-cert or
	// --self-signed, HTTPS) listener. Flag --listen, env SYNCHRONIZER_LISTEN,
	// default 127.0.0.1:8080. It is not used with --domain.
	Listen string
	// DataDir is the directory of the Badger store and the default key file.
	// Flag --data, env SYNCHRONIZER_DATA, default ./data.
	DataDir string
	// KeyFile is the file holding the 32-byte store encryption key. Flag
	// --key-file, env SYNCHRONIZER_KEY_FILE; default <data>/synchronizer.key.
	KeyFile string
	// Key is the store encryption key itself (hex or base64 of 32 bytes). It
	// is read only from the environment (SYNCHRONIZER_KEY), never from a flag,
	// so it does not show up in process listings.
	Key string
	// Domains are the public DNS names to obtain ACME certificates for. Flag
	// --domain (repeatable), env SYNCHRONIZER_DOMAIN (comma-separated).
	// Setting one switches on automatic TLS.
	Domains []string
	// ACMEDirectory is the ACME directory URL of the certificate authority.
	// Flag --acme-directory, env SYNCHRONIZER_ACME_DIRECTORY, default Let's
	// Encrypt's production directory.
	ACMEDirectory string
	// ACMECA is a PEM file of extra root certificates to trust when talking
	// to the ACME directory (for a private CA or a test CA). Flag --acme-ca,
	// env SYNCHRONIZER_ACME_CA.
	ACMECA string
	// ACMEEmail is the contact address given to the ACME CA (optional). Flag
	// --acme-email, env SYNCHRONIZER_ACME_EMAIL.
	ACMEEmail string
	// HTTPSListen is the HTTPS listener used with --domain (TLS-ALPN-01 and
	// the application). Flag --https-listen, env SYNCHRONIZER_HTTPS_LISTEN,
	// default :443.
	HTTPSListen string
	// HTTPListen is the HTTP listener used with --domain (HTTP-01 challenges,
	// /healthz and a redirect to HTTPS). Flag --http-listen, env
	// SYNCHRONIZER_HTTP_LISTEN, default :80.
	HTTPListen string
	// TLSCert and TLSKey are PEM files of a certificate (chain) and its key
	// to serve HTTPS on Listen with. Flags --tls-cert/--tls-key, env
	// SYNCHRONIZER_TLS_CERT/SYNCHRONIZER_TLS_KEY.
	TLSCert string
	// TLSKey is the private key file that belongs to TLSCert.
	TLSKey string
	// SelfSigned serves HTTPS on Listen with a self-signed certificate for
	// localhost, 127.0.0.1 and ::1, kept in the store. Flag --self-signed,
	// env SYNCHRONIZER_SELF_SIGNED.
	SelfSigned bool
	// LogLevel is the minimum level logged: debug, info, warn or error. Flag
	// --log-level, env SYNCHRONIZER_LOG_LEVEL, default info.
	LogLevel string
	// Demo starts the demo mode (fakes of every connector with sample data).
	// Flag --demo, env SYNCHRONIZER_DEMO.
	Demo bool
	// AdminEmail and AdminPassword create the first admin at start when no
	// admin exists yet (automation). Env only: SYNCHRONIZER_ADMIN_EMAIL and
	// SYNCHRONIZER_ADMIN_PASSWORD.
	AdminEmail string
	// AdminPassword is the password of the bootstrap admin; see AdminEmail.
	AdminPassword string
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after SIGINT/SIGTERM. Flag --shutdown-timeout, env
	// SYNCHRONIZER_SHUTDOWN_TIMEOUT, default 30s.
	ShutdownTimeout time.Duration
	// RunRetentionDays is how many days sync runs and their applied
	// operations are kept (the newest 50 of each user are always kept);
	// 0 keeps every run. Flag --run-retention, env
	// SYNCHRONIZER_RUN_RETENTION, default 90.
	RunRetentionDays int
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies in
	// front of the appliance whose X-Forwarded-For header is believed: a
	// request from one of them counts as coming from the client address the
	// proxy recorded (rate limits, logs, the audit log). Flag --trusted-proxy
	// (repeatable), env SYNCHRONIZER_TRUSTED_PROXY (comma-separated). Empty:
	// no proxy header is believed.
	TrustedProxies []string
}

// runRetention is the engine's Config.RunRetention for c: negative (keep
// everything) when RunRetentionDays is 0.
func (c Config) runRetention() time.Duration {
	if c.RunRetentionDays == 0 {
		return -1
	}
	return time.Duration(c.RunRetentionDays) * 24 * time.Hour
}

// defaultConfig returns the configuration used when no flag or environment
// variable is given.
func defaultConfig() Config {
	return Config{
		Listen:           "127.0.0.1:8080",
		DataDir:          "./data",
		ACMEDirectory:    acme.LetsEncryptURL,
		HTTPSListen:      ":443",
		HTTPListen:       ":80",
		LogLevel:         "info",
		ShutdownTimeout:  30 * time.Second,
		RunRetentionDays: 90,
	}
}

// TLSMode names how the server does TLS.
type TLSMode string

// The TLS modes, chosen by configuration.
const (
	TLSOff        TLSMode = "off"         // plain HTTP on Listen
	TLSStatic     TLSMode = "static"      // --tls-cert/--tls-key on Listen
	TLSSelfSigned TLSMode = "self-signed" // generated certificate on Listen
	TLSACME       TLSMode = "acme"        // autocert on HTTPSListen + HTTPListen
)

// TLSMode reports the TLS mode the configuration selects.
func (c Config) TLSMode() TLSMode {
	switch {
	case len(c.Domains) > 0:
		return TLSACME
	case c.TLSCert != "":
		return TLSStatic
	case c.SelfSigned:
		return TLSSelfSigned
	default:
		return TLSOff
	}
}

// Level returns the slog level of LogLevel; Validate has checked it.
func (c Config) Level() slog.Level {
	lvl, _ := parseLevel(c.LogLevel)
	return lvl
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", s)
}

// Validate checks the configuration and returns an error naming the first
// flag at fault.
func (c Config) Validate() error {
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.DataDir == "" {
		return errors.New("--data: must not be empty")
	}
	if _, err := parseTrustedProxies(c.TrustedProxies); err != nil {
		return err
	}
	if err := checkAddr("--listen", c.Listen); err != nil {
		return err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key must be given together")
	}
	modes := 0
	if len(c.Domains) > 0 {
		modes++
	}
	if c.TLSCert != "" {
		modes++
	}
	if c.SelfSigned {
		modes++
	}
	if modes > 1 {
		return errors.New("--domain, --tls-cert/--tls-key and --self-signed exclude each other: choose one way to do TLS")
	}
	for _, d := range c.Domains {
		if err := checkDomain(d); err != nil {
			return err
		}
	}
	if len(c.Domains) > 0 {
		if err := checkAddr("--https-listen", c.HTTPSListen); err != nil {
			return err
		}
		if err := checkAddr("--http-listen", c.HTTPListen); err != nil {
			return err
		}
		if !strings.HasPrefix(c.ACMEDirectory, "https://") {
			return fmt.Errorf("--acme-directory: %q is not an https:// URL", c.ACMEDirectory)
		}
	} else if c.ACMECA != "" {
		return errors.New("--acme-ca is only used with --domain")
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("--shutdown-timeout: %s must be positive", c.ShutdownTimeout)
	}
	if c.RunRetentionDays < 0 || c.RunRetentionDays > 36500 {
		return fmt.Errorf("--run-retention: %d days must be between 0 (keep every run) and 36500", c.RunRetentionDays)
	}
	return nil
}

func checkAddr(flagName, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %q is not a host:port address (example: 127.0.0.1:8080)", flagName, addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%s: %q has an invalid port", flagName, addr)
	}
	if strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("%s: %q has an invalid host", flagName, addr)
	}
	return nil
}

func checkDomain(d string) error {
	switch {
	case d == "":
		return errors.New("--domain: empty name")
	case strings.Contains(d, "://") || strings.ContainsAny(d, "/:@ "):
		return fmt.Errorf("--domain: %q must be a bare DNS name (no scheme, port or path)", d)
	case net.ParseIP(d) != nil:
		return fmt.Errorf("--domain: %q is an IP address; ACME certificates need a DNS name (use --self-signed for IPs)", d)
	case !strings.Contains(strings.Trim(d, "."), "."):
		return fmt.Errorf("--domain: %q is not a fully qualified DNS name", d)
	}
	return nil
}

// listFlag is a repeatable string flag. Values taken from the environment
// are replaced, not extended, by the first value given on the command line.
type listFlag struct {
	values  *[]string
	fromEnv bool
}

func (l *listFlag) String() string {
	if l.values == nil {
		return ""
	}
	return strings.Join(*l.values, ",")
}

func (l *listFlag) Set(s string) error {
	if l.fromEnv {
		*l.values = nil
		l.fromEnv = false
	}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l.values = append(*l.values, strings.ToLower(v))
		}
	}
	return nil
}

// flagSpec describes one flag for the help text and the environment twin.
type flagSpec struct {
	name  string
	arg   string // placeholder in the help text; empty for booleans
	usage string
}

// serveFlags lists the flags of `serve` in the order of the help text.
var serveFlags = []flagSpec{
	{"listen", "ADDR", "address of the HTTP listener (HTTPS with --tls-cert or --self-signed)"},
	{"data", "DIR", "data directory holding the store"},
	{"key-file", "FILE", "file with the store encryption key (default <data>/synchronizer.key; env SYNCHRONIZER_KEY holds the key itself)"},
	{"domain", "NAME", "public DNS name to get a certificate for with ACME (repeatable; env: comma-separated)"},
	{"acme-directory", "URL", "ACME directory of the certificate authority"},
	{"acme-ca", "FILE", "PEM file of root certificates to trust for the ACME directory (private or test CA)"},
	{"acme-email", "ADDR", "contact e-mail given to the ACME certificate authority"},
	{"https-listen", "ADDR", "HTTPS listener used with --domain"},
	{"http-listen", "ADDR", "HTTP listener used with --domain (challenges, redirect to HTTPS)"},
	{"tls-cert", "FILE", "PEM certificate (chain) to serve HTTPS with on --listen"},
	{"tls-key", "FILE", "PEM private key of --tls-cert"},
	{"self-signed", "", "serve HTTPS on --listen with a self-signed certificate kept in the store"},
	{"log-level", "LEVEL", "minimum log level: debug, info, warn, error"},
	{"demo", "", "start with demo connectors and sample data"},
	{"shutdown-timeout", "DURATION", "how long in-flight requests may take to finish on shutdown"},
	{"run-retention", "DAYS", "days sync runs and their operations are kept (the last 50 per user always; 0 keeps all)"},
	{"trusted-proxy", "CIDR", "reverse proxy (address or range) whose X-Forwarded-For names the client (repeatable; env: comma-separated)"},
}

// envName returns the environment twin of a flag name.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newServeFlagSet binds the serve flags to cfg.
func newServeFlagSet(cfg *Config, domains, proxies *listFlag) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "")
	fs.StringVar(&cfg.KeyFile, "key-file", cfg.KeyFile, "")
	fs.Var(domains, "domain", "")
	fs.StringVar(&cfg.ACMEDirectory, "acme-directory", cfg.ACMEDirectory, "")
	fs.StringVar(&cfg.ACMECA, "acme-ca", cfg.ACMECA, "")
	fs.StringVar(&cfg.ACMEEmail, "acme-email", cfg.ACMEEmail, "")
	fs.StringVar(&cfg.HTTPSListen, "https-listen", cfg.HTTPSListen, "")
	fs.StringVar(&cfg.HTTPListen, "http-listen", cfg.HTTPListen, "")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "")
	fs.BoolVar(&cfg.SelfSigned, "self-signed", cfg.SelfSigned, "")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "")
	fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "")
	fs.IntVar(&cfg.RunRetentionDays, "run-retention", cfg.RunRetentionDays, "")
	fs.Var(proxies, "trusted-proxy", "")
	return fs
}

// usageError is a command-line mistake: the caller prints it with the usage
// text and exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// loadServeConfig builds the serve configuration from the defaults, the
// environment (getenv) and the command-line arguments, in that order of
// increasing precedence, and validates it.
func loadServeConfig(args []string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	domains := &listFlag{values: &cfg.Domains}
	proxies := &listFlag{values: &cfg.TrustedProxies}
	fs := newServeFlagSet(&cfg, domains, proxies)
	for _, spec := range serveFlags {
		v := getenv(envName(spec.name))
		if v == "" {
			continue
		}
		if err := fs.Set(spec.name, v); err != nil {
			return cfg, &usageError{fmt.Sprintf("environment variable %s: invalid value %q: %v", envName(spec.name), v, unwrapFlagErr(err))}
		}
		switch spec.name {
		case "domain":
			domains.fromEnv = true
		case "trusted-proxy":
			proxies.fromEnv = true
		}
	}
	cfg.Key = getenv(envPrefix + "KEY")
	cfg.AdminEmail = getenv(envPrefix + "ADMIN_EMAIL")
	cfg.AdminPassword = getenv(envPrefix + "ADMIN_PASSWORD")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, &usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &usageError{err.Error()}
	}
	return cfg, nil
}

func unwrapFlagErr(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// writeServeHelp prints the help of `serve`, one line per flag with its
// environment twin and default.
func writeServeHelp(w io.Writer) {
	def := defaultConfig()
	defaults := map[string]string{
		"listen":           def.Listen,
		"data":             def.DataDir,
		"acme-directory":   def.ACMEDirectory,
		"https-listen":     def.HTTPSListen,
		"http-listen":      def.HTTPListen,
		"log-level":        def.LogLevel,
		"shutdown-timeout": def.ShutdownTimeout.String(),
	}
	fmt.Fprintf(w, "Usage: synchronizer serve [flags]\n\n")
	fmt.Fprintf(w, "Serve the dashboard and the GraphQL API at /graphql.\n")
	fmt.Fprintf(w, "Every flag has an environment twin; a flag overrides its variable.\n\n")
	fmt.Fprintf(w, "Flags:\n")
	for _, s := range serveFlags {
		name := "--" + s.name
		if s.arg != "" {
			name += " " + s.arg
		}
		fmt.Fprintf(w, "  %-28s %s\n", name, s.usage)
		extra := "env " + envName(s.name)
		if d, ok := defaults[s.name]; ok {
			extra += ", default " + d
		}
		fmt.Fprintf(w, "  %-28s (%s)\n", "", extra)
	}
	fmt.Fprintf(w, "\nTLS: --domain uses ACME (TLS-ALPN-01 on --https-listen, HTTP-01 and a redirect on\n")
	fmt.Fprintf(w, "--http-listen); --tls-cert/--tls-key or --self-signed serve HTTPS on --listen;\n")
	fmt.Fprintf(w, "otherwise plain HTTP on --listen. TLS 1.2 is the minimum.\n")
	fmt.Fprintf(w, "\nFirst admin: open the setup URL printed at start, or set SYNCHRONIZER_ADMIN_EMAIL and\n")
	fmt.Fprintf(w, "SYNCHRONIZER_ADMIN_PASSWORD to create it at start.\n")
}

// osGetenv is os.Getenv; tests pass their own lookup.
var osGetenv = os.Getenv
