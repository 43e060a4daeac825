package main

import (
	"context"
	"flag"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/server"
)

// serveCmd is `weekback serve`: the web server, until SIGTERM.
type serveCmd struct {
	app *app
	cfg *config.Config
	db  *sqlx.DB
	srv *server.Server
}

func newServeCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	cfg, err := a.configure(fs, args, (*config.Config).RequireServe)
	if err != nil {
		return nil, err
	}
	return &serveCmd{app: a, cfg: cfg}, nil
}

// Run connects with the reader account, attaches to the meta schema and
// serves until ctx ends, then shuts down gracefully.
func (c *serveCmd) Run(ctx context.Context) error {
	var err error
	if c.db, err = mysql.Open(ctx, c.cfg.Backup.ReaderDSN, "backup.reader_dsn", mysql.RoleBackup); err != nil {
		return err
	}
	meta, err := mysql.AttachMeta(ctx, c.db, c.cfg.Backup.Prefix)
	if err != nil {
		return err
	}
	c.srv = server.New()
	c.srv.Listen = c.cfg.Server.Listen
	c.srv.Generations, c.srv.Ping = meta, meta.Ping
	c.srv.Location = c.cfg.Schedule.Location()
	c.srv.Logger = c.app.logger
	if err := c.srv.Open(); err != nil {
		return err
	}
	<-ctx.Done()
	c.app.logger.Info("stopping: finishing requests in flight")
	return nil
}

// Close shuts the server down and closes the database.
func (c *serveCmd) Close() error {
	var err error
	if c.srv != nil {
		err = c.srv.Close()
	}
	if c.db != nil {
		c.db.Close()
	}
	return err
}
