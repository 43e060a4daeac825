// Command weekback takes nightly consistent snapshots of a production
// MySQL/MariaDB schema into seven weekday generations and serves them
// read-only. See README.md and `weekback help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped by `make build` (-ldflags "-X main.version=…").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ})
	stop()
	os.Exit(code)
}
