package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/offsite"
)

// openOffsite returns the off-site store of offsite.*, nil when
// offsite.target is empty.
func (a *app) openOffsite() (*offsite.Store, error) {
	c := a.cfg.Offsite
	if c.Target == "" {
		return nil, nil
	}
	t, err := offsite.OpenTarget(c.Target, offsite.Options{CredentialsFile: c.CredentialsFile, Getenv: a.env.Getenv})
	if err != nil {
		return nil, err
	}
	st := &offsite.Store{Target: t, Prefix: a.cfg.Backup.Prefix, Keep: c.Keep}
	if c.EncryptKeyFile != "" {
		if st.Identity, err = offsite.LoadIdentity(c.EncryptKeyFile); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func requireOffsite(cfg *config.Config) error {
	if cfg.Offsite.Target == "" {
		return usagef("offsite.target is not set: set it (file:///path or s3://bucket/prefix?endpoint=…) in weekback.yaml or WEEKBACK_OFFSITE_TARGET")
	}
	return nil
}

// offsiteCmd is `weekback offsite list [--json]` and `weekback offsite
// fetch NAME -o FILE`.
type offsiteCmd struct {
	app     *app
	st      *offsite.Store
	verb    string
	json    bool
	name    string
	outPath string
}

func newOffsiteCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &offsiteCmd{app: a}
	fs.BoolVar(&c.json, "json", false, "list: print JSON")
	fs.StringVar(&c.outPath, "o", "", "fetch: the file to write the SQL script to (decompressed, decrypted)")
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fs.Usage()
		return nil, flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "list" && args[0] != "fetch") {
		return nil, usagef("offsite: say what to do: `weekback offsite list [--json]` or `weekback offsite fetch NAME -o FILE`")
	}
	c.verb = args[0]
	rest := args[1:]
	if c.verb == "fetch" {
		if len(rest) == 0 || rest[0] == "" || rest[0][0] == '-' {
			return nil, usagef("offsite fetch: name the copy: `weekback offsite fetch NAME -o FILE` (names: `weekback offsite list`)")
		}
		c.name, rest = rest[0], rest[1:]
	}
	if _, err := a.configure(fs, rest, requireOffsite); err != nil {
		return nil, err
	}
	if c.verb == "fetch" && c.outPath == "" {
		return nil, usagef("offsite fetch: say where to write it: -o FILE")
	}
	var err error
	c.st, err = a.openOffsite()
	return c, err
}

// Run lists the copies or fetches one.
func (c *offsiteCmd) Run(ctx context.Context) error {
	if c.verb == "fetch" {
		if err := c.st.Fetch(ctx, c.name, c.outPath); err != nil {
			return err
		}
		fmt.Fprintf(c.app.env.Stdout, "fetched %s to %s (checksum verified)\n", c.name, c.outPath)
		return nil
	}
	copies, err := c.st.List(ctx)
	if err != nil {
		return err
	}
	if c.json {
		enc := json.NewEncoder(c.app.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(fixNil(copies))
	}
	loc := c.app.cfg.Schedule.Location()
	w := tabwriter.NewWriter(c.app.env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tDAY\tSNAPSHOT AT\tMB\tENCRYPTED")
	for _, cp := range copies {
		fmt.Fprintf(w, "%s\t%s\t%s\t%.1f\t%v\n", cp.Name, cp.Day, cp.SnapshotAt.In(loc).Format("2006-01-02 15:04:05 MST"), float64(cp.Size)/1e6, cp.Encrypted)
	}
	return w.Flush()
}

func fixNil(c []offsite.Copy) []offsite.Copy {
	if c == nil {
		return []offsite.Copy{}
	}
	return c
}

// Close does nothing: the targets hold no connection open.
func (c *offsiteCmd) Close() error { return nil }

// previewOffsite says which off-site copies --all-days would delete.
func (c *discardCmd) previewOffsite(ctx context.Context) {
	st, err := c.app.openOffsite()
	if err != nil || st == nil {
		return
	}
	if copies, err := st.List(ctx); err == nil {
		fmt.Fprintf(c.app.env.Stdout, "would delete %d off-site copies at %s\n", len(copies), st.Target)
	}
}

// discardOffsite deletes every off-site copy of the prefix (--all-days).
func (c *discardCmd) discardOffsite(ctx context.Context) error {
	st, err := c.app.openOffsite()
	if err != nil || st == nil {
		return err
	}
	n, err := st.DeleteAll(ctx)
	fmt.Fprintf(c.app.env.Stdout, "deleted %d off-site objects at %s\n", n, st.Target)
	return err
}

func init() {
	commands["offsite"] = commandSpec{summary: "the off-site copies of verified days: list them, fetch one back", build: newOffsiteCmd,
		synopsis: "list [--json] | fetch NAME -o FILE",
		help: "Reads offsite.* (and backup.prefix) from the configuration. fetch checks the stored object against its\n" +
			".sha256 before it writes FILE (decompressed, decrypted with offsite.encrypt_key_file); a damaged copy is\n" +
			"refused (exit 3) and nothing is written."}
}
