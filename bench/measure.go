package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

const (
	answerCheckOK = `{"status": "ok", "data": null}`
	answerLoginOK = `{"status": "ok", "data": "`
)

// runBackend measures the service on one database.
func (h *harness) runBackend(ctx context.Context, backend string, db []string) error {
	h.logf("%s: migrate, create the admin", backend)
	env := h.serviceEnv(db, "127.0.0.1:0")
	if _, err := runTool(ctx, h.tmp, env, "", h.bin, "migrate", "up"); err != nil {
		return err
	}
	if _, err := runTool(ctx, h.tmp, env, h.password+"\n", h.bin, "user", "create", benchAdmin, "--email", benchAdmin+"@example.com", "--admin"); err != nil {
		return err
	}
	svc, _, err := h.startService(ctx, db, "/api", apiAnswers)
	if err != nil {
		return err
	}
	defer svc.Stop(stopTimeout)
	if h.probe == "" {
		if err := h.chooseProbe(ctx, svc.base); err != nil {
			return err
		}
	}
	fig := func(id, name string) Figure {
		return Figure{ID: backend + "." + id, Name: name, Backend: backend, Serves: "see the targets"}
	}
	if m, err := ReadMemory(svc.Pid()); err == nil {
		h.addMemory(fig("rss.start", "RSS right after start, before any request"), m)
	}

	adminTok, err := h.login(ctx, svc.base, benchAdmin)
	if err != nil {
		return err
	}
	h.logf("%s: %d accounts, %d tokens each, %d%% cold", backend, h.opt.Users, h.opt.TokensPerUse, h.opt.ColdPercent)
	users, err := h.makeUsers(ctx, svc.base, adminTok)
	if err != nil {
		return err
	}
	dir := filepath.Join(h.tmp, backend)
	mix, loginFile, err := h.writeLoads(dir, users)
	if err != nil {
		return err
	}
	check := Load{Name: "check", Method: http.MethodPost, URL: svc.base + "/api/user/v1/auth",
		Hot: mix.HotFile, Cold: mix.ColdFile, ColdPercent: h.opt.ColdPercent,
		Connections: h.opt.Connections, Threads: 2, Duration: h.opt.Slice, Want: answerCheckOK}

	h.logf("%s: warm-up %v, then idle RSS", backend, h.opt.Warmup)
	warm := check
	warm.Duration, warm.Cold = h.opt.Warmup, ""
	bwarm := warm
	bwarm.URL = h.baselineURL + "/api/user/v1/auth"
	for _, l := range []Load{warm, bwarm} {
		if _, err := h.wrk.Run(ctx, l); err != nil {
			return err
		}
	}
	if err := h.settle(ctx); err != nil {
		return err
	}
	idle, ierr := ReadMemory(svc.Pid())
	bidle, berr := ReadMemory(h.baseline.Pid())
	if ierr == nil && berr == nil {
		h.addMemory(fig("rss.idle", "idle RSS after warm-up and "+h.opt.Settle.String()+" quiet"), idle)
		h.addMemory(fig("baseline.rss.idle", "baseline idle RSS after warm-up"), bidle)
		h.res.Judge(targetIdleRSS, backend, mib(idle), mib(bidle), ratio(MiB(idle.RSS), MiB(bidle.RSS)), MiB(idle.RSS))
	}

	if err := h.pairedCheck(ctx, backend, check, fig); err != nil {
		return err
	}

	h.logf("%s: user get, get/server", backend)
	getUser := Load{Name: "get", Method: http.MethodPost, URL: svc.base + "/api/user/v1/action",
		Connections: h.opt.Connections, Threads: 2, Duration: h.opt.Slice, Want: `{"status": "ok", "data": {`}
	getUser.Hot = filepath.Join(dir, "get.txt")
	if err := writeBodies(getUser.Hot, []map[string]string{{"type": "get", "username": users[0].Name, "token": adminTok}}); err != nil {
		return err
	}
	if err := h.addLoad(ctx, fig("get", "user get (admin token)"), getUser); err != nil {
		return err
	}
	getServer := Load{Name: "get/server", Method: http.MethodGet, URL: svc.base + "/api/server/v1/get/server",
		Connections: h.opt.Connections, Threads: 2, Duration: h.opt.Slice, Want: `{"status": "ok"`}
	if err := h.addLoad(ctx, fig("get_server.none", "get/server, no instance recorded"), getServer); err != nil {
		return err
	}

	if err := h.flood(ctx, backend, svc, check, mix, loginFile, fig); err != nil {
		return err
	}
	h.logf("%s: new/stop x%d", backend, h.opt.Cycles)
	h.newStop(ctx, svc.base, adminTok, func(id, name, _ string) Figure { return fig(id, name) }, func() {})

	if m, err := ReadMemory(svc.Pid()); err == nil {
		f := fig("rss.hwm", "VmHWM at the end (lifetime peak RSS)")
		f.Unit = "MiB"
		h.res.Add(f, MiB(m.HWM), nil)
	}
	if err := svc.Stop(stopTimeout); err != nil {
		return err
	}
	if backend == "sqlite" {
		return h.readyRuns(ctx, backend, db, fig)
	}
	return nil
}

