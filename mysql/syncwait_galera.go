package mysql

import (
	"context"
	"strings"
	"sync/atomic"
)

// SyncWaitHead starts a statement that a Galera node runs only once it has
// applied every write set the cluster committed before the statement
// began (wsrep_sync_wait = 15: reads, updates, deletes, inserts and SHOW):
// what a replica on another node just wrote is seen.
const SyncWaitHead = Tag + "SET STATEMENT wsrep_sync_wait=15 FOR "

// SyncWaitReads turns the causal reads on (the default). Benchmarks turn
// it off to measure what the reads cost; nothing else should.
var SyncWaitReads atomic.Bool

func init() { SyncWaitReads.Store(true) }

// wsrepState remembers whether the meta schema's server is a Galera node
// (@@wsrep_on), asked once.
type wsrepState struct {
	known, on atomic.Bool
}

// causal returns query (which starts with Tag) to be run with
// wsrep_sync_wait when the backup server is a Galera node, else query
// itself. It is for the few meta reads that decide access or a job's
// state — a revoked session, the login throttle's counters, a job just
// submitted on another replica — and never for the pages (nor the job
// notifications every page shows):
// during a snapshot a node may apply writes seconds late, and every
// statement that waits for it waits that long. Safe for concurrent use.
func (m *Meta) causal(ctx context.Context, query string) string {
	if !m.wsrep.known.Load() {
		var on int
		err := m.db.QueryRowxContext(ctx, Tag+"SELECT @@wsrep_on").Scan(&on)
		if err == nil || IsErrorNumber(err, ErrUnknownSystemVariable) {
			m.wsrep.on.Store(err == nil && on == 1)
			m.wsrep.known.Store(true)
		}
	}
	if !m.wsrep.on.Load() || !SyncWaitReads.Load() {
		return query
	}
	return SyncWaitHead + strings.TrimPrefix(query, Tag)
}
