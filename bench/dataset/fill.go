package dataset

import (
	"fmt"
	"strings"
)

// fillSQL is the column list and SELECT list of one INSERT … SELECT from a
// seq_1_to_N table, where seq is the row's 1-based number.
type fillSQL struct {
	cols  string
	exprs []string
}

// h returns a deterministic pseudo-random unsigned 32-bit expression of seq;
// different salts give uncorrelated values.
func h(salt string) string {
	return fmt.Sprintf("CRC32(CONCAT(seq,'%s'))", salt)
}

// pick returns an expression choosing one of words by h(salt); repeat a word
// to weight it.
func pick(salt string, words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = literal(w)
	}
	return fmt.Sprintf("ELT(1 + %s %% %d, %s)", h(salt), len(words), strings.Join(quoted, ", "))
}

// choose is pick for expressions instead of words.
func choose(salt string, exprs ...string) string {
	return fmt.Sprintf("ELT(1 + %s %% %d, %s)", h(salt), len(exprs), strings.Join(exprs, ", "))
}

// literal quotes s as a SQL string literal.
func literal(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// spread returns an expression of seq rising linearly from 0 to span over
// the n rows plus up to jitter of noise, so that ids follow time.
func spread(n, span, jitter int64, salt string) string {
	return fmt.Sprintf("(seq * %d DIV %d + %s %% %d)", span, n, h(salt), jitter)
}

func usersFill(n counts) fillSQL {
	hash := fmt.Sprintf("CONCAT('$2b$10$', LEFT(REPLACE(TO_BASE64(CONCAT(UNHEX(SHA2(%[1]s, 256)), "+
		"UNHEX(SHA2(%[1]s + 1, 256)))), '+', '.'), 53))", h("pw"))
	return fillSQL{
		cols: "id, login_id, password_hash, display_name, email, can_manage_settings, role, created_at, last_login_at",
		exprs: []string{
			"seq",
			"IF(seq = 1, 'admin', CONCAT('user', LPAD(seq, 5, '0')))",
			hash,
			personName("u"),
			"CONCAT('staff', seq, '@example.co.jp')",
			fmt.Sprintf("IF(seq = 1 OR %s %% 4 <> 0, 1, 0)", h("can")),
			fmt.Sprintf("IF(seq = 1, 'superadmin', %s)", pick("role", "admin", "staff", "staff", "staff", "viewer")),
			"TIMESTAMP'2015-01-01 00:00:00' + INTERVAL " + spread(n["users"], 250_000_000, 86_400, "uc") + " SECOND",
			fmt.Sprintf("IF(%s %% 5 = 0, NULL, TIMESTAMP'2024-06-01 00:00:00' + INTERVAL %s %% 15000000 SECOND)", h("ll"), h("lt")),
		},
	}
}

func customersFill(n counts) fillSQL {
	return fillSQL{
		cols: "id, name, email, phone, created_at, notes",
		exprs: []string{
			"seq",
			personName("c"),
			fmt.Sprintf("CONCAT(%s, '.', seq, '@', %s)",
				pick("em", "taro", "hanako", "yuki", "jose", "zoe", "francois", "anna", "li", "sven", "maria"),
				pick("ed", "example.jp", "example.com", "example.de", "example.fr", "mail.example.co.jp")),
			fmt.Sprintf("IF(%s %% 5 = 0, NULL, CONCAT('+81-', 10 + %s %% 80, '-', LPAD(%s %% 100000000, 8, '0')))",
				h("pn"), h("pa"), h("pb")),
			"TIMESTAMP'2015-01-01 00:00:00' + INTERVAL " + spread(n["customers"], 300_000_000, 86_400, "cc") + " SECOND",
			fmt.Sprintf("IF(%s %% 10 < 3, NULL, SUBSTRING(%s, 1 + %s %% %d, %d + %s %% %d))",
				h("nn"), literal(lorem), h("np"), notesOffsets, notesMin, h("nl"), notesSpread),
		},
	}
}

func productsFill(n counts) fillSQL {
	return fillSQL{
		cols: "id, sku, name, category, price, stock, image, updated_at",
		exprs: []string{
			"seq",
			"CONCAT('SKU-', LPAD(seq, 7, '0'))",
			fmt.Sprintf("CONCAT(%s, ' ', %s, ' ', seq %% 1000)",
				pick("pa", "Café", "Crème", "Nordic", "抹茶", "桜", "Deluxe", "Øko", "Classic", "Señor", "北海道"),
				pick("pn", "Mug", "ラテ 300ml", "Tote Bag", "Bouilloire", "煎餅", "Notebook", "Teekanne", "Piñata", "お茶碗")),
			pick("pc", "kitchen", "food", "stationery", "apparel", "gifts", "食品", "雑貨"),
			fmt.Sprintf("(100 + %s %% 990000) / 100", h("pp")),
			fmt.Sprintf("%s %% 500", h("ps")),
			fmt.Sprintf("CONCAT(x'89504E470D0A1A0A', AES_ENCRYPT(LEFT(%s, %d + %s %% %d), CONCAT('img', seq)))",
				literal(imagePlain), imageMin, h("il"), imageSpread),
			"TIMESTAMP'2020-01-01 00:00:00' + INTERVAL " + spread(n["products"], 150_000_000, 86_400, "pu") + " SECOND",
		},
	}
}

func ordersFill(n counts) fillSQL {
	return fillSQL{
		cols: "id, customer_id, status, ordered_at, total, note",
		exprs: []string{
			"seq",
			fmt.Sprintf("1 + %s %% %d", h("oc"), n["customers"]),
			pick("os", "delivered", "delivered", "delivered", "delivered", "delivered", "delivered",
				"shipped", "paid", "pending", "cancelled", "refunded"),
			"TIMESTAMP'2019-01-01 00:00:00' + INTERVAL " + spread(n["orders"], 200_000_000, 3_600, "oa") + " SECOND",
			fmt.Sprintf("(500 + %s %% 4000000) / 100", h("ot")),
			fmt.Sprintf("IF(%s %% 10 < 6, NULL, %s)", h("on"),
				pick("om", "ギフト包装をお願いします", "Leave at the front desk", "Livraison après 18h",
					"領収書の宛名は株式会社ウィークバックで", "Bitte nicht klingeln", "置き配希望", "Call before delivery — thanks!")),
		},
	}
}

func orderItemsFill(n counts) fillSQL {
	return fillSQL{
		cols: "id, order_id, product_id, qty, unit_price",
		exprs: []string{
			"seq",
			fmt.Sprintf("1 + (seq - 1) * %d DIV %d", n["orders"], n["order_items"]),
			fmt.Sprintf("1 + %s %% %d", h("ip"), n["products"]),
			choose("iq", "1", "1", "1", "1", "1", "2", "2", "3", "4", "10"),
			fmt.Sprintf("(99 + %s %% 30000) / 100", h("iu")),
		},
	}
}

// personName returns an expression of a person's full name, Japanese,
// accented European or plain English; tables pass different salts so that
// their rows with the same id do not share names.
func personName(salt string) string {
	japanese := fmt.Sprintf("CONCAT(%s, '\u3000', %s)",
		pick(salt+"jf", "佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤"),
		pick(salt+"jg", "太郎", "花子", "翔太", "陽菜", "蓮", "結衣", "大翔", "さくら", "ゆうき", "美咲"))
	accented := fmt.Sprintf("CONCAT(%s, ' ', %s)",
		pick(salt+"af", "José", "Zoë", "François", "Søren", "Anaïs", "Łukasz", "Björn", "Renée", "Jürgen", "Inês"),
		pick(salt+"al", "García", "Müller", "Lefèvre", "Dvořák", "Østergård", "Núñez", "Özdemir", "Šimić", "Brontë", "Çelik"))
	plain := fmt.Sprintf("CONCAT(%s, ' ', %s)",
		pick(salt+"ef", "James", "Mary", "John", "Linda", "Robert", "Susan", "Michael", "Karen"),
		pick(salt+"el", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "O'Brien", "Clarke"))
	return choose(salt+"nr", japanese, japanese, japanese, japanese, accented, accented, accented, plain, plain, plain)
}