// makeUsers signs up Users accounts (two at a time, as a browser would)
// and reads their ids back through the admin list.
func (h *harness) makeUsers(ctx context.Context, base, adminTok string) ([]benchUser, error) {
	names := make(chan string)
	errc := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range names {
				env, err := h.post(ctx, base+"/api/user/v1/action", map[string]string{
					"type": "create", "username": n, "password": h.password, "email": n + "@example.com"})
				if err == nil && env.Status != "ok" {
					err = fmt.Errorf("sign-up of %s: %s %s", n, env.Status, env.Msg)
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	var ferr error
send:
	for i := range h.opt.Users {
		select {
		case names <- fmt.Sprintf("bench%04d", i):
		case ferr = <-errc:
			break send
		}
	}
	close(names)
	wg.Wait()
	if ferr == nil {
		select {
		case ferr = <-errc:
		default:
		}
	}
	if ferr != nil {
		return nil, ferr
	}
	var users []benchUser
	for page := 0; ; page++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/user/v1/get/all?page=%d&pagin=100", base, page), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+adminTok)
		resp, err := h.client.Do(req)
		if err != nil {
			return nil, err
		}
		var env struct {
			Status string `json:"status"`
			Data   []struct {
				ID       int64  `json:"id"`
				Username string `json:"username"`
				Group    string `json:"group"`
			} `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		if err != nil || env.Status != "ok" {
			return nil, fmt.Errorf("listing users: %v %s", err, env.Status)
		}
		for _, u := range env.Data {
			if u.Group == "std" {
				users = append(users, benchUser{ID: u.ID, Name: u.Username})
			}
		}
		if len(env.Data) < 100 {
			break
		}
	}
	if len(users) != h.opt.Users {
		return nil, fmt.Errorf("made %d accounts, the list shows %d", h.opt.Users, len(users))
	}
	return users, nil
}

// writeLoads writes the check mix and the login bodies into dir.
func (h *harness) writeLoads(dir string, users []benchUser) (tokenMix, string, error) {
	if err := mkdir(dir); err != nil {
		return tokenMix{}, "", err
	}
	// Enough cold tokens that none is sent twice in a slice at 40k req/s.
	cold := int(h.opt.Slice.Seconds()*40000) * h.opt.ColdPercent / 100
	mix, err := writeTokenMix(dir, []byte(h.secret), users, h.opt.TokensPerUse, max(cold, 1), time.Now())
	if err != nil {
		return mix, "", err
	}
	logins := make([]map[string]string, 0, len(users))
	for _, u := range users {
		logins = append(logins, map[string]string{"type": "auth", "username": u.Name, "password": h.password})
	}
	loginFile := filepath.Join(dir, "login.txt")
	return mix, loginFile, writeBodies(loginFile, logins)
}

// pairedCheck runs the check mix against the service and the baseline in
// alternating slices, so that whatever else the machine does hits both.
func (h *harness) pairedCheck(ctx context.Context, backend string, check Load, fig func(id, name string) Figure) error {
	h.logf("%s: check vs baseline, %d rounds of %v each", backend, h.opt.Rounds, h.opt.Slice)
	bl := check
	bl.URL = h.baselineURL + "/api/user/v1/auth"
	var svcRuns, blRuns []Summary
	var ratios []float64
	for i := range max(h.opt.Rounds, 1) {
		var s, b Summary
		var err error
		first, second := &s, &b
		fl, sl := check, bl
		if i%2 == 1 {
			first, second, fl, sl = &b, &s, bl, check
		}
		if *first, err = h.wrk.Run(ctx, fl); err != nil {
			return err
		}
		if *second, err = h.wrk.Run(ctx, sl); err != nil {
			return err
		}
		svcRuns, blRuns = append(svcRuns, s), append(blRuns, b)
		if b.RPS > 0 {
			ratios = append(ratios, s.RPS/b.RPS)
		}
	}
	sum, bsum := combine(svcRuns), combine(blRuns)
	h.addSummary(fig("baseline.check", "token check, bare net/http + jwx baseline"), bsum)
	h.addSummary(fig("check", "token check"), sum)
	if sum.Errors > 0 || bsum.Errors > 0 || len(ratios) == 0 {
		h.res.Unjudged(targetCheckRatio, backend, fmt.Sprintf("wrong answers: seatide %d (%s), baseline %d (%s)", sum.Errors, sum.FirstError, bsum.Errors, bsum.FirstError))
		return nil
	}
	med := medianFloat(ratios)
	f := fig("check.ratio", "token check req/s / baseline req/s, median of the rounds")
	f.Unit, f.Note = "x", "rounds: "+floatList(ratios)
	h.res.Add(f, med, targetCheckRatio)
	h.res.Judge(targetCheckRatio, backend, rps(sum.RPS), rps(bsum.RPS), fmt.Sprintf("%.2fx (median of %d rounds)", med, len(ratios)), med)
	p99 := float64(sum.P99) / float64(bsum.P99)
	h.res.Judge(targetCheckP99, backend, msText(sum.P99), msText(bsum.P99), fmt.Sprintf("%.2fx", p99), p99)
	return nil
}

// combine sums runs: requests, errors and time add up; p50 and p99 are
// the medians of the runs' own (wrk reports percentiles, not latencies).
func combine(runs []Summary) Summary {
	var c Summary
	var p50, p99 []time.Duration
	var good float64
	for _, r := range runs {
		c.Requests += r.Requests
		c.Errors += r.Errors
		c.Cold += r.Cold
		c.Elapsed += r.Elapsed
		c.Max = max(c.Max, r.Max)
		good += r.RPS * r.Elapsed.Seconds()
		p50, p99 = append(p50, r.P50), append(p99, r.P99)
		if c.FirstError == "" {
			c.FirstError = r.FirstError
		}
	}
	if c.Elapsed > 0 {
		c.RPS = good / c.Elapsed.Seconds()
	}
	c.P50, c.P99 = Median(p50), Median(p99)
	return c
}

// flood measures check at a fixed rate alone, then again while
// FloodClients log in as fast as they can, sampling the RSS meanwhile.
func (h *harness) flood(ctx context.Context, backend string, svc *service, check Load, mix tokenMix, loginFile string, fig func(id, name string) Figure) error {
	url := check.URL
	want := []byte(answerCheckOK)
	h.logf("%s: quiet check probe, %d req/s, %v", backend, h.opt.ProbeRate, h.opt.Flood)
	quiet := Probe(ctx, url, mix.Probe, h.opt.ProbeRate, h.opt.Flood, want)

	login := Load{Name: "login", Method: http.MethodPost, URL: url, Hot: loginFile,
		Connections: h.opt.FloodClients, Threads: 2, Duration: h.opt.Flood, Want: answerLoginOK}
	h.logf("%s: login flood, %d clients, with the probe", backend, login.Connections)
	var wg sync.WaitGroup
	var loud, logins Summary
	var lerr error
	floodDone := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); loud = Probe(ctx, url, mix.Probe, h.opt.ProbeRate, h.opt.Flood, want) }()
	go func() { defer wg.Done(); logins, lerr = h.wrk.Run(ctx, login); close(floodDone) }()
	var peak Memory
	var samples int
	tick := time.NewTicker(10 * time.Millisecond)
sample:
	for {
		if m, err := ReadMemory(svc.Pid()); err == nil {
			if m.RSS > peak.RSS {
				peak = m
			}
			samples++
		}
		select {
		case <-floodDone:
			break sample
		case <-tick.C:
		}
	}
	tick.Stop()
	wg.Wait()
	if lerr != nil {
		return lerr
	}
	// Quiet again after the flood; the quieter of the two is the reference,
	// so that other work on the machine cannot make the flood look harmless.
	if again := Probe(ctx, url, mix.Probe, h.opt.ProbeRate, h.opt.Flood, want); again.Errors == 0 && again.P99 < quiet.P99 {
		quiet = again
	}

	h.addSummary(fig("auth", fmt.Sprintf("auth (login), %d clients", h.opt.FloodClients)), logins)
	if logins.Errors == 0 {
		h.res.Judge(targetLogins, backend, rps(logins.RPS), "-", "-", logins.RPS)
	} else {
		h.res.Unjudged(targetLogins, backend, fmt.Sprintf("%d wrong answers, first: %s", logins.Errors, logins.FirstError))
	}
	if samples > 0 {
		f := fig("rss.flood", "RSS peak during the login flood")
		h.addMemory(f, peak)
		h.res.Judge(targetFloodRSS, backend, mib(peak), "-", "-", MiB(peak.RSS))
	}
	h.addSummary(fig("check.quiet", fmt.Sprintf("check at %d req/s, quiet (the better of before and after the flood)", h.opt.ProbeRate)), quiet)
	h.addSummary(fig("check.flood", fmt.Sprintf("check at %d req/s, during the flood", h.opt.ProbeRate)), loud)
	if quiet.P99 > 0 && loud.Errors == 0 {
		r := float64(loud.P99) / float64(quiet.P99)
		h.res.Judge(targetFloodP99, backend, "p99 "+msText(loud.P99), "quiet p99 "+msText(quiet.P99), fmt.Sprintf("%.1fx", r), r)
	} else {
		h.res.Unjudged(targetFloodP99, backend, fmt.Sprintf("%d wrong answers during the flood, first: %s", loud.Errors, loud.FirstError))
	}
	return nil
}

// readyRuns times exec to ready for the service and the baseline, in turn.
func (h *harness) readyRuns(ctx context.Context, backend string, db []string, fig func(id, name string) Figure) error {
	h.logf("%s: start-to-ready x%d, service and baseline in turn", backend, h.opt.ReadyRuns)
	var svcTimes, blTimes []time.Duration
	for range h.opt.ReadyRuns {
		s, d, err := h.startService(ctx, db, h.probe, h.probeOK)
		if err != nil {
			return err
		}
		svcTimes = append(svcTimes, d)
		if err := s.Stop(stopTimeout); err != nil {
			return err
		}
		p, _, bd, err := h.startBaseline(ctx)
		if err != nil {
			return err
		}
		blTimes = append(blTimes, bd)
		if err := p.Stop(5 * time.Second); err != nil {
			return err
		}
	}
	sm, bm := Median(svcTimes), Median(blTimes)
	f := fig("ready", fmt.Sprintf("start-to-ready, median of %d", len(svcTimes)))
	f.Unit, f.Note = "ms", fmt.Sprintf("exec to first good answer of GET %s; runs: %s", h.probe, msList(svcTimes))
	h.res.Add(f, ms(sm), nil)
	f = fig("baseline.ready", fmt.Sprintf("baseline start to first answer, median of %d", len(blTimes)))
	f.Unit, f.Note = "ms", "runs: "+msList(blTimes)
	h.res.Add(f, ms(bm), nil)
	r := float64(sm) / float64(bm)
	h.res.Judge(targetReady, backend, msText(sm), msText(bm), fmt.Sprintf("%.2fx", r), r)
	return nil
}

// addLoad runs l and records its req/s, p50 and p99.
func (h *harness) addLoad(ctx context.Context, f Figure, l Load) error {
	s, err := h.wrk.Run(ctx, l)
	if err != nil {
		return err
	}
	h.addSummary(f, s)
	return nil
}

func (h *harness) addSummary(base Figure, s Summary) {
	note := fmt.Sprintf("%d answers", s.Requests)
	if s.Cold > 0 {
		note += fmt.Sprintf(", %d with a never-seen token", s.Cold)
	}
	if s.Errors > 0 {
		note = fmt.Sprintf("%d of %d answers wrong, first: %s", s.Errors, s.Requests, s.FirstError)
	}
	if s.Requests == s.Errors {
		h.res.Missing(withUnit(base, ".rps", " req/s", "req/s"), nil, "failed", note)
		return
	}
	f := withUnit(base, ".rps", " req/s", "req/s")
	f.Note = note
	h.res.Add(f, s.RPS, nil)
	h.res.Add(withUnit(base, ".p50", " p50", "ms"), ms(s.P50), nil)
	h.res.Add(withUnit(base, ".p99", " p99", "ms"), ms(s.P99), nil)
}

func (h *harness) addMemory(f Figure, m Memory) {
	f.Unit = "MiB"
	f.Note = fmt.Sprintf("%.1f MiB anonymous, %.1f MiB file pages", MiB(m.Anon), MiB(m.File))
	h.res.Add(f, MiB(m.RSS), nil)
}

func mib(m Memory) string {
	return fmt.Sprintf("%.1f MiB (%.1f anon + %.1f file)", MiB(m.RSS), MiB(m.Anon), MiB(m.File))
}

func rps(v float64) string { return fmt.Sprintf("%.0f req/s", v) }

func msText(d time.Duration) string { return fmt.Sprintf("%.2f ms", ms(d)) }

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func medianFloat(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func floatList(v []float64) string {
	out := ""
	for i, x := range v {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%.2f", x)
	}
	return out
}
