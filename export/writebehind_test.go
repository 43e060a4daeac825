package export

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteBehind writes 20 MiB in odd-sized pieces after a header and
// checks that the file holds exactly what was written and, on Linux, that
// the writing of every completed chunk was started.
func TestWriteBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("header\r\n"); err != nil {
		t.Fatal(err)
	}
	w := WriteBehind(f)
	var want bytes.Buffer
	want.WriteString("header\r\n")
	piece := bytes.Repeat([]byte("0123456789abcdef\r\n"), 3641)
	for want.Len() < 20<<20 {
		if _, err := w.Write(piece); err != nil {
			t.Fatal(err)
		}
		want.Write(piece)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("file has %d bytes (%v), want the %d written", len(got), err, want.Len())
	}
	wb, ok := w.(*writeBehind)
	if ok != canWriteBehind {
		t.Fatalf("WriteBehind returned %T, want a writeBehind only where the hint exists", w)
	}
	if ok && (wb.off != int64(want.Len()) || wb.started < 16<<20 || wb.off-wb.started >= writeBehindChunk) {
		t.Fatalf("written %d, started %d; want %d written and all but the last chunk started", wb.off, wb.started, want.Len())
	}
}
