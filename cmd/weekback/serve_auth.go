package main

import (
	"context"
	"errors"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/server/auth"
)

// userSpec converts the auth.* settings for mysql.LookupUser.
func userSpec(a config.Auth) mysql.UserSpec {
	return mysql.UserSpec{Table: a.Table, LoginColumn: a.LoginColumn, LoginColumns: a.LoginColumns, PasswordColumn: a.PasswordColumn,
		SaltColumn: a.SaltColumn, LowercaseLogin: a.LowercaseLogin, Allow: config.Rules(a.Allow), Admin: config.Rules(a.Admin)}
}

// verifier returns the password verifier of auth.*, after checking the
// auth tables and columns against the schema that decides who may log in
// (a missing one is a configuration error naming its key) and remembering
// one of its hashes, so that unknown logins cost what real ones do. When
// that schema cannot be read yet (no backup, production down), it logs so
// and checks at the first login instead.
func (c *serveCmd) verifier(ctx context.Context, gens weekback.GenerationStore) (*auth.Verifier, error) {
	a := c.cfg.Auth
	secret, err := c.cfg.LoadSecret()
	if err != nil {
		return nil, err
	}
	v := &auth.Verifier{Scheme: a.HashScheme, Secret: secret, Peppers: a.Peppers, AllowWeak: a.AllowWeakHashes}
	log := c.app.logger.With("component", "auth")
	if a.AllowWeakHashes {
		log.Warn("auth.allow_weak_hashes is on: unsalted md5 and sha1 password hashes are accepted (weak)")
	}
	hash, salt, err := c.sampleHash(ctx, gens, userSpec(a))
	switch code := weekback.ErrorCode(err); {
	case code == weekback.EINVALID:
		return nil, &config.Error{Message: weekback.ErrorMessage(err)} // a missing table or column: exit 2
	case err != nil:
		log.Warn("cannot check the auth tables now: they are checked at each login", "err", err)
		auth.DummyVerify("")
	case !v.Remember(hash, salt):
		log.Warn("the users table's first hash is of a format Weekback cannot verify", "format", auth.Format(hash))
		auth.DummyVerify("")
	}
	return v, nil
}

// sampleHash checks spec against the schema that decides who may log in and
// returns one of its hashes.
func (c *serveCmd) sampleHash(ctx context.Context, gens weekback.GenerationStore, spec mysql.UserSpec) (string, string, error) {
	db, schema := c.db, ""
	if c.cfg.Auth.Source == config.AuthSourceProduction { // c.prod is also open for compare.production
		cfg, err := mysql.Config(c.cfg.Source.DSN, "source.dsn", mysql.RoleSource)
		if err != nil {
			return "", "", err
		}
		db, schema = c.prod, cfg.DBName
	} else {
		all, err := gens.Generations(ctx)
		if err != nil {
			return "", "", err
		}
		g := weekback.NewestReady(all)
		if g == nil {
			return "", "", errors.New("no backup is ready yet")
		}
		schema = g.Slot
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return "", "", err
	}
	defer conn.Close()
	return mysql.SampleHash(ctx, conn, mysql.NewCatalog(), schema, spec)
}
