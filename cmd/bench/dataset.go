package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"safecampus/internal/demo"
	"safecampus/internal/model"
	"safecampus/internal/pgtest"
	"safecampus/internal/roster"
	"safecampus/internal/store"
)

// divisions returns the China divisions and their counties.
func divisions() ([]model.Division, []model.Division, error) {
	rows, err := roster.ParseDivisions(strings.NewReader(chinaCSV))
	if err != nil {
		return nil, nil, err
	}
	var all, counties []model.Division
	for _, r := range rows {
		all = append(all, r.Division)
		if r.Division.Level == model.LevelCounty {
			counties = append(counties, r.Division)
		}
	}
	return all, counties, nil
}

// syntheticRoster spreads n schools evenly over the counties with mixed
// types and enrolments; codes are the county code and a 4-digit sequence.
func syntheticRoster(counties []model.Division, n int, seed uint64) []model.School {
	r := rand.New(rand.NewPCG(seed, 99))
	types := []model.SchoolType{model.Kindergarten, model.Kindergarten, model.Primary, model.Primary, model.Junior,
		model.Senior, model.NineYear, model.Vocational, model.Special}
	out := make([]model.School, 0, n)
	for i := range n {
		c := counties[i%len(counties)]
		seq := i/len(counties) + 1
		t := types[r.IntN(len(types))]
		students := 30 + r.IntN(2500)
		out = append(out, model.School{
			Code: fmt.Sprintf("%s%04d", c.Code, seq), Name: fmt.Sprintf("%s第%d学校（基准测试数据）", c.Name, seq),
			Type: t, DivisionCode: c.Code, Students: students, Boarders: r.IntN(students/5 + 1),
			Ownership: model.Public, Active: true,
		})
	}
	return out
}

// dataset is one database ready to serve.
type dataset struct {
	dsn, token, region, county string
	schools                    []string
	seed                       time.Duration
}

// newDSN is a fresh, empty database of the engine.
func (b *bench) newDSN(e engine, name string) (string, error) {
	if e == postgres {
		dsn, _, err := pgtest.NewDatabase()
		return dsn, err
	}
	path := filepath.Join(b.dir, name+".db")
	_ = os.Remove(path)
	return path, nil
}

func (b *bench) buildDataset(e engine, n int) (*dataset, error) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, err
	}
	dsn, err := b.newDSN(e, fmt.Sprintf("schools-%d", n))
	if err != nil {
		return nil, err
	}
	d := &dataset{dsn: dsn, region: "150000"}
	st, err := store.Open(store.Options{DSN: d.dsn, Location: loc, NoSync: e == sqlite})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	all, counties, err := divisions()
	if err != nil {
		return nil, err
	}
	if err := st.ImportDivisions(ctx, all); err != nil {
		return nil, err
	}
	start := time.Now()
	schools := syntheticRoster(counties, n, uint64(n))
	if _, err := demo.Replay(ctx, st, schools, uint64(n)); err != nil {
		return nil, err
	}
	if err := st.MaintainCheckpoints(ctx); err != nil {
		return nil, err
	}
	d.seed = time.Since(start)
	for _, s := range schools {
		d.schools = append(d.schools, s.Code)
		if d.county == "" && strings.HasPrefix(s.DivisionCode, "15") {
			d.county = s.DivisionCode
		}
	}
	admin, err := st.CreateUser(ctx, model.User{Username: "bench"}, model.User{Username: "bench-admin", Role: model.Admin}, benchPassword)
	if err != nil {
		return nil, err
	}
	if d.token, err = st.CreateToken(ctx, admin.ID); err != nil {
		return nil, err
	}
	return d, nil
}

func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	return cmd
}

// benchPassword is every benchmark account's password; it meets the
// password policy (SPEC section 12).
const benchPassword = "Bench-Password-1"
