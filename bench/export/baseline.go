package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// killTimeout bounds the KILL QUERY of an interrupted INTO OUTFILE.
const killTimeout = 10 * time.Second

// outfileMethod builds B: SELECT * INTO OUTFILE as CSV with CRLF lines,
// written by the server itself into o.outfileDir under a unique name. The
// file belongs to the server's user; the benchmark removes it.
func (b *bench) outfileMethod() *method {
	m := &method{key: "B", name: "SELECT … INTO OUTFILE"}
	m.run = func(ctx context.Context, i int) (sample, error) {
		path := filepath.Join(b.o.outfileDir, fmt.Sprintf("wbexp-outfile-%d-%d-%d.csv", os.Getpid(), time.Now().UnixNano(), i))
		b.outfiles = append(b.outfiles, path)
		q := "SELECT /* wbbench */ * FROM " + benchutil.Qualify(b.slot, exportTable) + " INTO OUTFILE " + quoteString(path) +
			` FIELDS TERMINATED BY ',' ENCLOSED BY '"' LINES TERMINATED BY '\r\n'`
		wall, n, err := b.execKillable(ctx, q)
		if err != nil {
			return sample{}, fmt.Errorf("into outfile %s (see -outfile-dir): %w", path, err)
		}
		if n != b.rows {
			return sample{}, fmt.Errorf("into outfile wrote %d rows, want %d", n, b.rows)
		}
		size, err := checkLines(path, b.rows)
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("%w: the server must run on this machine and share -outfile-dir", err)
		}
		if err != nil {
			return sample{}, err
		}
		return sample{wall: wall, bytes: size}, nil
	}
	return m
}

// execKillable runs q on a connection of its own and returns its wall
// time and affected rows. When ctx ends first, the driver only drops the
// connection, which a server busy writing a file does not notice: the
// query is then killed, so that it stops writing before cleanup removes
// the file.
func (b *bench) execKillable(ctx context.Context, q string) (time.Duration, int64, error) {
	conn, err := b.DB.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	res, err := conn.ExecContext(ctx, q)
	wall := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), killTimeout)
			_, _ = b.DB.ExecContext(kctx, "KILL QUERY "+strconv.FormatInt(id, 10))
			cancel()
		}
		return 0, 0, err
	}
	n, err := res.RowsAffected()
	return wall, n, err
}

// resolveOutfileDir defaults -outfile-dir to the server's secure_file_priv
// when that names a directory (INTO OUTFILE may write nowhere else), else
// to DefaultOutfileDir.
func (b *bench) resolveOutfileDir(ctx context.Context) error {
	if b.o.outfileDir != "" {
		return nil
	}
	var priv sql.NullString
	if err := b.DB.QueryRowContext(ctx, "SELECT @@secure_file_priv").Scan(&priv); err != nil {
		return fmt.Errorf("read secure_file_priv: %w", err)
	}
	b.o.outfileDir = DefaultOutfileDir
	if priv.String != "" {
		b.o.outfileDir = priv.String
	}
	return nil
}

// clientMethod builds C: `mariadb --batch --quick -e 'SELECT * FROM …'`
// with its stdout in a file (tab-separated, with a header line).
func (b *bench) clientMethod() (*method, error) {
	tool, err := benchutil.FindTool("mariadb", "mysql")
	if err != nil {
		return nil, fmt.Errorf("find client: %w", err)
	}
	opts, err := benchutil.WriteClientOptions(b.Cfg, b.Dir)
	if err != nil {
		return nil, err
	}
	m := &method{key: "C", name: filepath.Base(tool) + " --batch --quick > file"}
	m.run = func(ctx context.Context, i int) (sample, error) {
		path := filepath.Join(b.Dir, fmt.Sprintf("client-%d.tsv", i))
		f, err := os.Create(path)
		if err != nil {
			return sample{}, fmt.Errorf("create %s: %w", path, err)
		}
		defer f.Close()
		cmd := exec.CommandContext(ctx, tool, "--defaults-extra-file="+opts, "--batch", "--quick",
			"-e", "SELECT /* wbbench */ * FROM "+benchutil.Qualify(b.slot, exportTable))
		cmd.Stdout = f
		return runChild(cmd, path, b.rows+1) // with the header
	}
	return m, nil
}

// runChild runs cmd, which writes the file out, checks that out has lines
// lines and returns the sample.
func runChild(cmd *exec.Cmd, out string, lines int64) (sample, error) {
	wall, err := benchutil.Run(cmd)
	if err != nil {
		return sample{}, err
	}
	size, err := checkLines(out, lines)
	if err != nil {
		return sample{}, err
	}
	return sample{wall: wall, bytes: size, procs: []benchutil.ProcRSS{benchutil.Proc(cmd)}}, nil
}

// checkLines checks that the file at path has want lines (the orders table
// holds no line breaks), removes it and returns its size. Reading it is
// not timed.
func checkLines(path string, want int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("check output: %w", err)
	}
	defer os.Remove(path)
	defer f.Close()
	var size, lines int64
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		size += int64(n)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("check output %s: %w", path, err)
		}
	}
	if lines != want {
		return 0, fmt.Errorf("check output %s: %d lines, want %d", path, lines, want)
	}
	return size, nil
}

// quoteString quotes s as an SQL string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", "''").Replace(s) + "'"
}
