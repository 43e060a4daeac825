package server_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
)

// checkPasswordChangeEndsSession logs login in, changes its password hash
// in the users table of schema, and checks that the session works until
// the cached check (ttl) expires and not after: it is revoked (logging in
// with the new password works), and audited.
func (f *loginFixture) checkPasswordChangeEndsSession(t *testing.T, schema, login string, ttl time.Duration) {
	t.Helper()
	c := f.mustLogin(t, login)
	hash := must(bcrypt.GenerateFromPassword([]byte(testPassword+" 2"), bcrypt.MinCost))
	root := mysqltest.MustOpen(t)
	if _, err := root.Exec("UPDATE `"+schema+"`.users SET password_hash = ? WHERE login_id = ?", hash, login); err != nil {
		t.Fatal(err)
	}
	if r := f.me(t, c); r.status != 200 {
		t.Fatalf("/me within the cache = %d, want 200", r.status)
	}
	f.clock.Add(ttl + time.Second)
	if r := f.me(t, c); r.status != 401 {
		t.Fatalf("/me after the password changed = %d %s, want 401", r.status, r.body)
	}
	entries, _ := f.meta.AuditEntries(context.Background(), 0, 1)
	if len(entries) != 1 || entries[0].Action != weekback.AuditRefused || entries[0].Detail != "password changed since the session began" {
		t.Fatalf("last audit entry = %+v, want the session refused for the password change", entries)
	}
	if r := f.login(t, login, testPassword+" 2", "/", nil); r.status != 303 {
		t.Fatalf("login with the new password = %d, want 303", r.status)
	}
	if r := f.me(t, c); r.status != 401 {
		t.Fatalf("/me with the old session after a new login = %d, want 401", r.status)
	}
}

// TestPasswordChangeEndsSession: auth.source newest.
func TestPasswordChangeEndsSession(t *testing.T) {
	f := MustOpenLoginServer(t)
	f.checkPasswordChangeEndsSession(t, f.slot, "argon", server.DefaultUserCacheTTL)
}

// TestProductionPasswordChangeEndsSession: auth.source production.
func TestProductionPasswordChangeEndsSession(t *testing.T) {
	f := MustOpenProductionServer(t)
	f.checkPasswordChangeEndsSession(t, f.schema, "produser", productionTTL)
}
