// Command bcm-docker-forward is the operator's Docker socket: a root-only unix socket on the
// host that forwards each connection to dockerd's socket inside a local LXD instance.
//
// It replaces an LXD proxy device, which cannot carry `docker exec` or `docker attach`:
// LXD 5.0.2's forkproxy relays a unix-to-unix connection with one goroutine per direction
// and, as soon as either direction ends (lxd/main_forkproxy.go, unixRelay: a select on the
// first of the two), closes both sockets. The docker CLI half-closes its side of the
// hijacked exec/attach stream once its input is done (at once without -i), so forkproxy
// cuts the stream before dockerd's output comes back: the command "succeeds" and prints
// nothing. Here each direction is copied on its own and its end is passed on as a
// half-close (CloseWrite), so the output, the exit code and stdin's end all arrive.
//
// The instance's dockerd is reached through /proc/<instance init pid>/root, which the host's
// root can open: no TCP port, nothing inside the instance. The pid is asked of LXD for
// every connection, so a restarted instance is found again. The socket is created mode
// 0600 (umask 077 before bind, then chmod) and removed on SIGTERM; if something deletes
// its file, the forwarder binds it again.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "", "the socket to create on this host (mode 0600)")
	instance := flag.String("instance", "", "the LXD instance whose socket to reach")
	target := flag.String("connect", "/run/docker.sock", "the socket inside the instance (an absolute path without symlinks)")
	lxdSocket := flag.String("lxd", "/var/lib/lxd/unix.socket", "the local LXD daemon's socket")
	flag.Parse()
	if *listen == "" || *instance == "" {
		fmt.Fprintln(os.Stderr, "usage: bcm-docker-forward -listen <socket> -instance <name> [-connect /run/docker.sock] [-lxd /var/lib/lxd/unix.socket]")
		os.Exit(2)
	}
	f := &forwarder{path: *listen, target: *target, resolve: lxdInitPid(*lxdSocket, *instance), procRoot: "/proc", logf: logf, onGone: func() { os.Exit(0) }}
	if err := f.bind(); err != nil {
		logf("cannot listen on %s: %v", *listen, err)
		os.Exit(1)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go f.serve()
	go f.keepBound(2 * time.Second)
	<-stop
	f.close()
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bcm-docker-forward: %s\n", time.Now().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
}
