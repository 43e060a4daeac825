package benchutil

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of Main.
const (
	ExitFailed = 1 // something could not be measured
	ExitUsage  = 2 // bad flags
)

// Main is a benchmark's main: it parses the command line's arguments with
// parse, runs run with a context cancelled on SIGINT or SIGTERM (so that
// run can still drop its schemas), and exits: 0 after -h or success,
// ExitUsage on a parse error, ExitFailed when run fails. It does not
// return.
func Main[O any](parse func(args []string) (O, error), run func(context.Context, O) error) {
	o, err := parse(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(ExitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(ExitFailed)
	}
}
