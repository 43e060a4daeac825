package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/demo"
	"github.com/weekback/weekback/server"
)

// defaultDemoPrefix is the backup prefix of the demo; its production
// schema is <prefix>_sales.
const defaultDemoPrefix = "weekback_demo"

// demoCmd is `weekback demo`: a demo production schema, a week of
// activity, one snapshot per day.
type demoCmd struct {
	app        *app
	serverDSN  string
	configPath string
	prefix     string
	schema     string
	listen     string // "" with --no-serve
	db         *sql.DB
	serve      *serveCmd
}

func newDemoCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	dsn := fs.String("dsn", "", "MySQL/MariaDB server to build the demo on, as user:pass@tcp(host:port)/ (default $WEEKBACK_TEST_DSN, else root@tcp(127.0.0.1:3306)/)")
	out := fs.String("write-config", "var/demo.yaml", "where to write the demo's configuration file")
	prefix := fs.String("prefix", defaultDemoPrefix, "backup prefix of the demo; the demo production schema is <prefix>_sales")
	listen := fs.String("listen", "127.0.0.1:8080", "where the demo's web server listens")
	noServe := fs.Bool("no-serve", false, "build the demo week and exit, without starting the web server")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	c := &demoCmd{app: a, serverDSN: *dsn, configPath: *out, prefix: *prefix, schema: *prefix + "_sales", listen: *listen}
	if *noServe {
		c.listen = ""
	}
	if c.serverDSN == "" {
		c.serverDSN = a.env.Getenv("WEEKBACK_TEST_DSN")
	}
	if c.serverDSN == "" {
		c.serverDSN = "root@tcp(127.0.0.1:3306)/"
	}
	cfg, err := mysql.ParseDSN(c.serverDSN)
	if err != nil {
		return nil, usagef("--dsn %q does not parse (%v): use user:pass@tcp(host:port)/", config.RedactDSN(c.serverDSN), err)
	}
	cfg.DBName = ""
	c.serverDSN = cfg.FormatDSN()
	return c, nil
}

// Run builds the demo and snapshots each day of its week. The address it
// will serve on is checked first: a busy port is found before the week is
// built, not after.
func (c *demoCmd) Run(ctx context.Context) error {
	if err := c.checkListen(); err != nil {
		return err
	}
	var err error
	if c.db, err = sql.Open("mysql", c.serverDSN); err != nil {
		return err
	}
	if err := c.db.PingContext(ctx); err != nil {
		return weekback.Errorf(weekback.EUNAVAILABLE, "cannot reach the demo server %s: %v; start MariaDB (make demo does) or pass --dsn", config.RedactDSN(c.serverDSN), err)
	}
	fmt.Fprintf(c.app.env.Stderr, "creating the demo production database %s …\n", c.schema)
	if err := demo.Create(ctx, c.db, c.schema); err != nil {
		return err
	}
	if err := c.writeConfig(); err != nil {
		return err
	}
	if _, err := c.app.loadConfig(); err != nil {
		return err
	}
	for i, day := range weekback.Weekdays {
		if err := c.day(ctx, i, day); err != nil {
			return err
		}
	}
	if err := c.report(ctx); err != nil || c.listen == "" {
		return err
	}
	return c.runServer(ctx)
}

// checkListen fails with an EINVALID error (exit 2) naming --listen and
// DEMO_ARGS when the demo could not serve on its address.
func (c *demoCmd) checkListen() error {
	if c.listen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return weekback.Errorf(weekback.EINVALID,
			"the demo cannot serve on %s (%v): pick a free address with --listen, e.g. weekback demo --listen 127.0.0.1:8081 "+
				"(with make: make demo DEMO_ARGS='--listen 127.0.0.1:8081'), or build the week only with --no-serve", c.listen, err)
	}
	return ln.Close()
}

