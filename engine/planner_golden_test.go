package engine_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// The -update flag (declared in recur_test.go) rewrites the golden files in testdata/planner too.

// goldenCase is a scenario: setup puts items in the stores, then the engine syncs; each step edits and syncs
// again. The golden file records, per sync, the operations applied and the trace decisions of every item.
type goldenCase struct {
	name    string
	now     time.Time
	profile func(*engine.Profile)
	steps   []func(g *scene)
}

type scene struct {
	f   *fixture
	ids map[string]string // name → "crm:<id>" / "mbx:<id>"
}

func (g *scene) put(s engine.Side, name string, a *engine.Appointment) {
	if s == engine.SideCRM {
		g.ids[name] = g.f.crm.Put(crmAcct, a)
	} else {
		g.ids[name] = g.f.mbx.Put(mbxAcct, a)
	}
}

func (g *scene) edit(s engine.Side, name string, fn func(a *engine.Appointment)) {
	srv, acct := g.f.crm, crmAcct
	if s == engine.SideMailbox {
		srv, acct = g.f.mbx, mbxAcct
	}
	id, _ := g.f.find(srv, acct, name)
	if err := srv.Edit(acct, engine.KindAppointment, id, func(it engine.Item) engine.Item {
		fn(it.(*engine.Appointment))
		return it
	}); err != nil {
		g.f.t.Fatal(err)
	}
}

func berlin(y int, m time.Month, d, h, mi int) time.Time {
	loc, _ := time.LoadLocation("Europe/Berlin")
	return time.Date(y, m, d, h, mi, 0, 0, loc).UTC()
}

func inZone(zone string, y int, m time.Month, d, h, mi int) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return time.Date(y, m, d, h, mi, 0, 0, loc).UTC()
}

func timed(title, zone string, start time.Time, d time.Duration) *engine.Appointment {
	return &engine.Appointment{Title: title, Start: start, End: start.Add(d), TimeZone: zone}
}

func allDay(title string, y int, m time.Month, d, days int) *engine.Appointment {
	s := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &engine.Appointment{Title: title, Start: s, End: s.AddDate(0, 0, days), AllDay: true}
}

