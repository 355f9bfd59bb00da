package main

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

// A request whose headers are over the limit is answered 431 before the server has read it all;
// the client must read that answer, not a connection reset.
func TestOversizeHeadersAreAnswered(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	_, prefix := dbtest.Redis(t)
	port := dbtest.FreePort(t)
	newServiceProcess(t, []string{"TIMEBANK_DATABASE_URL=" + url, "TIMEBANK_REDIS_PREFIX=" + prefix,
		"TIMEBANK_LOG_LEVEL=warn"}, port)
	header := "X-Filler: " + strings.Repeat("x", 512<<10) + "\r\n"
	answered := 0
	const tries = 20
	for i := range tries {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		// The whole request (half a megabyte of headers: more than the socket buffers hold) is
		// written before the answer is read, as an HTTP client does; a reset makes the write fail.
		_, werr := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n%s\r\n", header)
		line, err := bufio.NewReader(conn).ReadString('\n')
		if werr != nil { // a client that could not send its request does not read the answer either
			err = werr
		}
		conn.Close()
		if err == nil && strings.HasPrefix(line, "HTTP/1.1 431") {
			answered++
		} else {
			t.Logf("try %d: %q %v", i, line, err)
		}
	}
	if answered != tries {
		t.Fatalf("%d of %d oversize requests got their 431, the rest a reset", answered, tries)
	}
}
