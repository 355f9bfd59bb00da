package export

import (
	"bytes"
	"context"
	"testing"
)

// A writer started on a context with a progress tells it of the rows while they are written, the
// first row at once, long before the file is finished; Expect tells the total.
func TestProgressWhileWriting(t *testing.T) {
	for _, f := range []Format{CSV, XLSX} {
		var told [][2]int
		ctx := WithProgress(context.Background(), func(rows, total int) { told = append(told, [2]int{rows, total}) })
		Expect(ctx, 500)
		var buf bytes.Buffer
		w, err := New(ctx, f, &buf, "表", []Column{{Header: "序号"}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 500 {
			if err := w.Row(i); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if len(told) < 2 || told[0] != [2]int{0, 500} || told[1] != [2]int{1, -1} {
			t.Errorf("%s: progress told %v, want the total and then the first row", f, told)
		}
	}
	var none bytes.Buffer
	if w, err := New(context.Background(), CSV, &none, "表", []Column{{Header: "序号"}}); err != nil {
		t.Fatal(err)
	} else if _, ok := w.(*progressWriter); ok {
		t.Error("a writer without progress tells it")
	}
}