var goldenCases = []goldenCase{
	{
		name: "basic-three-way",
		now:  time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		steps: []func(*scene){
			func(g *scene) {
				g.put(engine.SideCRM, "crm-only", timed("crm-only", "Europe/Oslo", berlin(2026, 3, 3, 10, 0), time.Hour))
				g.put(engine.SideMailbox, "mbx-only", timed("mbx-only", "Europe/Oslo", berlin(2026, 3, 4, 10, 0), time.Hour))
				g.put(engine.SideCRM, "both-edit", timed("both-edit", "Europe/Oslo", berlin(2026, 3, 5, 10, 0), time.Hour))
			},
			func(g *scene) {
				g.edit(engine.SideCRM, "both-edit", func(a *engine.Appointment) { a.Location = "Room A" })
				g.edit(engine.SideMailbox, "both-edit", func(a *engine.Appointment) { a.Body = "agenda" })
				g.edit(engine.SideMailbox, "crm-only", func(a *engine.Appointment) { a.Location = "mbx loc" })
				g.edit(engine.SideCRM, "crm-only", func(a *engine.Appointment) { a.Location = "crm loc" })
			},
			func(g *scene) {}, // quiet
		},
	},
	{
		// 8–29 March 2026: the US is on daylight time, the EU not yet. A weekly 09:00 New York series keeps its
		// wall time (13:00 UTC, then 14:00 UTC before 8 March); a window covering only those weeks contains it.
		name: "dst-gap-eu-us",
		now:  time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC),
		profile: func(p *engine.Profile) {
			p.DaysBack, p.DaysAhead = 1, 10
		},
		steps: []func(*scene){
			func(g *scene) {
				s := timed("ny-weekly", "America/New_York", inZone("America/New_York", 2026, 1, 6, 9, 0), time.Hour)
				s.Recurrence = &engine.Rule{Freq: engine.Weekly, Count: 20}
				g.put(engine.SideCRM, "ny-weekly", s)
				// A Berlin meeting at 14:00 local is 13:00 UTC in the gap weeks, the same instant as 09:00 New York.
				g.put(engine.SideMailbox, "berlin-1400", timed("berlin-1400", "Europe/Berlin", berlin(2026, 3, 17, 14, 0), time.Hour))
				// A New York series that ended before the window: outside.
				old := timed("ny-ended", "America/New_York", inZone("America/New_York", 2026, 1, 5, 9, 0), time.Hour)
				old.Recurrence = &engine.Rule{Freq: engine.Weekly, Count: 4}
				g.put(engine.SideCRM, "ny-ended", old)
			},
		},
	},
	{
		// An all-day event is the same date everywhere: at the window's edge it is in, whatever zone reads it.
		name: "all-day-other-zones",
		now:  time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC),
		profile: func(p *engine.Profile) {
			p.DaysBack, p.DaysAhead = 0, 3
		},
		steps: []func(*scene){
			func(g *scene) {
				g.put(engine.SideMailbox, "first-day", allDay("first-day", 2026, 6, 1, 1))
				g.put(engine.SideMailbox, "last-day", allDay("last-day", 2026, 6, 4, 1))
				g.put(engine.SideMailbox, "two-days-after", allDay("two-days-after", 2026, 6, 7, 1))
				g.put(engine.SideMailbox, "week-before", allDay("week-before", 2026, 5, 20, 2))
				g.put(engine.SideCRM, "tokyo-evening", timed("tokyo-evening", "Asia/Tokyo", inZone("Asia/Tokyo", 2026, 6, 2, 8, 0), time.Hour))
			},
		},
	},
	{
		// A daily Berlin series with an exception on 29 March 2026, the day the EU moves its clocks forward; the
		// exception is moved into the afternoon. The regular occurrences keep 08:00 wall time across the change.
		name: "exception-on-dst-day",
		now:  time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
		profile: func(p *engine.Profile) {
			p.DaysBack, p.DaysAhead = 1, 5
		},
		steps: []func(*scene){
			func(g *scene) {
				s := timed("daily-0800", "Europe/Berlin", berlin(2026, 3, 23, 8, 0), 30*time.Minute)
				s.Recurrence = &engine.Rule{Freq: engine.Daily, Count: 14}
				g.put(engine.SideCRM, "daily-0800", s)
			},
			func(g *scene) {
				g.edit(engine.SideMailbox, "daily-0800", func(a *engine.Appointment) {
					o := *a
					o.Recurrence = nil
					o.Start, o.End = berlin(2026, 3, 29, 15, 0), berlin(2026, 3, 29, 15, 30)
					a.Recurrence.Overrides = append(a.Recurrence.Overrides, engine.Override{OriginalStart: berlin(2026, 3, 29, 8, 0), Item: &o})
				})
			},
			func(g *scene) {}, // quiet: the exception is an echo on the CRM side now
		},
	},
	{
		// The organizer splits a weekly series ("this and following"): the original gets an end, the rest becomes
		// a new series. The engine updates the first and creates the second.
		name: "series-split",
		now:  time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC),
		steps: []func(*scene){
			func(g *scene) {
				s := timed("weekly", "Europe/Berlin", berlin(2026, 3, 2, 10, 0), time.Hour)
				s.UID = "series-1"
				s.Recurrence = &engine.Rule{Freq: engine.Weekly, Count: 20}
				g.put(engine.SideMailbox, "weekly", s)
			},
			func(g *scene) {
				var after *engine.Appointment
				g.edit(engine.SideMailbox, "weekly", func(a *engine.Appointment) {
					before, rest, err := engine.SplitSeries(a, berlin(2026, 4, 13, 10, 0))
					if err != nil {
						g.f.t.Fatal(err)
					}
					*a = *before
					after = rest
				})
				after.UID = "series-1-b"
				after.Title = "weekly (from 13 April)"
				g.put(engine.SideMailbox, "weekly-b", after)
			},
		},
	},
	{
		// An endless series started long ago stays in the window as the window rolls forward (days pass).
		name: "endless-series-rolls",
		now:  time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC),
		profile: func(p *engine.Profile) {
			p.DaysBack, p.DaysAhead = 7, 7
		},
		steps: []func(*scene){
			func(g *scene) {
				s := timed("monthly-forever", "Europe/Berlin", berlin(2020, 1, 15, 9, 0), time.Hour)
				s.Recurrence = &engine.Rule{Freq: engine.Monthly}
				g.put(engine.SideCRM, "monthly-forever", s)
				e := timed("monthly-ended", "Europe/Berlin", berlin(2020, 1, 15, 9, 0), time.Hour)
				e.Recurrence = &engine.Rule{Freq: engine.Monthly, Until: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)}
				g.put(engine.SideCRM, "monthly-ended", e)
			},
			func(g *scene) {
				g.f.now = g.f.now.AddDate(0, 8, 0) // eight months later: new window, full listing, no duplicates
			},
		},
	},
	{
		name: "delete-vs-update",
		now:  time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		steps: []func(*scene){
			func(g *scene) {
				g.put(engine.SideCRM, "deleted-in-mbx-edited-in-crm", timed("deleted-in-mbx-edited-in-crm", "UTC", berlin(2026, 3, 3, 10, 0), time.Hour))
				g.put(engine.SideCRM, "deleted-in-crm", timed("deleted-in-crm", "UTC", berlin(2026, 3, 4, 10, 0), time.Hour))
			},
			func(g *scene) {
				g.edit(engine.SideCRM, "deleted-in-mbx-edited-in-crm", func(a *engine.Appointment) { a.Body = "still needed" })
				id, _ := g.f.find(g.f.mbx, mbxAcct, "deleted-in-mbx-edited-in-crm")
				if err := g.f.mbx.Remove(mbxAcct, engine.KindAppointment, id); err != nil {
					g.f.t.Fatal(err)
				}
				if err := g.f.crm.Remove(crmAcct, engine.KindAppointment, g.ids["deleted-in-crm"]); err != nil {
					g.f.t.Fatal(err)
				}
			},
		},
	},
}

