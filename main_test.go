package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test re-run this test binary as the real command: with
// SYNCHRONIZER_TEST_MAIN=1 it calls main() with the arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("SYNCHRONIZER_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"synchronizer"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// process is the command running as a child process.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	addr   string
	done   chan struct{}
	code   int
}

var listeningAddr = regexp.MustCompile(`"msg":"listening","listener":"http","addr":"([^"]+)"`)

func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...) //nolint:gosec // the test binary itself
	cmd.Env = append(os.Environ(), "SYNCHRONIZER_TEST_MAIN=1")
	p := &process{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(stdout)) }()
	go func() {
		_ = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := listeningAddr.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("process exited early (%d):\n%s", p.code, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("process did not start:\n%s", p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *process) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		t.Fatalf("process still running after %s:\n%s", d, p.stderr.String())
		return -1
	}
}

// slowRequest starts a POST whose body is only half sent, so the request
// stays in flight until finish is called.
func slowRequest(t *testing.T, addr string) (finish func() string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"query":"{ systemStatus { state } }"}`
	half := len(body) / 2
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		addr, len(body), body[:half])
	return func() string {
		defer conn.Close()
		if _, err := io.WriteString(conn, body[half:]); err != nil {
			return "write: " + err.Error()
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, _ := io.ReadAll(conn)
		return string(resp)
	}
}

// waitInFlight polls /metrics until the slow request is being served: the
// in-flight gauge counts it plus the scrape itself.
func waitInFlight(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "\nsynchronizer_http_requests_in_flight 2\n") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the slow request never reached the server")
}

// TestSignals runs the real main in a child process: SIGTERM lets an
// in-flight request finish and exits 0 after closing the store; a second
// signal during the shutdown exits 1 at once.
func TestSignals(t *testing.T) {
	t.Parallel()
	t.Run("graceful", func(t *testing.T) {
		t.Parallel()
		p := startProcess(t, "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "d"))
		finish := slowRequest(t, p.addr)
		waitInFlight(t, p.addr)
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		select {
		case <-p.done:
			t.Fatalf("exited with a request in flight:\n%s", p.stderr.String())
		default:
		}
		resp := finish()
		if !strings.HasPrefix(resp, "HTTP/1.1 200") || !strings.Contains(resp, "SETUP") {
			t.Errorf("in-flight request got %q", resp)
		}
		if code := p.wait(t, 10*time.Second); code != 0 {
			t.Errorf("exit code %d:\n%s", code, p.stderr.String())
		}
		if !strings.Contains(p.stderr.String(), `"msg":"store closed"`) {
			t.Errorf("store not closed cleanly:\n%s", p.stderr.String())
		}
	})
	t.Run("second signal forces", func(t *testing.T) {
		t.Parallel()
		p := startProcess(t, "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "d"), "--shutdown-timeout", "1m")
		finish := slowRequest(t, p.addr)
		defer finish()
		waitInFlight(t, p.addr)
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t, 5*time.Second); code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		if !strings.Contains(p.stderr.String(), "second signal") {
			t.Errorf("no message about the forced exit:\n%s", p.stderr.String())
		}
	})
	t.Run("unknown flag exits 2", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "serve", "--bogus") //nolint:gosec // the test binary itself
		cmd.Env = append(os.Environ(), "SYNCHRONIZER_TEST_MAIN=1")
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "-bogus") {
			t.Errorf("exit %d: %s", cmd.ProcessState.ExitCode(), out)
		}
	})
}
