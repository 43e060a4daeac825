package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/server"
)

// langCookie is the cookie the language switcher sets.
func langCookie(lang string) *http.Cookie { return &http.Cookie{Name: i18n.CookieName, Value: lang} }

// assertBody fails unless body holds every want and none of lacks.
func assertBody(t *testing.T, what string, body string, want, lacks []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%.4000s", what, w, body)
		}
	}
	for _, l := range lacks {
		if strings.Contains(body, l) {
			t.Errorf("%s holds %q", what, l)
		}
	}
}

// TestLanguagePicked: the cookie, else Accept-Language, else English; the
// page says its language and that it varies with both.
func TestLanguagePicked(t *testing.T) {
	f := MustOpenServer(t, true)
	for _, tt := range []struct {
		name   string
		header map[string]string
		lang   string
		want   []string
	}{
		{"default", nil, "en", []string{"The last seven days", `<a href="/mon/">Monday</a>`, "never taken"}},
		{"unsupported Accept-Language", map[string]string{"Accept-Language": "de-DE,de;q=0.9"}, "en", []string{"The last seven days"}},
		{"Accept-Language ja", map[string]string{"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}, "ja",
			[]string{"過去7日間", `<a href="/mon/">月曜日</a>`, "未取得", "時刻は Asia/Tokyo のタイムゾーンで表示しています。", "過去7日間の閲覧専用バックアップ"}},
		{"Accept-Language fr", map[string]string{"Accept-Language": "fr-CA"}, "fr",
			[]string{"Les sept derniers jours", `<a href="/mon/">lundi</a>`, "jamais prise"}},
		{"cookie beats the header", map[string]string{"Accept-Language": "ja", "Cookie": i18n.CookieName + "=fr"}, "fr",
			[]string{"Les sept derniers jours"}},
		{"unsupported cookie", map[string]string{"Accept-Language": "ja", "Cookie": i18n.CookieName + "=xx"}, "ja",
			[]string{"過去7日間"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := f.do(t, "GET", "/", tt.header)
			if status != 200 {
				t.Fatalf("status = %d", status)
			}
			assertBody(t, "landing", body, append(tt.want, `<html lang="`+tt.lang+`">`,
				`<a class="lang" data-lang="`+tt.lang+`" hreflang="`+tt.lang+`" lang="`+tt.lang+`" href="/lang/`+tt.lang+`?next=%2F" aria-current="true">`), nil)
			if v := header.Get("Vary"); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") {
				t.Errorf("Vary = %q, want Accept-Language and Cookie", v)
			}
		})
	}
}

// TestLanguageSwitcher: every page offers the three languages, each in its
// own name, coming back to the same address.
func TestLanguageSwitcher(t *testing.T) {
	f := MustOpenDayServer(t)
	r := f.get(t, "/wed/tables/items?page_size=5&sort=-name", false)
	next := url.QueryEscape("/wed/tables/items?page_size=5&sort=-name")
	assertBody(t, "records page", r.body, []string{
		`<nav class="langs" aria-label="Language">`,
		`<a class="lang" data-lang="en" hreflang="en" lang="en" href="/lang/en?next=` + next + `" aria-current="true">English</a>`,
		`<a class="lang" data-lang="fr" hreflang="fr" lang="fr" href="/lang/fr?next=` + next + `">Français</a>`,
		`<a class="lang" data-lang="ja" hreflang="ja" lang="ja" href="/lang/ja?next=` + next + `">日本語</a>`,
	}, nil)
	for _, path := range []string{"/login", "/nope", "/sun/", "/wed/", "/wed/tables/items/rows/1"} {
		r := f.request(t, "GET", path, nil, []*http.Cookie{f.session}, nil)
		assertBody(t, path, r.body, []string{`data-lang="ja"`, `data-lang="fr"`, `data-lang="en"`}, nil)
	}
}

