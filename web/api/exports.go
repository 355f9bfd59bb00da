package api

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/export"
	"timebank/web/observe"
	"timebank/web/problem"
)

// exportDeadline is how long the connection may take to accept the next piece of an export before
// the download is given up; it is renewed as the file goes out, so a large export is not cut by the
// server's write timeout.
const exportDeadline = 30 * time.Second

// exportRun writes an export on w and returns how many rows it wrote.
type exportRun func(ctx context.Context, f export.Format, w io.Writer) (int, error)

// exportFormat is the format the route names by its extension (.csv or .xlsx).
func exportFormat(c *fiber.Ctx) export.Format {
	if strings.HasSuffix(c.Route().Path, ".xlsx") {
		return export.XLSX
	}
	return export.CSV
}

// exportPeriod reads ?from= and ?to= (YYYY-MM-DD, China Standard Time days, both included; either
// may be left out).
func exportPeriod(c *fiber.Ctx) (export.Period, error) {
	var p export.Period
	for _, q := range []struct {
		name string
		t    *time.Time
	}{{"from", &p.From}, {"to", &p.To}} {
		v := c.Query(q.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return p, problem.BadRequest(q.name, "date")
		}
		*q.t = t
	}
	if !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
		return p, problem.BadRequest("to", "period_order")
	}
	return p, nil
}

// streamExport answers with the export as it is written: the rows go out as they are read from
// the database, so that neither the server nor PostgreSQL holds the whole file. Everything that can
// be refused is checked before (the rule of the route, the period); a failure once the file has
// begun can only cut it short, and is logged.
func (s *server) streamExport(c *fiber.Ctx, name string, run exportRun) error {
	f := exportFormat(c)
	// The stream outlives the handler and its fiber.Ctx: it gets only what it needs, now.
	ctx, conn := c.UserContext(), c.Context().Conn()
	ctx, finished, err := s.exportProgress(c, ctx)
	if err != nil {
		return err
	}
	path, rid := strings.Clone(c.Path()), observe.RequestID(c)
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.`+string(f)+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		w := &deadlineWriter{w: bw, conn: conn}
		n, err := run(ctx, f, w)
		if err == nil {
			err = bw.Flush()
		}
		finished(n, true)
		if err != nil {
			s.log.Warn("export cut short", "path", path, "rows", n, "err", err, "request_id", rid)
		}
	})
	return nil
}

// deadlineWriter renews the connection's write deadline as an export goes out.
type deadlineWriter struct {
	w       io.Writer
	conn    net.Conn
	renewed time.Time
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if now := time.Now(); d.conn != nil && now.Sub(d.renewed) > time.Second {
		_ = d.conn.SetWriteDeadline(now.Add(exportDeadline))
		d.renewed = now
	}
	return d.w.Write(p)
}
