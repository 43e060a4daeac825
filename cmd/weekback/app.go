package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/term"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
)

// Env is what a command sees of the process: its output streams and
// environment. Tests pass their own.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string
}

// Command is one weekback subcommand: Run does the work, Close releases
// what Run opened and waits for its goroutines.
type Command interface {
	Run(ctx context.Context) error
	Close() error
}

// commandSpec builds a command from its flags and the loaded config.
type commandSpec struct {
	summary  string
	build    func(a *app, fs *flag.FlagSet, args []string) (Command, error)
	synopsis string // the arguments after the command's name, for its help
	help     string // more for its help: what it reads, what FILE is
}

var commands = map[string]commandSpec{
	"snapshot": {summary: "one consistent copy of production into a day's generation now", build: newSnapshotCmd,
		synopsis: "[--day DAY] [--dry-run]",
		help:     "Reads source.* and backup.* from the configuration; progress on stderr, a one-line summary on stdout."},
	"snapshotter": {summary: "daemon: snapshot on schedule.cron in schedule.timezone", build: newDaemonCmd,
		help: "Runs until stopped (Ctrl-C, SIGTERM), never two snapshots at once. It takes no flags: source.*, backup.*,\n" +
			"schedule.cron, schedule.timezone and snapshot.* come from the configuration (--config FILE, $WEEKBACK_CONFIG,\n" +
			"./weekback.yaml) and WEEKBACK_* variables."},
	"generations": {summary: "the seven days: status, snapshot time, position, tables, rows, verified", build: newGenerationsCmd,
		synopsis: "[--json]"},
	"verify": {summary: "re-hash a generation and compare it with its manifest (exit 3 on mismatch)", build: newVerifyCmd,
		synopsis: "[--day DAY]"},
	"serve": {summary: "the web server: the seven days, read-only, behind the login", build: newServeCmd,
		help: "Serves server.listen until stopped (Ctrl-C, SIGTERM), finishing requests and putting running jobs back in\n" +
			"the queue. It takes no flags: backup.reader_dsn (else backup.dsn), server.*, auth.* and exports.* come from the\n" +
			"configuration (--config FILE, $WEEKBACK_CONFIG, ./weekback.yaml) and WEEKBACK_* variables."},
	"demo": {summary: "create a demo production database with a week of activity and snapshot every day", build: newDemoCmd,
		synopsis: "[--dsn DSN] [--listen ADDR] [--prefix PREFIX] [--no-serve] [--write-config FILE]",
		help:     "With make demo, pass flags as DEMO_ARGS, for example: make demo DEMO_ARGS='--listen 127.0.0.1:8081'."},
	"version": {summary: "print the version", build: newVersionCmd},
}

// app is what every command shares: the environment, the config and the
// logger.
type app struct {
	env        Env
	configFlag string
	cfg        *config.Config
	logger     *slog.Logger
}

// Main runs the weekback command line and returns the exit code: 0 ok,
// 1 failure, 2 usage or configuration error, 3 verification mismatch.
func Main(ctx context.Context, args []string, env Env) int {
	a := &app{env: env}
	fs := flag.NewFlagSet("weekback", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&a.configFlag, "config", "", "configuration file (default $WEEKBACK_CONFIG, else ./weekback.yaml)")
	fs.Usage = func() { a.usage() }
	if err := fs.Parse(args); err != nil {
		return exitFlag(err)
	}
	if fs.NArg() == 0 {
		a.usage()
		return weekback.ExitUsage
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "help" {
		a.usage()
		return weekback.ExitOK
	}
	spec, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "weekback: unknown command %q: run `weekback help` for the list\n", name)
		return weekback.ExitUsage
	}
	return a.run(ctx, name, spec, rest)
}

func (a *app) run(ctx context.Context, name string, spec commandSpec, args []string) int {
	a.logger = slog.New(slog.NewTextHandler(a.env.Stderr, &slog.HandlerOptions{Level: logLevel(a.env.Getenv)}))
	mysql.SetDriverLogger(a.logger)
	fs := flag.NewFlagSet("weekback "+name, flag.ContinueOnError)
	fs.SetOutput(a.env.Stderr)
	fs.Usage = func() { commandUsage(a.env.Stderr, name, spec, fs) }
	cmd, err := spec.build(a, fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return weekback.ExitOK
		}
		return a.fail(err)
	}
	err = cmd.Run(ctx)
	if cerr := cmd.Close(); err == nil {
		err = cerr
	}
	return a.fail(err)
}

// loadConfig reads the configuration: --config, else $WEEKBACK_CONFIG,
// else ./weekback.yaml, with WEEKBACK_* overrides.
func (a *app) loadConfig() (*config.Config, error) {
	path := config.Path(a.configFlag, a.env.Getenv)
	cfg, err := config.Load(path, a.env.Environ())
	if err != nil {
		return nil, err
	}
	a.cfg = cfg
	return cfg, nil
}

// configure parses a command's flags, loads the configuration and checks
// it has what the command needs.
func (a *app) configure(fs *flag.FlagSet, args []string, require func(*config.Config) error) (*config.Config, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return cfg, require(cfg)
}

// fail prints err for the user and returns its exit code.
func (a *app) fail(err error) int {
	if err == nil {
		return weekback.ExitOK
	}
	if isUsage(err) {
		fmt.Fprintf(a.env.Stderr, "weekback: %v\n", err)
		return weekback.ExitUsage
	}
	code := weekback.ExitCode(err)
	if weekback.ErrorCode(err) == weekback.EINTERNAL {
		fmt.Fprintf(a.env.Stderr, "weekback: %v\n", err)
	} else {
		fmt.Fprintf(a.env.Stderr, "weekback: %s\n", weekback.ErrorMessage(err))
	}
	return code
}

func isUsage(err error) bool {
	var ce *config.Error
	var ue usageError
	return errors.As(err, &ce) || errors.As(err, &ue)
}

// usageError is a bad flag or argument.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func exitFlag(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return weekback.ExitOK
	}
	return weekback.ExitUsage
}

// parseFlags parses a command's flags; positional arguments are refused.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q: see `%s -h`", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

func (a *app) usage() {
	w := a.env.Stderr
	fmt.Fprintf(w, "usage: weekback [--config FILE] COMMAND [flags]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-15s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nexit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 verification mismatch\n")
}

// commandUsage prints a command's help: its synopsis, what it does and
// its flags.
func commandUsage(w io.Writer, name string, spec commandSpec, fs *flag.FlagSet) {
	summary := []rune(spec.summary)
	summary[0] = unicode.ToUpper(summary[0])
	fmt.Fprintf(w, "usage: weekback [--config FILE] %s\n\n%s.\n", strings.TrimSpace(name+" "+spec.synopsis), string(summary))
	if spec.help != "" {
		fmt.Fprintf(w, "%s\n", spec.help)
	}
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nflags:\n")
		fs.PrintDefaults()
	}
}

func logLevel(getenv func(string) string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(getenv("WEEKBACK_LOG_LEVEL")))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// isTerminal reports whether w is a terminal (progress bars go there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// parseDay reads --day; "" means today in the schedule's time zone.
func (a *app) parseDay(s string) (weekback.Weekday, error) {
	if s == "" {
		return weekback.DayOf(nowFunc(), a.cfg.Schedule.Location()), nil
	}
	return weekback.ParseWeekday(s)
}