// TestSwitchLanguage: GET /lang/{code} remembers the language for a year
// and goes back to next, a local address only; the next page is in that
// language. It needs no login.
func TestSwitchLanguage(t *testing.T) {
	f := MustOpenDayServer(t)
	r := f.request(t, "GET", "/lang/ja?next="+url.QueryEscape("/wed/tables/items?page_size=5"), nil, nil, nil)
	c := r.cookies[i18n.CookieName]
	if r.status != 303 || r.header.Get("Location") != "/wed/tables/items?page_size=5" {
		t.Fatalf("switch = %d to %q, want 303 to the page", r.status, r.header.Get("Location"))
	}
	if c == nil || c.Value != "ja" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure ||
		c.MaxAge < 364*24*3600 {
		t.Fatalf("cookie = %+v, want ja for a year, Path=/, HttpOnly, SameSite=Lax", c)
	}
	page := f.request(t, "GET", "/wed/tables/items?page_size=5", nil, []*http.Cookie{f.session, c}, nil)
	f.checkPage(t, "records in Japanese", page)
	assertBody(t, "records in Japanese", page.body, []string{`<html lang="ja">`, "水曜日のバックアップ（2026年3月4日(水) 09:30 取得）— 閲覧専用",
		`<span class="null">NULL</span>`, `<span class="size">4バイト</span>`, `<option value="isnull">NULLである</option>`,
		"この曜日のテーブル一覧", `<a class="day" href="/mon/tables/items?page_size=5">月</a>`}, []string{"Backup of"})

	for _, tt := range []struct{ next, want string }{
		{"//evil.example", "/"}, {"https://evil.example/", "/"}, {`/\evil`, "/"}, {"", "/"}, {"/login?next=/wed/", "/login?next=/wed/"},
	} {
		r := f.request(t, "GET", "/lang/fr?next="+url.QueryEscape(tt.next), nil, nil, nil)
		if r.status != 303 || r.header.Get("Location") != tt.want || r.cookies[i18n.CookieName] == nil {
			t.Errorf("next %q: %d to %q, want 303 to %q with the cookie", tt.next, r.status, r.header.Get("Location"), tt.want)
		}
	}
	for _, code := range []string{"xx", "de", "en-", "%00"} {
		if r := f.request(t, "GET", "/lang/"+code+"?next=/", nil, nil, nil); r.status != 404 || r.cookies[i18n.CookieName] != nil {
			t.Errorf("/lang/%s = %d, cookies %v; want 404 without a cookie", code, r.status, r.cookies)
		}
	}
	if r := f.request(t, "POST", "/lang/ja", url.Values{}, nil, nil); r.status != 405 {
		t.Errorf("POST /lang/ja = %d, want 405", r.status)
	}
}

func TestSwitchLanguageSecureCookie(t *testing.T) {
	f := MustOpenLoginServer(t, func(s *server.Server) { s.BaseURL = "https://weekback.test" })
	r := f.request(t, "GET", "/lang/fr?next=/", nil, nil, nil)
	if c := r.cookies[i18n.CookieName]; r.status != 303 || c == nil || !c.Secure || !c.HttpOnly {
		t.Fatalf("switch over https = %d, cookie %+v; want a Secure HttpOnly cookie", r.status, c)
	}
}

