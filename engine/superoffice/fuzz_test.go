package superoffice

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzMapping feeds arbitrary carriers to every read mapping and the results back to the write mappings: bad
// input must give an error, never a panic.
func FuzzMapping(f *testing.F) {
	f.Add([]byte(`[{"AppointmentId":1,"StartDate":"2026-03-29T01:30:00","EndDate":"2026-03-29T04:00:00","Recurrence":{"RecurrenceId":5,"IsRecurrence":true,"Pattern":"Weekly","RecurrenceEndType":"Counter","RecurrenceCounter":3,"StartDate":"2026-03-29","WeekPattern":{"Weekdays":"Sunday, Monday","Cycle":2}}},{"AppointmentId":2,"StartDate":"2026-04-06T01:30:00","EndDate":"2026-04-06T02:00:00","HasAlarm":true,"AlarmLeadTime":"PT5M"}]`))
	f.Add([]byte(`[{"AppointmentId":3,"StartDate":"2026-05-01T00:00:00","EndDate":"2026-05-01T23:59:00","IsAlldayEvent":true,"Recurrence":{"RecurrenceId":6,"IsRecurrence":true,"Pattern":"Yearly","RecurrenceEndType":"EndDate","EndDate":"2030-01-01","YearPattern":{"Pattern":"WeekdayOfMonth","Cycle":5,"Weekday":"Friday","WeekOfMonth":"Last"}}}]`))
	f.Add([]byte(`[{"AppointmentId":4,"StartDate":"x","Recurrence":{"IsRecurrence":true,"Pattern":"Custom","Dates":[{"Date":"2026-01-01"}]}}]`))
	oslo, _ := time.LoadLocation("Europe/Oslo")
	tmpl, _ := ParseTemplate("{type}: {title} — {company}")
	m := &mapper{zone: oslo, zoneName: "Europe/Oslo", tmpl: tmpl, typeCat: map[string]string{"Meeting": "M"}, catType: map[string]string{"m": "Meeting"},
		udef: "SuperOffice:1", emails: map[int32]string{}, types: []TaskListItem{{TaskListItemID: 1, Value: "Meeting", Type: "Appointment"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rows []*AppointmentEntity
		if json.Unmarshal(data, &rows) != nil || len(rows) == 0 || len(rows) > 50 {
			return
		}
		for _, r := range rows {
			if r == nil {
				return
			}
			if r.Recurrence != nil && r.Recurrence.RecurrenceCounter > 500 {
				return // SuperOffice materializes at most a bounded number of rows
			}
		}
		if rows[0].Recurrence != nil {
			if a, err := m.series(rows); err == nil {
				if a.Recurrence != nil {
					_, _ = m.recurrenceInfo(a, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
				}
				var e AppointmentEntity
				_ = m.toEntity(a, &e)
			}
		}
		for _, r := range rows {
			if a, err := m.appointment(r); err == nil {
				var e AppointmentEntity
				_ = m.toEntity(a, &e)
			}
			if tk, err := m.task(r); err == nil {
				var e AppointmentEntity
				_ = m.taskToEntity(tk, &e)
			}
		}
		var p PersonEntity
		if json.Unmarshal(data, &p) == nil {
			if c, err := m.contact(&p); err == nil {
				_ = m.toPerson(c, &PersonEntity{})
			}
		}
	})
}

// FuzzParse covers the string parsers: date-times, lead times and templates.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-01-02T03:04:05", "PT15M", "1.02:03:04", "{type}: {title}", "{title", "P1W", "-PT5M", "0001-01-01T00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseTime(s, time.UTC)
		_, _ = ParseLeadTime(s)
		if tp, err := ParseTemplate(s); err == nil {
			v := map[string]string{"title": "T", "type": s, "company": "C"}
			_ = tp.Title(tp.Format(v), v)
		}
	})
}
