package web

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
)

// An export streams through the HTTP server: the rows go to the connection as they are read, so
// the process's heap in use while a hundred thousand rows go out is about what it is while ten
// thousand do (a ratio of the peaks, not a clock), and the file read back over a real connection
// holds every row. (The million-row run is pkg/activity's TestExportOfAMillionRecords, at the
// service, beside the data it seeds.)
func TestExportStreamsOverHTTP(t *testing.T) {
	app, d := newTestApp(t)
	w := newWorld(t, d)
	base := serve(t, app)
	path := fmt.Sprintf("%s/api/v1/orgs/%d/records.csv", base, w.a.ID)

	seedRecords(t, d.DB, w.a.ID, "5", 10, 1000)
	small := exportOnce(t, path, w.tokens[coordA])
	seedRecords(t, d.DB, w.a.ID, "6", 90, 1000)
	large := exportOnce(t, path, w.tokens[coordA])

	t.Logf("10⁴ rows: %d bytes, peak heap in use %d MiB, allocated %d MiB", small.bytes, small.peak>>20, small.alloc>>20)
	t.Logf("10⁵ rows: %d bytes, peak heap in use %d MiB, allocated %d MiB", large.bytes, large.peak>>20, large.alloc>>20)
	if small.rows != 10_000 || large.rows != 100_000 {
		t.Fatalf("rows read back: %d and %d", small.rows, large.rows)
	}
	// Ten times the rows (and the bytes) may not take much more heap: a response held whole would
	// add its size (16 MB here), twice over once copied into the server's buffer.
	if ratio := float64(large.peak) / float64(small.peak); ratio > 2 {
		t.Errorf("peak heap in use grew %.2f× for 10× the rows", ratio)
	}
}

// exported is what one export took and gave.
type exported struct {
	rows        int
	bytes       int64
	peak, alloc uint64 // the peak of HeapInuse while it ran; TotalAlloc's growth
}

// exportOnce downloads the export over the connection, counting its rows as a CSV reader reads
// them (the test holds no more than a row either), while a sampler notes the heap in use.
func exportOnce(t *testing.T, url, token string) exported {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var (
		mu   sync.Mutex
		peak uint64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	counted := &countingReader{r: resp.Body}
	br := bufio.NewReader(counted)
	if bom, _, err := br.ReadRune(); err != nil || bom != '\uFEFF' {
		t.Fatalf("no byte order mark: %q %v", bom, err)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	rows := -1 // the header
	for {
		_, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("after %d rows: %v", rows, err)
		}
		rows++
	}
	close(stop)
	<-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return exported{rows: rows, bytes: counted.n, peak: peak, alloc: after.TotalAlloc - before.TotalAlloc}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
