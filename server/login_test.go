package server_test

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
)

const (
	testBaseURL  = "http://weekback.test"
	testPassword = "correct horse"
	genericFail  = "Login or password is wrong, or this account may not use the backup environment."
)

var testUserSpec = mysql.UserSpec{Table: "users", LoginColumn: "login_id", PasswordColumn: "password_hash",
	Allow: []weekback.Condition{{Column: "can_manage_settings", Equals: "1"}},
	Admin: []weekback.Condition{{Column: "role", Equals: "superadmin"}}}

// clock is a settable clock shared by the server and its sessions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Now()} }
func bcryptHash(t *testing.T) string {
	return string(must(bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)))
}
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
func b64raw(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

func argon2Hash() string {
	salt := []byte("saltsaltsalt")
	h := argon2.IDKey([]byte(testPassword), salt, 1, 64, 1, 32)
	return fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=1$%s$%s", b64raw(salt), b64raw(h))
}

func djangoHash() string {
	h := must(pbkdf2.Key(sha256.New, testPassword, []byte("djangosalt"), 1000, 32))
	return "pbkdf2_sha256$1000$djangosalt$" + base64.StdEncoding.EncodeToString(h)
}

// loginFixture is a server whose newest ready generation (Monday) has a
// users table, with a clock the test controls.
type loginFixture struct {
	*fixture
	slot  string
	clock *clock
}

// MustOpenLoginServer returns a server over a fresh meta schema whose
// Monday slot holds users with every supported hash format.
func MustOpenLoginServer(t *testing.T, configure ...func(*server.Server)) *loginFixture {
	t.Helper()
	f := MustOpenServer(t, false)
	slot := f.meta.Prefix() + "_mon_r1"
	root := mysqltest.MustOpen(t)
	mysqltest.MustExec(t, root, "CREATE DATABASE `"+slot+"`",
		"CREATE TABLE `"+slot+"`.users (id INT PRIMARY KEY, login_id VARCHAR(64) NOT NULL UNIQUE, password_hash VARCHAR(255) NOT NULL, "+
			"can_manage_settings TINYINT NOT NULL, role VARCHAR(32) NOT NULL)")
	for i, u := range []struct{ login, hash, allow, role string }{
		{"bcrypt", bcryptHash(t), "1", "superadmin"},
		{"argon", argon2Hash(), "1", "staff"},
		{"django", djangoHash(), "1", "staff"},
		{"md5user", "$1$abcdefgh$0123456789abcdefghijkl", "1", "staff"},
		{"clerk", bcryptHash(t), "0", "staff"},
	} {
		if _, err := root.Exec("INSERT INTO `"+slot+"`.users VALUES (?, ?, ?, ?, ?)", i+1, u.login, u.hash, u.allow, u.role); err != nil {
			t.Fatal(err)
		}
	}
	f.mustSwitchMonday(t, slot)
	lf := &loginFixture{fixture: f, slot: slot, clock: newClock()}
	f.srv.Now, f.srv.Sessions.Now, f.meta.Now = lf.clock.Now, lf.clock.Now, lf.clock.Now
	for _, c := range configure {
		c(f.srv)
	}
	f.srv.Build()
	return lf
}

// response is what a request got back.
type response struct {
	status  int
	header  http.Header
	body    string
	cookies map[string]*http.Cookie
}

// request sends method path with form values and cookies.
func (f *loginFixture) request(t *testing.T, method, path string, form url.Values, cookies []*http.Cookie, header map[string]string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.srv.Handler().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: string(b), cookies: map[string]*http.Cookie{}}
	for _, c := range resp.Cookies() {
		r.cookies[c.Name] = c
	}
	return r
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginForm opens the login form and returns its CSRF cookie and token.
func (f *loginFixture) loginForm(t *testing.T) (*http.Cookie, string) {
	t.Helper()
	r := f.request(t, "GET", "/login", nil, nil, nil)
	m := csrfField.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil || r.cookies[server.CSRFCookie] == nil {
		t.Fatalf("GET /login = %d, csrf field %v, cookies %v", r.status, m, r.cookies)
	}
	return r.cookies[server.CSRFCookie], m[1]
}

// login posts the login form with extra headers.
func (f *loginFixture) login(t *testing.T, login, password, next string, header map[string]string) response {
	t.Helper()
	cookie, token := f.loginForm(t)
	form := url.Values{"login": {login}, "password": {password}, "next": {next}, "csrf": {token}}
	return f.request(t, "POST", "/login", form, []*http.Cookie{cookie}, header)
}

// mustLogin logs in and returns the session cookie.
func (f *loginFixture) mustLogin(t *testing.T, login string) *http.Cookie {
	t.Helper()
	r := f.login(t, login, testPassword, "/mon/", nil)
	c := r.cookies[server.SessionCookie]
	if r.status != 303 || c == nil {
		t.Fatalf("login %s = %d, cookies %v\n%s", login, r.status, r.cookies, r.body)
	}
	return c
}

// me asks GET /me as JSON with the cookie.
func (f *loginFixture) me(t *testing.T, c *http.Cookie) response {
	t.Helper()
	return f.request(t, "GET", "/me", nil, []*http.Cookie{c}, map[string]string{"Accept": "application/json"})
}

func TestLoginEachHashFormat(t *testing.T) {
	f := MustOpenLoginServer(t)
	for _, tt := range []struct {
		login string
		admin bool
	}{{"bcrypt", true}, {"argon", false}, {"django", false}} {
		t.Run(tt.login, func(t *testing.T) {
			r := f.login(t, tt.login, testPassword, "/mon/tables/orders?f.id=eq:1", nil)
			if r.status != 303 || r.header.Get("Location") != "/mon/tables/orders?f.id=eq:1" {
				t.Fatalf("status = %d, Location = %q, want 303 to next\n%s", r.status, r.header.Get("Location"), r.body)
			}
			c := r.cookies[server.SessionCookie]
			if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.Expires.IsZero() {
				t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/, with an expiry", c)
			}
			if got := time.Until(c.Expires); got < 7*time.Hour || got > 9*time.Hour {
				t.Errorf("cookie expires in %v, want the 8h TTL", got)
			}
			me := f.me(t, c)
			if me.status != 200 || !strings.Contains(me.body, `"login":"`+tt.login+`"`) || !strings.Contains(me.body, `"admin":`+strconv.FormatBool(tt.admin)) {
				t.Fatalf("/me = %d %s, want login %s admin %v", me.status, me.body, tt.login, tt.admin)
			}
			if cc := me.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("/me Cache-Control = %q, want no-store", cc)
			}
		})
	}
	entries, err := f.meta.AuditEntries(context.Background(), 0, 10)
	if err != nil || len(entries) != 3 || entries[0].Action != weekback.AuditLogin || entries[0].Outcome != weekback.OutcomeOK || entries[0].Client == "" {
		t.Fatalf("audit = %+v, %v; want three successful logins with a client", entries, err)
	}
}

