package benchutil

import "syscall"

// dieWithParent makes a child get SIGKILL when this process ends.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
