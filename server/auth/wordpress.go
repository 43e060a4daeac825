package auth

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
)

// wordPressKey is the HMAC key WordPress 6.8 pre-hashes passwords with.
const wordPressKey = "wp-sha384"

// verifyWordPress checks password against a WordPress 6.8 hash: "$wp"
// followed by a bcrypt hash of base64(HMAC-SHA384(key "wp-sha384",
// password)), which lets passwords be longer than bcrypt's 72 bytes.
func verifyWordPress(format, encoded, password string) error {
	mac := hmac.New(sha512.New384, []byte(wordPressKey))
	mac.Write([]byte(password))
	pre := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	bcryptHash := encoded[len("$wp"):]
	if f := Format(bcryptHash); f != "$2y$" && f != "$2a$" && f != "$2b$" {
		return invalid(format, "no bcrypt hash after $wp")
	}
	return verifyBcrypt(format, bcryptHash, pre)
}