func TestSecureCookieWithHTTPS(t *testing.T) {
	f := MustOpenLoginServer(t, func(s *server.Server) { s.BaseURL = "https://weekback.test" })
	r := f.login(t, "bcrypt", testPassword, "/", nil)
	c := r.cookies[server.SecureSessionCookie]
	if r.status != 303 || c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" {
		t.Fatalf("login over https = %d, cookies %v; want a Secure __Host- cookie", r.status, r.cookies)
	}
	if csrf := r.cookies[server.CSRFCookie]; csrf != nil && !csrf.Secure {
		t.Errorf("CSRF cookie not Secure over https")
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	f := MustOpenLoginServer(t)
	var bodies []string
	for _, tt := range []struct{ name, login, password string }{
		{"wrong password", "bcrypt", "nope"},
		{"unknown user", "mallory", testPassword},
		{"unknown hash format", "md5user", testPassword},
		{"not allowed", "clerk", testPassword},
		{"sql in login", "' OR 1=1 -- ", testPassword},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.login(t, tt.login, tt.password, "/", map[string]string{"Accept": "application/json"})
			if r.status != 401 || r.cookies[server.SessionCookie] != nil {
				t.Fatalf("status = %d, cookies %v; want 401 without a session", r.status, r.cookies)
			}
			bodies = append(bodies, r.body)
			if tt.name != "wrong password" && tt.name != "not allowed" {
				return // each unverifiable case costs a dummy bcrypt: keep the test fast
			}
			html := f.login(t, tt.login, tt.password, "/", nil)
			if html.status != 401 || !strings.Contains(html.body, genericFail) || strings.Contains(html.body, tt.password) {
				t.Fatalf("HTML status = %d, want 401 with the generic message and no password:\n%s", html.status, html.body)
			}
		})
	}
	for i, b := range bodies {
		if b != bodies[0] || !strings.Contains(b, genericFail) {
			t.Errorf("failure %d body = %s, want the same generic body as %s", i, b, bodies[0])
		}
	}
	entries, _ := f.meta.AuditEntries(context.Background(), 0, 100)
	for _, e := range entries {
		if e.Outcome != weekback.OutcomeFailed || strings.Contains(e.Detail, testPassword) || strings.Contains(e.Detail, "nope") {
			t.Errorf("audit entry %+v: want a failure without the password", e)
		}
	}
}

