//go:build !unix

package main

import "os"

// peakRSS returns 0: this system reports no peak RSS through ProcessState.
func peakRSS(*os.ProcessState) int64 { return 0 }
