package mysql

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// maxCachedUserQueries bounds the schemas whose login query is kept: each
// snapshot makes a new slot, so old ones are dropped in a while.
const maxCachedUserQueries = 16

// compiledUserQuery is the login query of one schema, without the login.
type compiledUserQuery struct {
	query string
	args  []any // the rules' values; never appended to in place
	f     flavor
}

// userQueries compiles the login query of spec once per schema. It is safe
// for concurrent use.
type userQueries struct {
	spec     UserSpec
	mu       sync.Mutex
	bySchema map[string]compiledUserQuery
}

func newUserQueries(spec UserSpec) *userQueries {
	return &userQueries{spec: spec, bySchema: map[string]compiledUserQuery{}}
}

// get returns the compiled query of schema, compiling it from the catalog
// the first time (errors as userQuery, not cached).
func (q *userQueries) get(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema string) (compiledUserQuery, error) {
	q.mu.Lock()
	c, ok := q.bySchema[schema]
	q.mu.Unlock()
	if ok {
		return c, nil
	}
	query, args, f, err := userQuery(ctx, conn, cat, schema, q.spec)
	if err != nil {
		return compiledUserQuery{}, err
	}
	c = compiledUserQuery{query: query, args: args, f: f}
	q.mu.Lock()
	if len(q.bySchema) >= maxCachedUserQueries {
		clear(q.bySchema)
	}
	q.bySchema[schema] = c
	q.mu.Unlock()
	return c, nil
}

// forget drops the compiled query of schema (its tables may have changed).
func (q *userQueries) forget(schema string) {
	q.mu.Lock()
	delete(q.bySchema, schema)
	q.mu.Unlock()
}
