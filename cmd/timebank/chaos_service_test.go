package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv names the command line a re-executed test binary runs as the service, so that the chaos
// tests can kill a real server process without building another binary.
const childEnv = "TIMEBANK_TEST_CHILD"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, strings.Fields(args), os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "timebank:", err)
			os.Exit(exitCode(err))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serviceProcess is `timebank serve` in a process of its own.
type serviceProcess struct {
	t    *testing.T
	env  []string
	url  string
	logs string
	cmd  *exec.Cmd
	done chan error
}

func newServiceProcess(t *testing.T, env []string, port int) *serviceProcess {
	s := &serviceProcess{t: t, url: fmt.Sprintf("http://127.0.0.1:%d", port),
		logs: filepath.Join(t.TempDir(), "service.log"),
		env:  append(env, fmt.Sprintf("TIMEBANK_ADDR=127.0.0.1:%d", port))}
	s.start()
	t.Cleanup(func() { s.signal(syscall.SIGKILL) })
	return s
}

// start starts the service and waits until it answers /readyz.
func (s *serviceProcess) start() {
	s.t.Helper()
	log, err := os.OpenFile(s.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	s.cmd = exec.Command(os.Args[0], "-test.run=^$")
	s.cmd.Env = append(append(os.Environ(), s.env...), childEnv+"=serve --migrate")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan error, 1)
	go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(s.cmd, s.done)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-s.done:
			b, _ := os.ReadFile(s.logs)
			s.t.Fatalf("the service exited at start (%v):\n%s", err, tail(b))
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(s.logs)
			s.t.Fatalf("the service did not become ready:\n%s", tail(b))
		}
	}
}

// signal sends sig and waits for the process to end.
func (s *serviceProcess) signal(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
