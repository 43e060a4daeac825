package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/weekback/weekback/server"
)

// logoutForm matches the header's logout form and captures its token.
var logoutForm = regexp.MustCompile(`<form class="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="([^"]+)"><button type="submit">`)

// sessionCSRF returns the CSRF token /me gives the session c.
func (f *loginFixture) sessionCSRF(t *testing.T, c *http.Cookie) string {
	t.Helper()
	var me struct{ CSRF string }
	if err := json.Unmarshal([]byte(f.me(t, c).body), &me); err != nil || me.CSRF == "" {
		t.Fatalf("/me: %v %+v", err, me)
	}
	return me.CSRF
}

// TestHeaderLoggedIn: every page, public ones included, shows who is
// logged in, an admin's mark and link to the audit log, and a logout form
// carrying the session's token.
func TestHeaderLoggedIn(t *testing.T) {
	f := MustOpenDayServer(t)
	staff := f.mustLogin(t, "argon")
	for _, tt := range []struct {
		name, path string
		cookie     *http.Cookie
		status     int
		admin      bool
	}{
		{"day page", "/wed/", f.session, 200, true},
		{"landing page", "/", f.session, 200, true},
		{"error page", "/wed/tables/nope", f.session, 404, true},
		{"public error page", "/nope", f.session, 404, true},
		{"login page", "/login", f.session, 200, true},
		{"day page, not an admin", "/wed/", staff, 200, false},
		{"landing page, not an admin", "/", staff, 200, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.request(t, "GET", tt.path, nil, []*http.Cookie{tt.cookie}, nil)
			f.checkPage(t, tt.path, r)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.2000s", r.status, tt.status, r.body)
			}
			login := map[bool]string{true: "bcrypt", false: "argon"}[tt.admin]
			m := logoutForm.FindStringSubmatch(r.body)
			if !strings.Contains(r.body, `<span class="who">Logged in as `+login+`</span>`) || m == nil {
				t.Fatalf("header lacks the login or the logout form:\n%.2000s", r.body)
			}
			if want := f.sessionCSRF(t, tt.cookie); m[1] != want {
				t.Errorf("logout form token = %q, want the session's %q", m[1], want)
			}
			hasAdmin := strings.Contains(r.body, `<span class="admin-mark">admin</span>`) && strings.Contains(r.body, `href="/audit"`)
			if hasAdmin != tt.admin {
				t.Errorf("admin mark and audit link shown = %v, want %v", hasAdmin, tt.admin)
			}
		})
	}
}

// TestHeaderLoggedOut: without a usable session, public pages show no
// login and no logout form, and a bad cookie never breaks them.
func TestHeaderLoggedOut(t *testing.T) {
	f := MustOpenLoginServer(t)
	revoked := f.mustLogin(t, "django")
	f.request(t, "POST", "/logout", url.Values{"csrf": {f.sessionCSRF(t, revoked)}}, []*http.Cookie{revoked}, nil)
	for name, cookies := range map[string][]*http.Cookie{
		"no cookie":      nil,
		"garbage cookie": {{Name: server.SessionCookie, Value: "x.y.z"}},
		"revoked cookie": {revoked},
	} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/", "/login", "/nope"} {
				r := f.request(t, "GET", path, nil, cookies, nil)
				if r.status >= 500 || strings.Contains(r.body, "Logged in as") || strings.Contains(r.body, `action="/logout"`) {
					t.Errorf("GET %s = %d, want no login header:\n%.2000s", path, r.status, r.body)
				}
			}
		})
	}
}

// TestLogoutWithHeaderForm logs out the way a browser does: posting the
// header's form.
func TestLogoutWithHeaderForm(t *testing.T) {
	f := MustOpenLoginServer(t)
	c := f.mustLogin(t, "argon")
	page := f.request(t, "GET", "/", nil, []*http.Cookie{c}, nil)
	m := logoutForm.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("landing page has no logout form:\n%.2000s", page.body)
	}
	r := f.request(t, "POST", "/logout", url.Values{"csrf": {m[1]}}, []*http.Cookie{c}, map[string]string{"Origin": testBaseURL})
	if r.status != 303 || r.header.Get("Location") != "/" || r.cookies[server.SessionCookie] == nil || r.cookies[server.SessionCookie].Value != "" {
		t.Fatalf("logout = %d to %q, cookies %v; want 303 to / clearing the cookie", r.status, r.header.Get("Location"), r.cookies)
	}
	if r := f.me(t, c); r.status != 401 {
		t.Fatalf("/me with the old cookie after logout = %d, want 401", r.status)
	}
	if r := f.request(t, "GET", "/", nil, []*http.Cookie{c}, nil); strings.Contains(r.body, "Logged in as") {
		t.Errorf("landing page with the old cookie still shows the login")
	}
}
