package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// The client asks for no gzip (DisableCompression), so that latencies
// stay comparable with earlier rounds: the server sends pages gzipped to
// clients that ask (see readRates for those rates).
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, DisableCompression: true},
	Timeout: 60 * time.Second}

func get(url, token string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return int(n), nil
}

// latency returns p50 and p99 in ms over n sequential requests, after a
// warm-up.
func latency(url, token string, n int) (p50, p99 float64, err error) {
	for range 20 {
		if _, err := get(url, token); err != nil {
			return 0, 0, err
		}
	}
	ds := make([]float64, n)
	for i := range n {
		start := time.Now()
		if _, err := get(url, token); err != nil {
			return 0, 0, err
		}
		ds[i] = float64(time.Since(start).Microseconds()) / 1000
	}
	sort.Float64s(ds)
	return round2(ds[n/2]), round2(ds[(n*99)/100]), nil
}

// rate is requests per second over d with c concurrent clients, and the
// response size.
func rate(url, token string, c int, d time.Duration) (float64, int, error) {
	size, err := get(url, token)
	if err != nil {
		return 0, 0, err
	}
	var done atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if _, err := get(url, token); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), size, nil
}

// submissions posts checklists through the API from c concurrent clients
// for d, each to a random school, and counts 201s and everything else.
func submissions(base, token string, schools []string, c int, d time.Duration) submitResult {
	today := time.Now().In(shanghai()).Format("2006-01-02")
	body := func() []byte {
		b, _ := json.Marshal(map[string]any{"checked_on": today, "submit": true, "facts": fullFacts(today)})
		return b
	}()
	var ok, bad atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for time.Now().Before(deadline) {
				code := schools[r.IntN(len(schools))]
				req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/schools/"+code+"/checklists", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					ok.Add(1)
				} else {
					if bad.Add(1) <= 3 {
						fmt.Fprintf(os.Stderr, "submission: %s %s\n", resp.Status, msg)
					}
				}
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	return submitResult{Clients: c, Seconds: round2(secs), Accepted: int(ok.Load()), Errors: int(bad.Load()),
		PerSecond: round2(float64(ok.Load()) / secs)}
}

func fullFacts(today string) map[string]any {
	return map[string]any{
		"nursing_post":      map[string]any{"set_up": true, "am_staff": 2, "pm_staff": 2, "police_present": true, "roster_on_file": true},
		"closed_management": map[string]any{"perimeter_enclosed": true, "gate_room_24h": true, "visitor_registration": true, "anti_ramming": "bollards"},
		"security_guards":   map[string]any{"full_time_guards": 9, "licensed_guards": 9},
		"one_button_alarm":  map[string]any{"installed": true, "linked_to_police": true, "last_test_on": today, "last_test_ok": true},
		"video_networking":  map[string]any{"cameras": 24, "gate_covered": true, "networked_to_police": true, "retention_days": 90},
	}
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.UTC
	}
	return loc
}
