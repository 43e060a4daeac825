package compare

import (
	"errors"
	"testing"

	"github.com/weekback/weekback/mysql"
)

// feed returns a reader over rows (one value each, the order value) that
// ends with err when err is not nil.
func feed(err error, rows ...string) *reader {
	ch := make(chan *batch, len(rows)+1)
	for _, r := range rows {
		ch <- &batch{rows: [][][]byte{{[]byte(r)}}}
	}
	if err != nil {
		ch <- &batch{err: err}
	}
	close(ch)
	return &reader{ch: ch}
}

// TestMergeStopsOnReadError: a side whose scan fails must not look as if
// it ended, or the other side's remaining rows would be reported added.
func TestMergeStopsOnReadError(t *testing.T) {
	boom := errors.New("connection lost")
	for _, keyed := range []bool{true, false} {
		p := &tablePlan{cols: make([]mysql.RecordColumn, 1), order: []mysql.OrderKey{{Kind: mysql.OrderInt}}, orderPos: []int{0}}
		if keyed {
			p.key = []*mysql.RecordColumn{{}}
		}
		var added, deleted int64
		s := sink{
			from:    func(_ [][]byte, n int64) error { deleted += n; return nil },
			to:      func(_ [][]byte, n int64) error { added += n; return nil },
			changed: func(_, _ [][]byte) error { return nil },
			same:    func(int64) {},
		}
		rf, rt := feed(boom, "1", "2"), feed(nil, "1", "2", "3", "4", "5")
		var err error
		if keyed {
			err = p.mergeKeyed(rf, rt, s)
		} else {
			err = p.mergeGroups(rf, rt, s)
		}
		if !errors.Is(err, boom) || added != 0 || deleted != 0 {
			t.Errorf("keyed=%v: err %v, added %d, deleted %d; want the read error and nothing added or deleted", keyed, err, added, deleted)
		}
	}
}