// runServer serves the demo until ctx ends (Ctrl-C).
func (c *demoCmd) runServer(ctx context.Context) error {
	cfg, err := c.app.loadConfig()
	if err != nil {
		return err
	}
	c.serve = &serveCmd{app: c.app, cfg: cfg, demo: demoInfo(), listening: func(addr string) {
		fmt.Fprintf(c.app.env.Stdout, "\nServing the demo at http://%s/ — log in as %s / %s (administrator) or %s / %s (support). Ctrl-C stops it.\n",
			addr, demo.Login, demo.Password, demo.SupportLogin, demo.SupportPassword)
	}}
	return c.serve.Run(ctx)
}

// demoInfo is what the demo's pages say: its logins and the story's date
// of each day's copy.
func demoInfo() *server.Demo {
	d := &server.Demo{Story: map[weekback.Weekday]time.Time{}, Logins: []server.DemoLogin{
		{Login: demo.Login, Password: demo.Password, Admin: true},
		{Login: demo.SupportLogin, Password: demo.SupportPassword},
	}}
	for i, day := range weekback.Weekdays {
		d.Story[day] = demo.StoryDate(i)
	}
	return d
}

func (c *demoCmd) day(ctx context.Context, i int, day weekback.Weekday) error {
	act, err := demo.Simulate(ctx, c.db, c.schema, i)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.app.env.Stderr, "%s %s: +%d customers, +%d orders, %d customers edited, %d orders cancelled, %d orders deleted, %d users deleted\n",
		day, act.Date, act.NewCustomers, act.NewOrders, act.EditedCustomers, act.Cancelled, act.DeletedOrders, act.DeletedUsers)
	s := c.app.newSnapshotter()
	s.Progress = nil
	defer s.Close()
	if err := s.Open(ctx); err != nil {
		return err
	}
	res, err := s.Snapshot(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.app.env.Stderr, "  "+res.Summary())
	return nil
}

func (c *demoCmd) writeConfig() error {
	src, _ := mysql.ParseDSN(c.serverDSN)
	src.DBName = c.schema
	body := fmt.Sprintf(`# Written by weekback demo on %s.
source:
  dsn: %q
backup:
  dsn: %q
  reader_dsn: %q
  prefix: %s
schedule:
  timezone: "Asia/Tokyo"
snapshot:
  parallelism: 2
  grace_period: "1s"
server:
  listen: %q
  base_url: %q
  session_secret_file: %q
exports:
  dir: %q
`, time.Now().UTC().Format(time.RFC3339), src.FormatDSN(), c.serverDSN, c.serverDSN, c.prefix,
		c.listenOrDefault(), "http://"+c.listenOrDefault(), filepath.Join(filepath.Dir(c.configPath), "demo-session.key"),
		filepath.Join(filepath.Dir(c.configPath), "demo-exports"))
	if err := os.MkdirAll(filepath.Dir(c.configPath), 0o755); err != nil {
		return fmt.Errorf("write demo config: %w", err)
	}
	if err := os.WriteFile(c.configPath, []byte(body), 0o600); err != nil {
		return fmt.Errorf("write demo config: %w", err)
	}
	c.app.configFlag = c.configPath
	return nil
}

func (c *demoCmd) report(ctx context.Context) error {
	gc := &generationsCmd{app: c.app, s: c.app.newSnapshotter()}
	defer gc.Close()
	fmt.Fprintf(c.app.env.Stdout, "\nThe demo week is in place: seven generations of %s.\n\n", c.schema)
	if err := gc.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(c.app.env.Stdout, "\nTry:\n  bin/weekback --config %s generations\n  bin/weekback --config %s verify\n", c.configPath, c.configPath)
	return nil
}

func (c *demoCmd) listenOrDefault() string {
	if c.listen == "" {
		return "127.0.0.1:8080"
	}
	return c.listen
}

// Close stops the demo's server and closes its connections.
func (c *demoCmd) Close() error {
	var err error
	if c.serve != nil {
		err = c.serve.Close()
	}
	if c.db != nil {
		c.db.Close()
	}
	return err
}
