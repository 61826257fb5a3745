package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cli runs the program with args and returns its output and error.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}

func mustCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := runCLI(t, stdin, args...)
	if err != nil {
		t.Fatalf("safecampus %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// The account and audit commands of issue 16 against a real SQLite file:
// audit verify finds an edited, a deleted and a reordered entry.
func TestTrustCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sc.db")
	if out, err := runCLI(t, "weak\n", "user", "add", "--username", "boss", "--role", "admin", "--password-stdin", "--db", db); err == nil {
		t.Errorf("a weak password was accepted: %s", out)
	}
	mustCLI(t, "Boss-Pass-2026\n", "user", "add", "--username", "boss", "--role", "admin", "--password-stdin", "--db", db)
	tok := strings.TrimSpace(mustCLI(t, "", "token", "create", "--username", "boss", "--expires", "30d", "--name", "ci", "--db", db))
	if !strings.HasPrefix(tok, "sc_") || strings.Contains(tok, "\n") {
		t.Errorf("token create printed %q, want the token alone", tok)
	}
	list := mustCLI(t, "", "token", "list", "--username", "boss", "--db", db)
	if !regexp.MustCompile(`(?m)^1\s+boss\s+ci\s+\S+\s+\S+\s+active$`).MatchString(list) {
		t.Errorf("token list:\n%s", list)
	}
	mustCLI(t, "", "token", "revoke", "1", "--db", db)
	if list := mustCLI(t, "", "token", "list", "--db", db); !strings.Contains(list, "revoked") {
		t.Errorf("after revoke:\n%s", list)
	}
	if _, err := runCLI(t, "", "token", "create", "--username", "boss", "--expires", "soon", "--db", db); err == nil {
		t.Errorf("--expires soon was accepted")
	}
	mustCLI(t, "Reset-Pass-2026\n", "user", "reset-password", "--username", "boss", "--password-stdin", "--db", db)
	mustCLI(t, "", "user", "disable", "--username", "boss", "--db", db)
	mustCLI(t, "", "user", "enable", "--username", "boss", "--db", db)
	if out := mustCLI(t, "", "version"); !regexp.MustCompile(`(?s)^safecampus \S+\ncommit \S+\nbuilt \S+\ngo1\.`).MatchString(out) {
		t.Errorf("version printed %q", out)
	}

	out := mustCLI(t, "", "audit", "verify", "--db", db)
	if !strings.HasPrefix(out, "audit chain intact:") {
		t.Fatalf("audit verify on an intact log: %q", out)
	}
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	rows, err := raw.Query("SELECT id FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) < 5 {
		t.Fatalf("only %d audit entries", len(ids))
	}
	wantBreak := func(what string, id int64) {
		t.Helper()
		_, err := runCLI(t, "", "audit", "verify", "--db", db)
		if err == nil || !strings.Contains(err.Error(), "audit entry "+itoa(id)+" ") {
			t.Errorf("%s: audit verify = %v, want a failure naming entry %d", what, err, id)
		}
	}
	var action string
	if err := raw.QueryRow("SELECT action FROM audit_log WHERE id = ?", ids[2]).Scan(&action); err != nil {
		t.Fatal(err)
	}
	exec("UPDATE audit_log SET action = 'edited' WHERE id = ?", ids[2])
	wantBreak("edited", ids[2])
	exec("UPDATE audit_log SET action = ? WHERE id = ?", action, ids[2])
	mustCLI(t, "", "audit", "verify", "--db", db)
	exec("UPDATE audit_log SET id = -1 WHERE id = ?", ids[3])
	exec("UPDATE audit_log SET id = ? WHERE id = ?", ids[3], ids[4])
	exec("UPDATE audit_log SET id = ? WHERE id = -1", ids[4])
	wantBreak("reordered", ids[3])
	exec("UPDATE audit_log SET id = -1 WHERE id = ?", ids[3])
	exec("UPDATE audit_log SET id = ? WHERE id = ?", ids[3], ids[4])
	exec("UPDATE audit_log SET id = ? WHERE id = -1", ids[4])
	mustCLI(t, "", "audit", "verify", "--db", db)
	exec("DELETE FROM audit_log WHERE id = ?", ids[1])
	wantBreak("deleted", ids[2])
}

func itoa(n int64) string { return big.NewInt(n).String() }

// Native TLS with a throwaway certificate: the server answers HTTPS, sets
// HSTS and __Host- cookies, and keeps /metrics on --metrics-addr.
func TestServeNativeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := throwawayCert(t, dir)
	addr, maddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(dir, "sc.db"), "--tls-cert", certFile, "--tls-key", keyFile,
			"--metrics-addr", maddr}, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	var res *http.Response
	var err error
	for range 100 {
		if res, err = hc.Get("https://" + addr + "/login"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET https://%s/login: %v", addr, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil {
		t.Fatalf("status %d, TLS %v", res.StatusCode, res.TLS != nil)
	}
	if h := res.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("HSTS %q", h)
	}
	for _, ck := range res.Cookies() {
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure {
			t.Errorf("cookie %s over HTTPS: want the __Host- prefix and Secure", ck)
		}
	}
	if res, err := hc.Get("https://" + addr + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("public /metrics: %v %v, want 404", res, err)
	}
	mres, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(mres.Body)
	mres.Body.Close()
	for _, want := range []string{"safecampus_build_info{", "go_sql_open_connections", "safecampus_maintenance_runs_total", "safecampus_page_cache_bytes"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics on --metrics-addr lacks %s", want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// throwawayCert writes a self-signed certificate for 127.0.0.1.
func throwawayCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "safecampus test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