func TestPlannerGolden(t *testing.T) {
	t.Parallel()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, reference.Delta, reference.Delta, c.profile)
			f.now = c.now
			g := &scene{f: f, ids: map[string]string{}}
			var out strings.Builder
			for i, step := range c.steps {
				step(g)
				f.now = f.now.Add(time.Minute)
				r := f.mustSync()
				fmt.Fprintf(&out, "== sync %d: %s created=%d updated=%d deleted=%d unchanged=%d conflicts=%d skipped=%d\n", i+1,
					r.Status, r.Counts.Created, r.Counts.Updated, r.Counts.Deleted, r.Counts.Unchanged, r.Counts.Conflicts, r.Counts.Skipped)
				out.WriteString(describeRun(f, r.ID, g.ids))
			}
			path := filepath.Join("testdata", "planner", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out.String() != string(want) {
				t.Errorf("decisions differ from %s (run go test ./engine -run TestPlannerGolden -update after checking):\n--- got\n%s--- want\n%s", path, out.String(), want)
			}
		})
	}
}

// describeRun renders a run's applied operations and every trace entry it wrote, with item titles instead of
// ids, in a stable order.
func describeRun(f *fixture, runID string, known map[string]string) string {
	_, ops, err := f.e.Run(runID)
	if err != nil {
		f.t.Fatal(err)
	}
	title := map[string]string{}
	for s, srv := range []*reference.Server{f.crm, f.mbx} {
		acct := []string{crmAcct, mbxAcct}[s]
		for id, it := range srv.Items(acct, engine.KindAppointment) {
			title[id] = it.(*engine.Appointment).Title
		}
	}
	for name, id := range known {
		if _, ok := title[id]; !ok {
			title[id] = name + " (gone)"
		}
	}
	for _, op := range ops {
		if b, err := decodeTitle(op.Before); err == nil && b != "" && title[op.ID] == "" {
			title[op.ID] = b + " (gone)"
		}
	}
	var lines []string
	for _, op := range ops {
		lines = append(lines, fmt.Sprintf("  op %s %s %q", op.Side, op.Action, title[op.ID]))
	}
	sort.Strings(lines)
	var tl []string
	for id, name := range title {
		tr, _ := f.e.Trace(id)
		for _, e := range tr {
			if e.Run == runID {
				tl = append(tl, fmt.Sprintf("  trace %s %q: %s — %s", e.Side, name, e.Decision, e.Reason))
			}
		}
	}
	sort.Strings(tl)
	return strings.Join(append(lines, tl...), "\n") + "\n"
}

func decodeTitle(b []byte) (string, error) {
	var a engine.Appointment
	if len(b) == 0 {
		return "", nil
	}
	err := json.Unmarshal(b, &a)
	return a.Title, err
}