func TestMeWithoutSession(t *testing.T) {
	f := MustOpenLoginServer(t)
	r := f.request(t, "GET", "/me", nil, nil, nil)
	if r.status != 303 || r.header.Get("Location") != "/login?next=/me" {
		t.Fatalf("HTML /me = %d to %q, want 303 to /login?next=/me", r.status, r.header.Get("Location"))
	}
	r = f.request(t, "GET", "/me", nil, nil, map[string]string{"Accept": "application/json"})
	if r.status != 401 || !strings.Contains(r.body, `"status":401`) {
		t.Fatalf("JSON /me = %d %s, want 401", r.status, r.body)
	}
}

func TestBadSessionCookies(t *testing.T) {
	f := MustOpenLoginServer(t)
	good := f.mustLogin(t, "bcrypt")
	parts := strings.Split(good.Value, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"adm":true`, `"adm":false`, 1))) + "." + parts[2]
	for name, value := range map[string]string{"tampered": tampered, "alg none": none, "garbage": "x.y.z"} {
		t.Run(name, func(t *testing.T) {
			if r := f.me(t, &http.Cookie{Name: server.SessionCookie, Value: value}); r.status != 401 {
				t.Fatalf("/me = %d %s, want 401", r.status, r.body)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		f.clock.Add(9 * time.Hour)
		if r := f.me(t, good); r.status != 401 {
			t.Fatalf("/me 9h later = %d, want 401", r.status)
		}
	})
}

func TestLogoutRevokes(t *testing.T) {
	f := MustOpenLoginServer(t)
	c := f.mustLogin(t, "argon")
	var me struct{ CSRF string }
	if err := json.Unmarshal([]byte(f.me(t, c).body), &me); err != nil || me.CSRF == "" {
		t.Fatalf("/me: %v %+v", err, me)
	}
	if r := f.request(t, "POST", "/logout", url.Values{"csrf": {"wrong"}}, []*http.Cookie{c}, nil); r.status != 403 {
		t.Fatalf("logout with a wrong token = %d, want 403", r.status)
	}
	if r := f.me(t, c); r.status != 200 {
		t.Fatalf("session gone after a refused logout: %d", r.status)
	}
	r := f.request(t, "POST", "/logout", url.Values{"csrf": {me.CSRF}}, []*http.Cookie{c}, nil)
	if r.status != 303 || r.header.Get("Location") != "/" || r.cookies[server.SessionCookie] == nil || r.cookies[server.SessionCookie].Value != "" {
		t.Fatalf("logout = %d to %q, cookies %v; want 303 to / clearing the cookie", r.status, r.header.Get("Location"), r.cookies)
	}
	if r := f.me(t, c); r.status != 401 {
		t.Fatalf("/me with the old cookie after logout = %d, want 401", r.status)
	}
	entries, _ := f.meta.AuditEntries(context.Background(), 0, 1)
	if len(entries) != 1 || entries[0].Action != weekback.AuditLogout || entries[0].Login != "argon" {
		t.Fatalf("last audit entry = %+v, want argon's logout", entries)
	}
}

func TestRemovedUserRefusedAfterCache(t *testing.T) {
	f := MustOpenLoginServer(t)
	f.checkRemovalEndsAccess(t, f.slot, "django", server.DefaultUserCacheTTL)
	entries, _ := f.meta.AuditEntries(context.Background(), 0, 1)
	if len(entries) != 1 || entries[0].Action != weekback.AuditRefused || entries[0].Login != "django" {
		t.Fatalf("last audit entry = %+v, want django refused", entries)
	}
}

// checkRemovalEndsAccess logs login in, deletes it from the users table of
// schema, and checks that its session works until the cached check (ttl)
// expires and not after.
func (f *loginFixture) checkRemovalEndsAccess(t *testing.T, schema, login string, ttl time.Duration) {
	t.Helper()
	c := f.mustLogin(t, login)
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "DELETE FROM `"+schema+"`.users WHERE login_id = '"+login+"'")
	if r := f.me(t, c); r.status != 200 {
		t.Fatalf("/me within the cache = %d, want 200", r.status)
	}
	f.clock.Add(ttl + time.Second)
	if r := f.me(t, c); r.status != 401 {
		t.Fatalf("/me after the cache expired = %d %s, want 401", r.status, r.body)
	}
}

// knownLogins have fast hashes: wrong passwords for them cost no dummy
// bcrypt (slow under -race).
var knownLogins = []string{"bcrypt", "argon", "django", "clerk"}

func assertThrottled(t *testing.T, r response) {
	t.Helper()
	secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != 429 || secs <= 0 || secs > 900 || !strings.Contains(r.body, "Try again in") {
		t.Fatalf("status = %d, Retry-After = %q, want 429 with a retry time\n%.500s", r.status, r.header.Get("Retry-After"), r.body)
	}
}

// TestForwardedForFromUntrustedPeer: without trusted proxies, every
// forged X-Forwarded-For is the same client (the peer), so it is throttled.
func TestForwardedForFromUntrustedPeer(t *testing.T) {
	t.Parallel()
	f := MustOpenLoginServer(t)
	for i := range 10 {
		f.login(t, "argon", "wrong", "/", map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)})
	}
	assertThrottled(t, f.login(t, "argon", testPassword, "/", map[string]string{"X-Forwarded-For": "203.0.113.1"}))
}

func TestLoginCSRF(t *testing.T) {
	f := MustOpenLoginServer(t)
	cookie, token := f.loginForm(t)
	form := func(tok string) url.Values {
		return url.Values{"login": {"bcrypt"}, "password": {testPassword}, "csrf": {tok}}
	}
	for _, tt := range []struct {
		name    string
		form    url.Values
		cookies []*http.Cookie
		header  map[string]string
	}{
		{"no token", form(""), []*http.Cookie{cookie}, nil},
		{"no cookie", form(token), nil, nil},
		{"wrong token", form(strings.Repeat("A", len(token))), []*http.Cookie{cookie}, nil},
		{"other origin", form(token), []*http.Cookie{cookie}, map[string]string{"Origin": "https://evil.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.request(t, "POST", "/login", tt.form, tt.cookies, tt.header)
			if r.status != 403 || !strings.Contains(r.body, "This form has expired; reload the page and try again.") {
				t.Fatalf("status = %d, want 403 with the sentence\n%.500s", r.status, r.body)
			}
		})
	}
	r := f.request(t, "POST", "/login", form(token), []*http.Cookie{cookie}, map[string]string{"Origin": testBaseURL})
	if r.status != 303 {
		t.Fatalf("same-origin login = %d, want 303", r.status)
	}
}

func TestOpenRedirects(t *testing.T) {
	f := MustOpenLoginServer(t)
	for _, next := range []string{"//evil.example", "https://evil.example", `/\evil`, "evil", "/\t/evil.example", ""} {
		t.Run(next, func(t *testing.T) {
			r := f.login(t, "bcrypt", testPassword, next, nil)
			if r.status != 303 || r.header.Get("Location") != "/" {
				t.Fatalf("next %q: %d to %q, want 303 to /", next, r.status, r.header.Get("Location"))
			}
		})
	}
}

func TestLoginPages(t *testing.T) {
	f := MustOpenLoginServer(t)
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/login", 200, `name="next" value="/"`},
		{"/wed/login", 200, `name="next" value="/wed/"`},
		{"/login?next=/sun/tables/orders", 200, `name="next" value="/sun/tables/orders"`},
		{"/login?next=//evil.example", 200, `name="next" value="/"`},
		{"/xyz/login", 404, "There is no page"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			r := f.request(t, "GET", tt.path, nil, nil, nil)
			if r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Fatalf("status = %d, want %d with %q\n%.1500s", r.status, tt.status, tt.want, r.body)
			}
			if tt.status == 200 {
				if r.header.Get("Cache-Control") != "no-store" || strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") {
					t.Errorf("login page: Cache-Control %q, or inline script/style", r.header.Get("Cache-Control"))
				}
				c := r.cookies[server.CSRFCookie]
				if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
					t.Errorf("CSRF cookie = %+v, want HttpOnly SameSite=Strict", c)
				}
			}
		})
	}
}

func TestOpenRequiresLogin(t *testing.T) {
	s := server.New()
	f := MustOpenServer(t, false)
	s.Generations, s.Ping, s.Listen = f.meta, f.meta.Ping, "127.0.0.1:0"
	if err := s.Open(); weekback.ErrorCode(err) != weekback.EINVALID {
		t.Fatalf("Open without login settings = %v, want EINVALID", err)
	}
}
