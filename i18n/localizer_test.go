package i18n

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

var (
	en = Default().Localizer(language.English)
	ja = Default().Localizer(language.Japanese)
	fr = Default().Localizer(language.French)
)

func TestT(t *testing.T) {
	tests := []struct {
		name string
		l    *Localizer
		key  string
		args []any
		want string
	}{
		{"en plain", en, "records.next", nil, "Next ›"},
		{"ja plain", ja, "records.next", nil, "次へ ›"},
		{"fr plain", fr, "records.next", nil, "Suivant ›"},
		{"en login failed", en, "login.failed", nil, "Login or password is wrong, or this account may not use the backup environment."},
		{"ja login failed", ja, "login.failed", nil, "ログインIDまたはパスワードが正しくないか、このアカウントはバックアップ環境を利用できません。"},
		{"en pairs", en, "login.lead.day", []any{"weekday", "Monday"}, "Log in to open the backup of Monday. One login covers all seven days."},
		{"ja pairs", ja, "login.lead.day", []any{"weekday", "月曜日"}, "月曜日のバックアップを開くには、ログインしてください。一度ログインすると、7日分すべてをご覧いただけます。"},
		{"fr pairs", fr, "login.lead.day", []any{"weekday", "lundi"}, "Connectez-vous pour ouvrir la sauvegarde du lundi. Une seule connexion donne accès aux sept jours."},
		{"en map", en, "day.never", []any{map[string]any{"weekday": time.Tuesday}}, "The backup of Tuesday has never been taken. Pick another day from the list of the seven days."},
		{"ja map", ja, "error.no_column", []any{map[string]any{"table": "orders", "column": "total"}}, "テーブル「orders」に列「total」はありません。"},
		{"fr map of strings", fr, "table.unknown", []any{map[string]string{"table": "orders"}}, "Cette sauvegarde ne contient aucune table «\u202forders\u202f». Choisissez une table dans la liste du jour."},
		{"fr weekday value", fr, "day.never", []any{"weekday", time.Tuesday}, "La sauvegarde du mardi n’a jamais été prise. Choisissez un autre jour dans la liste des sept jours."},
		{"en number arg", en, "error.page_size", []any{"max", 5000}, "page_size can be at most 5,000."},
		{"fr number arg", fr, "error.page_size", []any{"max", 5000}, "page_size ne peut pas dépasser 5\u202f000."},
		{"missing arg shows", en, "error.no_column", []any{"table", "orders"}, "The table orders has no column named {column}."},
		{"odd args ignored", en, "error.no_column", []any{"table", "t", "column"}, "The table t has no column named {column}."},
		{"unknown key", ja, "no.such.key", nil, "no.such.key"},
		{"T on plural uses other", fr, "records.count", []any{"count", "3"}, "3 lignes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.T(tt.key, tt.args...); got != tt.want {
				t.Fatalf("T(%q)=%q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestBanner(t *testing.T) {
	at := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)
	tokyo := time.FixedZone("JST", 9*60*60)
	tests := []struct {
		l    *Localizer
		want string
	}{
		{en, "Backup of Monday (taken Mon, Nov 23, 2026 09:30) — read-only"},
		{ja, "月曜日のバックアップ（2026年11月23日(月) 09:30 取得）— 閲覧専用"},
		{fr, "Sauvegarde du lundi (prise le lun. 23 nov. 2026 09:30) — lecture seule"},
	}
	for _, tt := range tests {
		t.Run(tt.l.Lang(), func(t *testing.T) {
			got := tt.l.T("banner.text", "weekday", time.Monday, "datetime", tt.l.DateTime(at, tokyo))
			if got != tt.want {
				t.Fatalf("banner=%q, want %q", got, tt.want)
			}
		})
	}
}

func TestN(t *testing.T) {
	tests := []struct {
		l     *Localizer
		count int
		want  string
	}{
		{en, 0, "0 rows"},
		{en, 1, "1 row"},
		{en, 2, "2 rows"},
		{en, 1234567, "1,234,567 rows"},
		{en, -1, "-1 row"},
		{fr, 0, "0 ligne"},
		{fr, 1, "1 ligne"},
		{fr, 2, "2 lignes"},
		{fr, 1000, "1\u202f000 lignes"},
		{ja, 0, "0件"},
		{ja, 1, "1件"},
		{ja, 1234, "1,234件"},
	}
	for _, tt := range tests {
		t.Run(tt.l.Lang()+"/"+tt.want, func(t *testing.T) {
			if got := tt.l.N("records.count", tt.count); got != tt.want {
				t.Fatalf("N(records.count, %d)=%q, want %q", tt.count, got, tt.want)
			}
		})
	}
}

func TestNThrottle(t *testing.T) {
	tests := []struct {
		l       *Localizer
		minutes int
		want    string
	}{
		{en, 1, "Too many failed logins. Try again in 1 minute, after 09:30."},
		{en, 15, "Too many failed logins. Try again in 15 minutes, after 09:30."},
		{ja, 1, "ログインの失敗が続いたため、一時的にログインを制限しています。1分後（09:30以降）に再度お試しください。"},
		{fr, 1, "Trop d’échecs de connexion. Réessayez dans 1 minute (à partir de 09:30)."},
		{fr, 15, "Trop d’échecs de connexion. Réessayez dans 15 minutes (à partir de 09:30)."},
	}
	for _, tt := range tests {
		t.Run(tt.l.Lang(), func(t *testing.T) {
			if got := tt.l.N("login.throttled", tt.minutes, "time", "09:30"); got != tt.want {
				t.Fatalf("N=%q, want %q", got, tt.want)
			}
		})
	}
}

func TestNEdgeCases(t *testing.T) {
	if got, want := en.N("records.next", 3), "Next ›"; got != want {
		t.Errorf("N on a plain message=%q, want %q", got, want)
	}
	if got, want := en.N("records.count", 2, "count", "two"), "two rows"; got != want {
		t.Errorf("N with count given=%q, want %q", got, want)
	}
	if got, want := fr.N("no.such", 2), "no.such"; got != want {
		t.Errorf("N on an unknown key=%q, want %q", got, want)
	}
}

func TestFallbackToEnglish(t *testing.T) {
	c := MustLoadTest(t, map[string]string{
		"en.txt": "only.en = \"English {x}\"\nboth = \"both\"\nn[one] = \"{count} item\"\nn[other] = \"{count} items\"\nformat.number.group = \",\"\n",
		"ja.txt": "both = \"両方\"\nformat.number.group = \",\"\n",
		"fr.txt": "n[other] = \"{count} éléments\"\nformat.number.group = \" \"\n",
	})
	ja, fr := c.Localizer(language.Japanese), c.Localizer(language.French)
	tests := []struct{ name, got, want string }{
		{"ja own", ja.T("both"), "両方"},
		{"ja falls back", ja.T("only.en", "x", "!"), "English !"},
		{"ja plural falls back with English rules", ja.N("n", 1), "1 item"},
		{"fr missing form uses other", fr.N("n", 1), "1 éléments"},
		{"unknown", ja.T("nope"), "nope"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if !ja.Has("only.en") || ja.Has("nope") {
		t.Errorf("Has: only.en=%v nope=%v, want true false", ja.Has("only.en"), ja.Has("nope"))
	}
}

func TestConcurrentUse(t *testing.T) {
	done := make(chan bool)
	for i := range 8 {
		go func() {
			for j := range 200 {
				_ = fr.N("records.count", i*j)
				_ = ja.DateTime(time.Now(), time.UTC)
				_ = Default().Match("", "fr-CA, ja;q=0.5")
			}
			done <- true
		}()
	}
	for range 8 {
		<-done
	}
}
