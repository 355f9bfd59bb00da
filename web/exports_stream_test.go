package web

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"timebank/pkg/dbtest"
)

// An export streams through the HTTP server: the rows go to the connection as they are read, so
// the process's heap in use while a hundred thousand rows go out is about what it is while ten
// thousand do (a ratio of the peaks, not a clock), and the file read back over a real connection
// holds every row. (The million-row run is pkg/activity's TestExportOfManyRecords under `make
// export-million`, at the service, beside the data it seeds.) It is the one test of the package
// that does not run in parallel: the heap it measures is the whole process's.
func TestExportStreamsOverHTTP(t *testing.T) {
	app, d := newTestApp(t)
	w := newWorld(t, d)
	base := serve(t, app)
	path := fmt.Sprintf("%s/api/v1/orgs/%d/records.csv", base, w.a.ID)

	seedRecords(t, d.DB, w.a.ID, "5", 10, 1000)
	small := exportOnce(t, path, w.tokens[coordA])
	seedRecords(t, d.DB, w.a.ID, "6", 90, 1000)
	large := exportOnce(t, path, w.tokens[coordA])

	t.Logf("10⁴ rows: %d bytes, peak heap in use %d MiB, allocated %d MiB", small.Bytes, small.Peak>>20, small.Alloc>>20)
	t.Logf("10⁵ rows: %d bytes, peak heap in use %d MiB, allocated %d MiB", large.Bytes, large.Peak>>20, large.Alloc>>20)
	if small.Rows != 10_000 || large.Rows != 100_000 {
		t.Fatalf("rows read back: %d and %d", small.Rows, large.Rows)
	}
	// Ten times the rows (and the bytes) may not take much more heap: a response held whole would
	// add its size (16 MB here), twice over once copied into the server's buffer.
	if ratio := float64(large.Peak) / float64(small.Peak); ratio > 2 {
		t.Errorf("peak heap in use grew %.2f× for 10× the rows", ratio)
	}
}

// exportOnce downloads the export over the connection, counting its rows as a CSV reader reads
// them (the test holds no more than a row either), while the heap in use is sampled.
func exportOnce(t *testing.T, url, token string) dbtest.Streamed {
	t.Helper()
	return dbtest.ReadCSVStream(t, func() (io.Reader, func() error) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != 200 {
			t.Fatalf("export: %d", resp.StatusCode)
		}
		return resp.Body, func() error { return nil }
	})
}
