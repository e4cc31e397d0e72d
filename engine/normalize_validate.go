package engine

import (
	"errors"
	"fmt"
	"time"
)

// Validate reports the first problem that makes it unsafe to sync, as a *FieldError naming the field group at
// fault (the same names Split uses), so the engine can quarantine the item with a clear reason instead of
// writing something wrong. Normalize never fails; Validate is the check that goes with it. It reports:
// a missing or reversed start and end, an unknown time zone, instants outside the years 1 to 9999, and a
// recurrence rule the expansion cannot honour (unknown frequency, values out of range, COUNT with UNTIL, an
// override without content). A nil item is an error too.
func Validate(it Item) error {
	switch v := it.(type) {
	case *Appointment:
		if v == nil {
			return errors.New("engine: nil appointment")
		}
		return validateAppointment(v)
	case *Task:
		if v == nil {
			return errors.New("engine: nil task")
		}
		fe := func(field string, err error) error { return &FieldError{Kind: KindTask, Field: field, Err: err} }
		for _, t := range []time.Time{v.Start, v.Due} {
			if err := checkInstant(t); err != nil {
				return fe("when", err)
			}
		}
		if err := checkInstant(v.Completed); err != nil {
			return fe("completed", err)
		}
		if !v.DueAllDay && v.TimeZone != "" {
			if _, err := CanonicalZone(v.TimeZone); err != nil {
				return fe("when", err)
			}
		}
		return nil
	case *Contact:
		if v == nil {
			return errors.New("engine: nil contact")
		}
		if err := checkInstant(v.Birthday); err != nil {
			return &FieldError{Kind: KindContact, Field: "birthday", Err: err}
		}
		return nil
	case *Group:
		if v == nil {
			return errors.New("engine: nil group")
		}
		if cleanLine(v.Name) == "" {
			return &FieldError{Kind: KindGroup, Field: "name", Err: errors.New("a group needs a name")}
		}
		return nil
	case nil:
		return errors.New("engine: nil item")
	}
	return fmt.Errorf("engine: unknown item type %T", it)
}

func checkInstant(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%s is outside the years 1 to 9999", t.UTC().Format(time.RFC3339))
	}
	return nil
}

func validateAppointment(a *Appointment) error {
	fe := func(field string, err error) error { return &FieldError{Kind: KindAppointment, Field: field, Err: err} }
	if a.Start.IsZero() {
		return fe("when", errors.New("start is missing"))
	}
	for _, t := range []time.Time{a.Start, a.End} {
		if err := checkInstant(t); err != nil {
			return fe("when", err)
		}
	}
	if a.End.Before(a.Start) && !a.AllDay {
		return fe("when", fmt.Errorf("end %s is before start %s", a.End.UTC().Format(time.RFC3339), a.Start.UTC().Format(time.RFC3339)))
	}
	if !a.AllDay {
		for _, z := range []string{a.TimeZone, a.EndTimeZone} {
			if z == "" {
				continue
			}
			if _, err := CanonicalZone(z); err != nil {
				return fe("when", err)
			}
		}
	}
	if a.Recurrence != nil {
		if err := validateRule(a.Recurrence); err != nil {
			return fe("recurrence", err)
		}
		for _, o := range a.Recurrence.Overrides {
			if o.Item == nil {
				return fe("recurrence", fmt.Errorf("the override of %s has no content", o.OriginalStart.UTC().Format(time.RFC3339)))
			}
			if err := validateAppointment(&Appointment{Start: o.Item.Start, End: o.Item.End, TimeZone: o.Item.TimeZone,
				EndTimeZone: o.Item.EndTimeZone, AllDay: o.Item.AllDay}); err != nil {
				return fe("recurrence", fmt.Errorf("the override of %s: %w", o.OriginalStart.UTC().Format(time.RFC3339), errors.Unwrap(err)))
			}
		}
	}
	return nil
}

// validateRule reports a rule the expansion cannot honour, as a *RuleError naming the part.
func validateRule(r *Rule) error {
	switch r.Freq {
	case Daily, Weekly, Monthly, Yearly:
	case "":
		if len(r.Dates) == 0 {
			return &RuleError{Part: "FREQ", Reason: "missing (and no explicit dates)"}
		}
	default:
		return &RuleError{Part: "FREQ", Reason: fmt.Sprintf("unknown frequency %q", r.Freq)}
	}
	if r.Interval < 0 || r.Interval > 10000 {
		return &RuleError{Part: "INTERVAL", Reason: fmt.Sprintf("%d is out of range", r.Interval)}
	}
	if r.Count < 0 || r.Count > 1000000 {
		return &RuleError{Part: "COUNT", Reason: fmt.Sprintf("%d is out of range", r.Count)}
	}
	if r.WeekStart < time.Sunday || r.WeekStart > time.Saturday {
		return &RuleError{Part: "WKST", Reason: fmt.Sprintf("%d is not a weekday", r.WeekStart)}
	}
	for _, d := range r.ByDay {
		if d.Day < time.Sunday || d.Day > time.Saturday || d.N < -53 || d.N > 53 {
			return &RuleError{Part: "BYDAY", Reason: fmt.Sprintf("%+v is out of range", d)}
		}
	}
	check := func(part string, ns []int, lo, hi int) error {
		for _, n := range ns {
			if n == 0 || n > hi || n < -hi || (n > 0 && n < lo) || (lo > 1 && n < 0) {
				return &RuleError{Part: part, Reason: fmt.Sprintf("%d is out of range", n)}
			}
		}
		return nil
	}
	if err := check("BYMONTHDAY", r.ByMonthDay, 1, 31); err != nil {
		return err
	}
	if err := check("BYSETPOS", r.BySetPos, 1, 366); err != nil {
		return err
	}
	for _, m := range r.ByMonth {
		if m < 1 || m > 12 {
			return &RuleError{Part: "BYMONTH", Reason: fmt.Sprintf("%d is out of range", m)}
		}
	}
	if err := checkRule(r); err != nil {
		return err
	}
	for _, ts := range [][]time.Time{{r.Until}, r.Dates, r.Excluded} {
		for _, t := range ts {
			if err := checkInstant(t); err != nil {
				return &RuleError{Part: "UNTIL/RDATE/EXDATE", Reason: err.Error()}
			}
		}
	}
	return nil
}
