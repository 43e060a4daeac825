package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
)

// productionTTL is the short check cache the production tests inject.
const productionTTL = 5 * time.Second

// productionFixture is a login server whose users come from a production
// schema of their own (auth.source: production), reached through a proxy
// the test can cut. Monday's generation has the usual users; production
// has only "produser" (and "bcrypt").
type productionFixture struct {
	*loginFixture
	schema string
	proxy  *mysqltest.Proxy
}

func MustOpenProductionServer(t *testing.T) *productionFixture {
	t.Helper()
	root := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, root, "wbprod_")
	mysqltest.MustExec(t, root,
		"CREATE TABLE `"+schema+"`.users (id INT PRIMARY KEY, login_id VARCHAR(64) NOT NULL UNIQUE, password_hash VARCHAR(255) NOT NULL, "+
			"can_manage_settings TINYINT NOT NULL, role VARCHAR(32) NOT NULL)")
	for i, login := range []string{"produser", "bcrypt"} {
		if _, err := root.Exec("INSERT INTO `"+schema+"`.users VALUES (?, ?, ?, 1, 'staff')", i+1, login, bcryptHash(t)); err != nil {
			t.Fatal(err)
		}
	}
	proxy := mysqltest.NewProxy(t, mysqltest.ServerAddr(t))
	prod, err := mysql.OpenProduction(context.Background(), mysqltest.DSNVia(t, proxy, schema), "source.dsn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prod.Close() })
	lf := MustOpenLoginServer(t, func(s *server.Server) {
		s.Users = mysql.ProductionUsers(prod, schema, mysql.NewCatalog(), testUserSpec)
		s.UserCacheTTL = productionTTL
	})
	return &productionFixture{loginFixture: lf, schema: schema, proxy: proxy}
}

// TestProductionDecidesWhoLogsIn: with auth.source production, a user
// only in production logs in and one only in the backups does not.
func TestProductionDecidesWhoLogsIn(t *testing.T) {
	f := MustOpenProductionServer(t)
	c := f.mustLogin(t, "produser")
	if me := f.me(t, c); me.status != 200 || !strings.Contains(me.body, `"login":"produser"`) {
		t.Fatalf("/me = %d %s, want produser", me.status, me.body)
	}
	if r := f.login(t, "argon", testPassword, "/", nil); r.status != 401 {
		t.Fatalf("login of a user only in the backups = %d, want 401", r.status)
	}
}

// TestProductionRemovalEndsAccess: a user removed from production keeps
// access until the cached check expires, then loses it.
func TestProductionRemovalEndsAccess(t *testing.T) {
	f := MustOpenProductionServer(t)
	f.checkRemovalEndsAccess(t, f.schema, "produser", productionTTL)
}

// TestProductionUnreachable: while production does not answer, a login
// gets the form again with 503 and a sentence saying so (in the reader's
// language); a logged-in user keeps access until the cached check
// expires (checking again past half of it fails, and the cached answer
// stands), then gets 503 too; logins work again once production answers.
func TestProductionUnreachable(t *testing.T) {
	f := MustOpenProductionServer(t)
	c := f.mustLogin(t, "bcrypt")
	f.proxy.Cut()
	r := f.login(t, "produser", testPassword, "/", nil)
	assertBody(t, "login while production is down", r.body, []string{"The production database cannot be reached to check logins.",
		`name="password"`}, []string{"internal", "goroutine"})
	if r.status != http.StatusServiceUnavailable || r.cookies[server.SessionCookie] != nil {
		t.Fatalf("login while production is down = %d, cookies %v; want 503 without a session", r.status, r.cookies)
	}
	cookie, token := f.loginForm(t)
	form := url.Values{"login": {"produser"}, "password": {testPassword}, "next": {"/"}, "csrf": {token}}
	ja := f.request(t, "POST", "/login", form, []*http.Cookie{cookie, langCookie("ja")}, nil)
	assertBody(t, "login in Japanese", ja.body, []string{"ログインを確認するための本番データベースに接続できません。"}, nil)
	if me := f.me(t, c); me.status != 200 {
		t.Fatalf("/me within the cache TTL = %d, want 200", me.status)
	}
	f.clock.Add(productionTTL/2 + 500*time.Millisecond)
	if me := f.me(t, c); me.status != 200 {
		t.Fatalf("/me past half the TTL (the check again fails, the cached answer stands) = %d, want 200", me.status)
	}
	f.clock.Add(productionTTL / 2)
	if me := f.me(t, c); me.status != http.StatusServiceUnavailable || !strings.Contains(me.body, "cannot be reached") {
		t.Fatalf("/me after the cache TTL = %d %s, want 503 saying production cannot be reached", me.status, me.body)
	}
	f.proxy.Restore()
	f.mustLogin(t, "produser")
}
