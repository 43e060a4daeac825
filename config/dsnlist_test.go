package config

import (
	"strings"
	"testing"
)

func TestDSNLists(t *testing.T) {
	const two = "u:s1@tcp(n1:3306)/\nu:s2@tcp(n2:3306)/"
	for _, tt := range []struct {
		name string
		yaml string
		env  []string
		want string
	}{
		{"yaml scalar", "backup:\n  dsn: \"u:s1@tcp(n1:3306)/\"\n", nil, "u:s1@tcp(n1:3306)/"},
		{"yaml list", "backup:\n  dsn:\n    - u:s1@tcp(n1:3306)/\n    - \" u:s2@tcp(n2:3306)/ \"\n", nil, two},
		{"yaml flow list", "backup:\n  dsn: [\"u:s1@tcp(n1:3306)/\", \"u:s2@tcp(n2:3306)/\"]\n", nil, two},
		{"env spaces", "", []string{"WEEKBACK_BACKUP_DSN=u:s1@tcp(n1:3306)/  u:s2@tcp(n2:3306)/"}, two},
		{"env newlines", "", []string{"WEEKBACK_BACKUP_DSN=u:s1@tcp(n1:3306)/\nu:s2@tcp(n2:3306)/\n"}, two},
		{"env password with a space", "", []string{"WEEKBACK_BACKUP_DSN=u:s 1@tcp(n1:3306)/"}, "u:s 1@tcp(n1:3306)/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(mustWriteFile(t, tt.yaml), tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Backup.DSN != tt.want {
				t.Fatalf("backup.dsn = %q, want %q", c.Backup.DSN, tt.want)
			}
		})
	}
}

func TestDSNListRedactedAndChecked(t *testing.T) {
	c := Default()
	c.Backup.ReaderDSN = "r:secret1@tcp(n1:3306)/\nr:secret2@tcp(n2:3306)/"
	got := c.Redacted().Backup.ReaderDSN
	if strings.Contains(got, "secret") || got != "r:***@tcp(n1:3306)/\nr:***@tcp(n2:3306)/" {
		t.Fatalf("Redacted reader_dsn = %q, want every password masked", got)
	}
	c.Backup.ReaderDSN = "r:secret1@tcp(n1:3306)/\nr:secret2@tcp(n2:3306"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "backup.reader_dsn[1]") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Validate = %v, want an error naming backup.reader_dsn[1] without its password", err)
	}
	if _, err := Load(mustWriteFile(t, "backup:\n  dsn: [[a]]\n"), nil); err == nil || !strings.Contains(err.Error(), "backup.dsn[0]") {
		t.Fatalf("Load(nested list) = %v, want an error naming backup.dsn[0]", err)
	}
}
