package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// requestTimeout bounds one HTTP request; a slower answer counts as an error.
const requestTimeout = 30 * time.Second

// csrfField finds the login form's hidden double-submit token.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// client is a logged-in HTTP client of the server: a cookie jar holding the
// session and enough idle connections for every concurrent client. It is
// safe for concurrent use.
type client struct {
	base string
	http *http.Client
}

// newClient logs in as the bench user.
func newClient(ctx context.Context, base string, clients int) (*client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute}
	c := &client{base: base, http: &http.Client{Jar: jar, Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if err := c.login(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// login reads the login form's CSRF token (its cookie lands in the jar)
// and posts the bench user's credentials with the base URL as Origin.
func (c *client) login(ctx context.Context) error {
	status, body, err := c.do(ctx, http.MethodGet, "/login", nil, false)
	if err != nil {
		return fmt.Errorf("get /login: %w", err)
	}
	m := csrfField.FindSubmatch(body)
	if status != http.StatusOK || m == nil {
		return fmt.Errorf("get /login: status %d, csrf field found %v", status, m != nil)
	}
	form := url.Values{"login": {benchLogin}, "password": {benchPassword}, "next": {"/mon/"}, "csrf": {string(m[1])}}
	status, body, err = c.do(ctx, http.MethodPost, "/login", form, false)
	if err != nil {
		return fmt.Errorf("post /login: %w", err)
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("login as %s: status %d, want 303\n%.500s", benchLogin, status, body)
	}
	status, body, err = c.do(ctx, http.MethodGet, "/mon/", nil, true)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("get /mon/ after login: status %d, %v\n%.500s", status, err, body)
	}
	logf("logged in as %s", benchLogin)
	return nil
}

// do sends one request and reads the whole answer.
func (c *client) do(ctx context.Context, method, path string, form url.Values, json bool) (int, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", benchBaseURL)
	}
	if json {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// page is the part of a records page's JSON the benchmark reads.
type page struct {
	Rows []struct {
		Key string `json:"key"`
	} `json:"rows"`
	NextCursor string `json:"next_cursor"`
}

// getPage fetches path as JSON and decodes it; a non-200 is an error.
func (c *client) getPage(ctx context.Context, path string) (page, error) {
	var p page
	status, body, err := c.do(ctx, http.MethodGet, path, nil, true)
	if err != nil {
		return p, fmt.Errorf("get %s: %w", path, err)
	}
	if status != http.StatusOK {
		return p, fmt.Errorf("get %s: status %d\n%.500s", path, status, body)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, fmt.Errorf("get %s: %w", path, err)
	}
	return p, nil
}
