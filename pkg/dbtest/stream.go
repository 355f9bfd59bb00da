package dbtest

import (
	"bufio"
	"encoding/csv"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Streamed is what reading a streamed CSV export took and gave: its data rows and bytes, the peak
// of the heap in use while it was read (sampled every 20 ms), and the bytes allocated meanwhile.
type Streamed struct {
	Rows        int
	Bytes       int64
	Peak, Alloc uint64
}

// ReadCSVStream reads the CSV export open() starts (UTF-8 with a byte order mark and a header row)
// row by row, never holding more than a row, while it samples the heap: a test compares the peaks
// of a small and a large export to see that the export streams. open returns the export's reader
// and a function that says, once the reader is drained, whether the export succeeded.
func ReadCSVStream(t testing.TB, open func() (io.Reader, func() error)) Streamed {
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
	src, finished := open()
	counted := &byteCounter{r: src}
	br := bufio.NewReader(counted)
	if bom, _, err := br.ReadRune(); err != nil || bom != '\uFEFF' {
		t.Fatalf("no byte order mark: %q %v", bom, err)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	rows := -1 // the header
	for {
		if _, err := r.Read(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("after %d rows: %v", rows, err)
		}
		rows++
	}
	if err := finished(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	mu.Lock()
	defer mu.Unlock()
	return Streamed{Rows: rows, Bytes: counted.n, Peak: peak, Alloc: after.TotalAlloc - before.TotalAlloc}
}

// byteCounter counts the bytes read through it.
type byteCounter struct {
	r io.Reader
	n int64
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
