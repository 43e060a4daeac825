package dataset

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Product images are AES_ENCRYPT(LEFT(imagePlain, len), key) behind a PNG
// signature: incompressible, deterministic, between imageMin and
// imageMin+imageSpread bytes, so that about half stay in the InnoDB row and
// half are stored off-page, as real images would be.
const (
	imageMin    = 3072
	imageSpread = 10240
)

// Customers' notes are SUBSTRING(lorem, 1 + 0..notesOffsets-1,
// notesMin + 0..notesSpread-1) characters, NULL for three in ten.
const (
	notesOffsets = 400
	notesMin     = 40
	notesSpread  = 480
)

// imagePlain is distinct 16-byte blocks, so that ECB encryption does not
// repeat itself.
var imagePlain = func() string {
	var b strings.Builder
	for i := 0; b.Len() < imageMin+imageSpread; i++ {
		fmt.Fprintf(&b, "%015d|", i)
	}
	return b.String()
}()

// lorem is the text customers' notes are cut from: mixed Japanese, accented
// and plain text, with at least as many characters as the longest note needs.
var lorem = func() string {
	phrases := []string{
		"お届け希望日は平日の午前中。",
		"Prefers delivery on weekday mornings; call before shipping. ",
		"請求書は月末締め翌月末払い。",
		"VIP — 5% discount agreed by Sales (see ticket #4711). ",
		"Änderungen der Lieferadresse bitte per E-Mail bestätigen. ",
		"担当者：営業部 山田。",
		"Client fidèle depuis 2016, préfère être contacté en français. ",
		"\"Fragile\" sticker required.\tNo weekend deliveries.\n",
	}
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < notesOffsets+notesMin+notesSpread; i++ {
		b.WriteString(phrases[i%len(phrases)])
	}
	return b.String()
}()
