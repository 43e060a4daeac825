package server

// The change sets of the meta schema: the layer under the change cache's
// memory, shared by every replica and kept across restarts.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
)

// changeStoreTimeout bounds each read or write of a stored change set.
const changeStoreTimeout = 10 * time.Second

// stored returns the change set of from and to that the meta schema
// keeps, ok false when there is none (or it is of another engine
// version, or unreadable: then the pair is compared again).
func (cc *changeCache) stored(from, to *weekback.Generation) (tables []compare.TableChange, ok bool) {
	if cc.store == nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(cc.ctx, changeStoreTimeout)
	defer cancel()
	cs, err := cc.store.ChangeSet(ctx, from.Slot, to.Slot)
	if err == nil && cs != nil && cs.Engine == compare.EngineVersion {
		if err = json.Unmarshal(cs.Tables, &tables); err == nil {
			return tables, true
		}
		err = fmt.Errorf("decode change set %s..%s: %w", from.Slot, to.Slot, err)
	}
	if err != nil {
		cc.storeFailed(err)
	}
	return nil, false
}

// keep stores the change set of from and to in the meta schema.
func (cc *changeCache) keep(from, to *weekback.Generation, tables []compare.TableChange) {
	if cc.store == nil {
		return
	}
	body, err := json.Marshal(tables)
	if err != nil {
		cc.storeFailed(fmt.Errorf("encode change set: %w", err))
		return
	}
	ctx, cancel := context.WithTimeout(cc.ctx, changeStoreTimeout)
	defer cancel()
	cs := &weekback.ChangeSet{From: from.Slot, To: to.Slot, Engine: compare.EngineVersion, Tables: body}
	if err := cc.store.PutChangeSet(ctx, cs); err != nil {
		cc.storeFailed(err)
	}
}

func (cc *changeCache) storeFailed(err error) {
	if cc.onStoreError != nil && cc.ctx.Err() == nil {
		cc.onStoreError(err)
	}
}
