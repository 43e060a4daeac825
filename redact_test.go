package weekback_test

import (
	"slices"
	"testing"

	"github.com/weekback/weekback"
)

func TestRedactionMasked(t *testing.T) {
	r := weekback.Redaction{PasswordTable: "users", PasswordColumn: "password_hash",
		Globs: []string{"customers.card_*", "*.api_token", "[bad"}, NoDefaults: true}
	tests := []struct {
		table string
		cols  []string
		want  []string
	}{
		{"users", []string{"id", "login_id", "Password_Hash"}, []string{"Password_Hash"}},
		{"Users", []string{"password_hash"}, []string{"password_hash"}},
		{"orders", []string{"password_hash", "amount"}, nil},
		{"customers", []string{"name", "card_number", "CARD_cvv"}, []string{"card_number", "CARD_cvv"}},
		{"shops", []string{"api_token", "name"}, []string{"api_token"}},
		{"legacy/shops", []string{"api_token", "name"}, []string{"api_token"}}, // * matches / too
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			if got := r.Masked(tt.table, tt.cols); !slices.Equal(got, tt.want) {
				t.Fatalf("Masked(%s, %v) = %v, want %v", tt.table, tt.cols, got, tt.want)
			}
		})
	}
}

// TestRedactionDefaults: credential-like names are masked unless
// NoDefaults; the explicit rules apply either way.
func TestRedactionDefaults(t *testing.T) {
	cols := []string{"id", "Password_Changed_At", "passwd", "reset_token", "client_secret", "api_key", "api_keys", "tokenizer_name", "note"}
	want := []string{"Password_Changed_At", "passwd", "reset_token", "client_secret", "api_key", "tokenizer_name"}
	if got := (weekback.Redaction{}).Masked("shops", cols); !slices.Equal(got, want) {
		t.Fatalf("Masked with defaults = %v, want %v", got, want)
	}
	off := weekback.Redaction{NoDefaults: true, Globs: []string{"shops.note"}}
	if got := off.Masked("shops", cols); !slices.Equal(got, []string{"note"}) {
		t.Fatalf("Masked without defaults = %v, want [note]", got)
	}
}

// TestRedactionMaskedView: a view may read any table, so it hides every
// column named like a credential column of any table.
func TestRedactionMaskedView(t *testing.T) {
	r := weekback.Redaction{PasswordTable: "users", PasswordColumn: "password_hash",
		Globs: []string{"customers.card_*", "v_staff.pin", "[bad"}}
	cols := []string{"id", "PASSWORD_HASH", "card_number", "pin", "name"}
	if got, want := r.MaskedView("v_staff", cols), []string{"PASSWORD_HASH", "card_number", "pin"}; !slices.Equal(got, want) {
		t.Fatalf("MaskedView(v_staff) = %v, want %v", got, want)
	}
	if got, want := r.MaskedView("v_other", cols), []string{"PASSWORD_HASH", "card_number", "pin"}; !slices.Equal(got, want) {
		t.Fatalf("MaskedView(v_other) = %v, want %v", got, want)
	}
}
