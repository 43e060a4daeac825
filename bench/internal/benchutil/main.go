package benchutil

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Exit codes of Main.
const (
	ExitFailed = 1 // something could not be measured
	ExitUsage  = 2 // bad flags
)

// Main is a benchmark's main: it parses the command line's arguments with
// parse, runs run with a context cancelled on SIGINT or SIGTERM (so that
// run can still drop its schemas) beside the neighbour $BENCH_NEIGHBOUR
// asks for (see StartNeighbour; it runs through the whole of run, so both
// sides of every comparison share the machine with it), and exits: 0 after
// -h or success, ExitUsage on a parse error, ExitFailed when run fails or
// the neighbour cannot start. It does not return.
func Main[O any](parse func(args []string) (O, error), run func(context.Context, O) error) {
	o, err := parse(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(ExitUsage)
	}
	n, err := StartNeighbour()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(ExitFailed)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o)
	stop()
	n.Stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(ExitFailed)
	}
}

// CheckRun is the check every benchmark's flags share, after fs.Parse: no
// argument left, a positive -scale, at least one of -runs, a positive
// -timeout. It returns the first problem, naming the flag.
func CheckRun(fs *flag.FlagSet, scale float64, runs int, timeout time.Duration) error {
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !(scale > 0):
		return errors.New("-scale must be greater than 0")
	case runs < 1:
		return errors.New("-runs must be at least 1")
	case timeout <= 0:
		return errors.New("-timeout must be greater than 0")
	}
	return nil
}
