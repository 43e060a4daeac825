//go:build !unix

package benchutil

import "os"

// PeakRSS returns 0: this system reports no peak RSS through ProcessState.
func PeakRSS(*os.ProcessState) int64 { return 0 }