// TestPagesInJapaneseAndFrench: the login failure, the banner, the
// records' badges and errors follow the language; JSON keeps raw values
// but its error sentences follow it too.
func TestPagesInJapaneseAndFrench(t *testing.T) {
	f := MustOpenDayServer(t)
	ja, fr := []*http.Cookie{f.session, langCookie("ja")}, []*http.Cookie{f.session, langCookie("fr")}
	asJSON := map[string]string{"Accept": "application/json"}
	for _, tt := range []struct {
		name, path string
		cookies    []*http.Cookie
		header     map[string]string
		status     int
		want       []string
		lacks      []string
	}{
		{"banner ja", "/wed/", ja, nil, 200, []string{"水曜日のバックアップ（2026年3月4日(水) 09:30 取得）— 閲覧専用", "水曜日のテーブル一覧",
			`<td class="num">120</td>`, "合計 130件", `<span class="day current" aria-current="page">水</span>`}, nil},
		{"banner fr", "/wed/", fr, nil, 200, []string{"Sauvegarde du mercredi (prise le mer. 4 mars 2026 09:30) — lecture seule",
			"Tables du mercredi", "130 lignes au total", `<a class="day" href="/mon/">lun.</a>`}, nil},
		{"failed day fr", "/thu/", fr, nil, 200, []string{"échec de la dernière copie — la copie précédente reste consultable"}, nil},
		{"records fr", "/wed/tables/items?page_size=5", fr, nil, 200, []string{`<span class="null">NULL</span>`,
			`<span class="size">4 octets</span>`, `<option value="isnull">est NULL</option>`, "Suivant ›"}, nil},
		{"record ja", "/wed/tables/items/rows/1", ja, nil, 200, []string{"items · レコード 1", "items の一覧に戻る"}, nil},
		{"404 ja", "/nope", ja, nil, 404, []string{"<h1>ページが見つかりません</h1>", "このアドレスのページは存在しません。", "7日間の一覧に戻る"}, nil},
		{"404 fr", "/nope", fr, nil, 404, []string{"<h1>Page introuvable</h1>", "Il n’y a aucune page à cette adresse."}, nil},
		{"unknown table fr", "/wed/tables/nope", fr, nil, 404, []string{"Cette sauvegarde ne contient aucune table «\u202fnope\u202f»",
			"Sauvegarde du mercredi"}, nil},
		{"day never taken ja", "/sun/", ja, nil, 404, []string{"日曜日のバックアップはまだ一度も取得されていません。"}, nil},
		{"unknown column ja", "/wed/tables/items?f.nope=eq:1", ja, nil, 400, []string{`<h1>items</h1>`,
			`<p class="form-error query-error" role="alert">テーブル「items」に、絞り込みに使える列「nope」はありません。`},
			[]string{`class="detail"`, "has no column", "<h1>リクエストが正しくありません</h1>"}},
		{"page_size ja", "/wed/tables/items?page_size=lots", ja, nil, 400, []string{"page_size の値「lots」は行数として正しくありません。"}, []string{`class="detail"`}},
		{"page_size over the cap ja", "/wed/tables/items?page_size=501", ja, nil, 400, []string{"page_size に指定できるのは 500 までです。"},
			[]string{`class="detail"`, "at most"}},
		{"stale cursor ja", "/wed/tables/items?after=AXsnope", ja, nil, 400, []string{"このリンクは無効になりました。最初のページに戻ってください。"},
			[]string{`class="detail"`}},
		{"bad filter value fr", "/wed/tables/items?f.id=eq:abc", fr, nil, 400, []string{"Filtre sur id\u00a0: «\u202fabc\u202f» n’est pas un nombre."},
			[]string{`class="detail"`}},
		{"bad operator fr JSON", "/wed/tables/items?f.id=zz:1", fr, asJSON, 400, []string{"\"error\":\"Filtre sur id\u00a0: «\u202fzz\u202f» n’est pas un opérateur."},
			[]string{`"detail"`}},
		{"JSON error ja", "/sun/", ja, asJSON, 404, []string{`"error":"日曜日のバックアップはまだ一度も取得されていません。`, `"status":404`}, nil},
		{"JSON page stays neutral", "/wed/", ja, asJSON, 200, []string{`"name":"items","rows":120`, `"status":"ready"`}, []string{"水曜日"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.request(t, "GET", tt.path, nil, tt.cookies, tt.header)
			if tt.path != "/nope" {
				f.checkPage(t, tt.path, r)
			}
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.3000s", r.status, tt.status, r.body)
			}
			assertBody(t, tt.name, r.body, tt.want, tt.lacks)
		})
	}

	t.Run("landing JSON stays neutral", func(t *testing.T) {
		r := f.request(t, "GET", "/", nil, nil, map[string]string{"Accept": "application/json", "Accept-Language": "ja"})
		var got struct {
			Days []struct{ Name, Status string } `json:"days"`
		}
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Days) != 7 || got.Days[0].Name != "Monday" || got.Days[6].Status != "never" {
			t.Fatalf("JSON landing in ja = %v %+v", err, got)
		}
	})
}

// TestLoginInJapaneseAndFrench: the form and its one generic failure
// follow the language.
func TestLoginInJapaneseAndFrench(t *testing.T) {
	f := MustOpenLoginServer(t)
	for _, tt := range []struct {
		lang, form, failed string
	}{
		{"ja", "パスワード", "ログインIDまたはパスワードが正しくないか、このアカウントはバックアップ環境を利用できません。"},
		{"fr", "Mot de passe", "Identifiant ou mot de passe incorrect, ou ce compte n’a pas accès à l’environnement de sauvegarde."},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			get := f.request(t, "GET", "/wed/login", nil, []*http.Cookie{langCookie(tt.lang)}, nil)
			assertBody(t, "login form", get.body, []string{`<html lang="` + tt.lang + `">`, tt.form}, nil)
			cookie, token := f.loginForm(t)
			form := url.Values{"login": {"bcrypt"}, "password": {"nope"}, "next": {"/"}, "csrf": {token}}
			r := f.request(t, "POST", "/login", form, []*http.Cookie{cookie, langCookie(tt.lang)}, nil)
			if r.status != 401 {
				t.Fatalf("status = %d, want 401", r.status)
			}
			assertBody(t, "failed login", r.body, []string{tt.failed}, []string{genericFail})
			r = f.request(t, "POST", "/login", form, []*http.Cookie{cookie, langCookie(tt.lang)}, map[string]string{"Accept": "application/json"})
			if r.status != 401 || !strings.Contains(r.body, `"error":"`+tt.failed) {
				t.Errorf("JSON failed login = %d %s", r.status, r.body)
			}
		})
	}
}
