package export

import (
	"unicode"
	"unicode/utf8"
)

// Replacement alphabets of the text method. Every character is in JIS X
// 0208 (or is half-width katakana), so pseudonyms encode in Shift_JIS.
var (
	hiragana = []rune("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん" +
		"がぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽ")
	katakana = []rune("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン" +
		"ガギグゲゴザジズゼゾダデドバビブベボパピプペポ")
	halfKana = []rune("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ")
	// kanji are common in Japanese names, all of JIS level 1.
	kanji = []rune("佐藤鈴木高橋田中伊渡辺山本中村小林加吉松井上木清水森池田口阿部石川前原野藤岡村" +
		"太郎一二三四五子美恵花英明和正雄幸夫健治博之浩司誠修実大輔翔真由紀香奈菜千春秋夏冬光" +
		"雅彦秀樹信義直人勝利文武智海空風林竹梅桜川島坂谷沢崎宮内西東南北長谷近江")
	upper = []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	lower = []rune("abcdefghijklmnopqrstuvwxyz")
	digit = []rune("0123456789")
	// Greek and Cyrillic letters of JIS X 0208.
	greekUpper    = []rune("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ")
	greekLower    = []rune("αβγδεζηθικλμνξοπρστυφχψω")
	cyrillicUpper = []rune("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
	cyrillicLower = []rune("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
)

// text replaces every letter and digit of v by a pseudorandom one of the
// same script, case and width — hiragana by hiragana, katakana by
// katakana, kanji by common name kanji, Latin by Latin (accented letters
// by plain ones of their case), Greek and Cyrillic by those of JIS X
// 0208, other letters by letters of their own Unicode block — and keeps
// modifier letters (ー, 々, the half-width voicing marks), spaces,
// punctuation and symbols, so a name stays name-like text of the same
// length. Bytes that are not UTF-8 are
// replaced by Latin letters.
func (a *Anonymizer) text(v []byte) []byte {
	s := a.stream(MethodText, v)
	out := make([]byte, 0, len(v))
	for len(v) > 0 {
		r, n := utf8.DecodeRune(v)
		v = v[n:]
		if r == utf8.RuneError && n == 1 {
			r = 'x'
		}
		out = utf8.AppendRune(out, replaceRune(r, s))
	}
	return out
}

// replaceRune returns the replacement of r drawn from s.
func replaceRune(r rune, s *stream) rune {
	pick := func(set []rune) rune { return set[s.next(len(set))] }
	switch {
	case unicode.Is(unicode.Lm, r): // ー, 々, ﾞ, ﾟ: marks that go with any letter
		return r
	case r >= 0x3041 && r <= 0x309F:
		return pick(hiragana)
	case r >= 0x30A1 && r <= 0x30FA:
		return pick(katakana)
	case r >= 0xFF66 && r <= 0xFF9D:
		return pick(halfKana)
	case unicode.Is(unicode.Han, r):
		return pick(kanji)
	case r >= '0' && r <= '9':
		return pick(digit)
	case unicode.IsUpper(r) && unicode.Is(unicode.Latin, r):
		return pick(upper)
	case unicode.Is(unicode.Latin, r):
		return pick(lower)
	case unicode.Is(unicode.Greek, r):
		return pick(caseOf(r, greekUpper, greekLower))
	case unicode.Is(unicode.Cyrillic, r):
		return pick(caseOf(r, cyrillicUpper, cyrillicLower))
	case unicode.IsLetter(r):
		return sameBlock(r, s)
	}
	return r
}

func caseOf(r rune, upper, lower []rune) []rune {
	if unicode.IsUpper(r) {
		return upper
	}
	return lower
}

// sameBlock returns a letter near r (within its 128-character block),
// falling back to a Latin letter.
func sameBlock(r rune, s *stream) rune {
	base := r &^ 0x7F
	for range 8 {
		c := base + rune(s.next(0x80))
		if unicode.IsLetter(c) {
			return c
		}
	}
	return lower[s.next(len(lower))]
}
