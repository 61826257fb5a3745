// Package harness runs the real safecampus binary as an operator would:
// it builds it, prepares a database with the command line, starts `serve`
// on a loopback port, and sends it signals. The fault tests
// (internal/faults) and the load test (cmd/loadtest) drive the product
// through it, over loopback only.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Build compiles cmd/safecampus into dir and returns the binary's path.
// race builds it with the race detector (sharing the build cache with race
// test runs).
func Build(ctx context.Context, dir string, race bool) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "safecampus")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/safecampus")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the safecampus module")
	}
	return filepath.Dir(mod), nil
}

// Instance is a database prepared for the binary: a SQLite file with
// schools, an admin user and an API token.
type Instance struct {
	Bin     string
	DB      string
	Schools []string // codes of the imported schools
	Admin   string   // admin username
	Token   string   // the admin's API token
}

// AdminPassword is the password of the admin user Prepare creates.
const AdminPassword = "Harness-Pass-9"

// counties are county-level divisions of the built-in Inner Mongolia list.
var counties = []string{"150102", "150103", "150104", "150105", "150202", "150203", "150302", "150402"}

// Prepare creates a database in dir through the command line: n schools
// spread over several counties, an admin user and its API token.
func Prepare(ctx context.Context, bin, dir string, n int) (*Instance, error) {
	in := &Instance{Bin: bin, DB: filepath.Join(dir, "safecampus.db"), Admin: "ops-admin"}
	var csv strings.Builder
	csv.WriteString("code,name,type,division_code,students,boarders\n")
	for i := range n {
		code := fmt.Sprintf("%s%04d", counties[i%len(counties)], i+1)
		in.Schools = append(in.Schools, code)
		fmt.Fprintf(&csv, "%s,第%d小学,primary,%s,%d,0\n", code, i+1, counties[i%len(counties)], 100+(i*37)%900)
	}
	file := filepath.Join(dir, "schools.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		return nil, err
	}
	if _, err := in.CLI(ctx, "", "import", "schools", file); err != nil {
		return nil, err
	}
	if _, err := in.CLI(ctx, AdminPassword+"\n", "user", "add", "--username", in.Admin, "--role", "admin", "--password-stdin"); err != nil {
		return nil, err
	}
	tok, err := in.NewToken(ctx, in.Admin)
	if err != nil {
		return nil, err
	}
	in.Token = tok
	return in, nil
}

// NewToken creates an API token for a user with `token create`.
func (in *Instance) NewToken(ctx context.Context, username string) (string, error) {
	out, err := in.CLI(ctx, "", "token", "create", "--username", username)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// CLI runs a command of the binary on the instance's database and returns
// its standard output.
func (in *Instance) CLI(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, in.Bin, append(args, "--db", in.DB)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("safecampus %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// Server is a running `safecampus serve`.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	logs *logBuffer
	done chan struct{}
	err  error
}

// Serve starts `safecampus serve` on a free loopback port and waits until
// it listens. Extra arguments go to serve.
func (in *Instance) Serve(ctx context.Context, extra ...string) (*Server, error) {
	return in.ServeDB(ctx, in.DB, extra...)
}

// ServeDB is Serve on another database file (a restored backup).
func (in *Instance) ServeDB(ctx context.Context, db string, extra ...string) (*Server, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, extra...)
	cmd := exec.Command(in.Bin, args...)
	cmd.Env = append(os.Environ(), "SAFECAMPUS_EVIDENCE_DIR="+filepath.Join(filepath.Dir(db), "evidence"))
	s := &Server{cmd: cmd, logs: &logBuffer{}, done: make(chan struct{})}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logs.add(line)
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				select {
				case urls <- rec.URL:
				default:
				}
			}
		}
	}()
	go func() { s.err = cmd.Wait(); close(s.done) }()
	select {
	case s.URL = <-urls:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("serve exited before listening: %v\n%s", s.err, s.logs.String())
	case <-time.After(60 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("serve did not listen within a minute\n%s", s.logs.String())
	case <-ctx.Done():
		s.Kill()
		return nil, ctx.Err()
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Terminate sends SIGTERM, as an init system stopping the service does.
func (s *Server) Terminate() error { return s.cmd.Process.Signal(syscall.SIGTERM) }

// Wait waits up to d for the process to exit and returns how it ended.
func (s *Server) Wait(d time.Duration) error {
	select {
	case <-s.done:
		return s.err
	case <-time.After(d):
		return fmt.Errorf("server still running after %v", d)
	}
}

// Exited reports whether the process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Logs is everything the server wrote on stderr so far.
func (s *Server) Logs() string { return s.logs.String() }

// RSS is the server's resident memory in bytes, from /proc (Linux).
func (s *Server) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) < 1 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line)
	l.b.WriteByte('\n')
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Client calls the API with the instance's admin token.
type Client struct {
	Base, Token string
	HTTP        *http.Client
}

// CheckDay is the check date the harness submits: yesterday in the
// deployment's zone (Asia/Shanghai by default), never in the future.
func CheckDay() string {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
}

// ChecklistBody is a complete, covered checklist submission on day.
func ChecklistBody(day string) []byte {
	d, _ := time.Parse(time.DateOnly, day)
	test := d.AddDate(0, 0, -10).Format(time.DateOnly)
	return []byte(`{"checked_on":"` + day + `","submit":true,"facts":{` +
		`"nursing_post":{"set_up":true,"am_staff":2,"pm_staff":2,"police_present":true,"roster_on_file":true},` +
		`"closed_management":{"perimeter_enclosed":true,"gate_room_24h":true,"visitor_registration":true,"anti_ramming":"bollards"},` +
		`"security_guards":{"full_time_guards":9,"licensed_guards":9},` +
		`"one_button_alarm":{"installed":true,"linked_to_police":true,"last_test_on":"` + test + `","last_test_ok":true},` +
		`"video_networking":{"cameras":12,"gate_covered":true,"networked_to_police":true,"retention_days":90}}}`)
}

// Submitted is a checklist the server acknowledged with 201.
type Submitted struct {
	ID     int64
	School string
}

// SubmitChecklist posts a checklist for the school; ok is true only for a
// 201 with an id.
func (c *Client) SubmitChecklist(ctx context.Context, school, day string) (Submitted, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/api/v1/schools/"+school+"/checklists", bytes.NewReader(ChecklistBody(day)))
	if err != nil {
		return Submitted{}, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return Submitted{}, 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return Submitted{}, res.StatusCode, err
	}
	if res.StatusCode != http.StatusCreated {
		return Submitted{}, res.StatusCode, nil
	}
	var out struct{ ID int64 }
	if err := json.Unmarshal(body, &out); err != nil || out.ID == 0 {
		return Submitted{}, res.StatusCode, fmt.Errorf("201 without an id: %s", body)
	}
	return Submitted{ID: out.ID, School: school}, res.StatusCode, nil
}
