package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverProcess is the real binary serving a dataset on loopback.
type serverProcess struct {
	cmd     *exec.Cmd
	base    string
	pprof   string // the profiler's base URL, with --profile
	startup time.Duration
}

func (b *bench) startServer(dsn string) (*serverProcess, error) {
	return b.startBinary(b.binary, dsn)
}

// startBinary starts the given server binary on the dataset.
func (b *bench) startBinary(binary, dsn string) (*serverProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p := &serverProcess{base: "http://" + addr}
	args := []string{"serve", "--db", dsn, "--addr", addr}
	if b.profileDir != "" {
		paddr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		p.pprof = "http://" + paddr + "/debug/pprof/"
		args = append(args, "--pprof-addr", paddr)
	}
	p.cmd = exec.Command(binary, args...)
	// The server's log is kept beside the datasets (see --dir): a failed
	// request's cause is there.
	b.servers++
	logFile, err := os.Create(filepath.Join(b.dir, fmt.Sprintf("server-%d.log", b.servers)))
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 2*time.Minute {
			p.stop()
			return nil, fmt.Errorf("server did not become ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.startup = time.Since(start)
	return p, nil
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// peakRSS is the process's high-water resident memory in MB.
func (p *serverProcess) peakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func (p *serverProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}
