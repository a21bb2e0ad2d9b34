package enginewatch

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestEngineAddress(t *testing.T) {
	cases := map[string][]string{
		"127.0.0.1:4000": {"127.0.0.1:4000"},
		"127.0.0.1:4001": {"--logtostderr", "-v=9", "--tracing", "http://t:1", "127.0.0.1:4001"},
		"127.0.0.1:4002": {"-root=/p", "-tracing=http://t", "127.0.0.1:4002"},
		"":               {"--tracing", "http://t:1"},
	}
	for want, args := range cases {
		if got := EngineAddress(args); got != want {
			t.Errorf("EngineAddress(%q) = %q, want %q", args, got, want)
		}
	}
}

func TestWatchCallsGoneOnlyAfterTheListenerCloses(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	var gone atomic.Int32
	stop := Watch(l.Addr().String(), 20*time.Millisecond, 3, func() { gone.Add(1) })
	defer stop()
	time.Sleep(200 * time.Millisecond)
	if gone.Load() != 0 {
		t.Fatal("gone was called while the engine listened")
	}
	_ = l.Close()
	deadline := time.Now().Add(2 * time.Second)
	for gone.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if gone.Load() != 1 {
		t.Fatalf("gone called %d times after the listener closed, want 1", gone.Load())
	}
	time.Sleep(100 * time.Millisecond)
	if gone.Load() != 1 {
		t.Fatal("gone called more than once")
	}
}

// A helper process: leads a process group with a sleeping child, watches an address where
// nothing listens, and must take the child with it when it exits.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("ENGINEWATCH_HELPER") == "" {
		t.Skip("helper for TestExitTakesTheProcessGroup")
	}
	child := exec.Command("sleep", "60")
	if err := child.Start(); err != nil {
		os.Exit(3)
	}
	fmt.Println(child.Process.Pid)
	ExitWhenEngineGone("helper", []string{os.Getenv("ENGINEWATCH_HELPER")}, nil)
	time.Sleep(30 * time.Second)
	os.Exit(4)
}

func TestExitTakesTheProcessGroup(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	address := l.Addr().String()
	_ = l.Close() // nothing listens there any more: the "engine" is gone
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "ENGINEWATCH_HELPER="+address)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var childPid int
	if _, err := fmt.Fscan(out, &childPid); err != nil {
		t.Fatalf("reading the helper's child pid: %v", err)
	}
	started := time.Now()
	err := cmd.Wait()
	if took := time.Since(started); took > 10*time.Second {
		t.Fatalf("the helper took %v to exit", took)
	}
	if err == nil {
		t.Fatal("the helper exited 0; want killed")
	}
	// Killed with its group, the child is gone or a zombie waiting for init to reap it.
	time.Sleep(200 * time.Millisecond)
	stat, readErr := os.ReadFile("/proc/" + strconv.Itoa(childPid) + "/stat")
	if readErr == nil && !strings.Contains(string(stat), ") Z") {
		t.Fatalf("the helper's child %d outlived it: %s", childPid, stat)
	}
}
