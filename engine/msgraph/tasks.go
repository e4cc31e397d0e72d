package msgraph

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// linkedApp is the applicationName of the linked resource that carries a task's idempotency marker.
const linkedApp = "Synchronizer"

type linkedResource struct {
	ApplicationName string `json:"applicationName"`
	ExternalID      string `json:"externalId"`
	DisplayName     string `json:"displayName,omitempty"`
}

type graphTask struct {
	ID                string           `json:"id"`
	ETag              string           `json:"@odata.etag"`
	Title             string           `json:"title"`
	Body              *itemBody        `json:"body"`
	Status            string           `json:"status"`
	Importance        string           `json:"importance"`
	IsReminderOn      bool             `json:"isReminderOn"`
	ReminderDateTime  *dateTimeTZ      `json:"reminderDateTime"`
	DueDateTime       *dateTimeTZ      `json:"dueDateTime"`
	StartDateTime     *dateTimeTZ      `json:"startDateTime"`
	CompletedDateTime *dateTimeTZ      `json:"completedDateTime"`
	Categories        []string         `json:"categories"`
	LinkedResources   []linkedResource `json:"linkedResources"`
}

// taskAdapter maps Microsoft To Do tasks. To Do keeps due and start as dates (midnight in a zone), so tasks are
// always DueAllDay on this side.
type taskAdapter struct{}

func (taskAdapter) markerInFilter() bool { return false }

func (taskAdapter) getQuery() string { return "?$expand=linkedResources" }

func (taskAdapter) deltaURL(s *Store) string { return s.c.graph + "/v1.0" + s.coll + "/delta" }

func (taskAdapter) decode(_ *Store, raw json.RawMessage) (engine.Remote, string, bool, error) {
	var gt graphTask
	if err := json.Unmarshal(raw, &gt); err != nil {
		return engine.Remote{}, "", false, err
	}
	t := &engine.Task{Title: gt.Title, Categories: gt.Categories}
	if gt.Body != nil {
		t.Body = gt.Body.Content
		if gt.Body.ContentType == "html" {
			t.Body = htmlToText(t.Body)
		}
	}
	switch gt.Importance {
	case "low":
		t.Priority = engine.PriorityLow
	case "high":
		t.Priority = engine.PriorityHigh
	}
	if gt.DueDateTime != nil {
		t.Due, t.DueAllDay = dateOnly(gt.DueDateTime.DateTime), true
	}
	if gt.StartDateTime != nil {
		t.Start, t.DueAllDay = dateOnly(gt.StartDateTime.DateTime), true
	}
	if gt.Status == "completed" {
		if gt.CompletedDateTime != nil {
			c, err := parseDT(gt.CompletedDateTime, "completed")
			if err != nil {
				return engine.Remote{}, "", false, &engine.ItemError{ID: gt.ID, Field: "completed", Err: err}
			}
			t.Completed = c
		} else {
			t.Completed = time.Unix(0, 0).UTC()
		}
	}
	if gt.IsReminderOn && gt.ReminderDateTime != nil && !t.Due.IsZero() {
		rem, err := parseDT(gt.ReminderDateTime, "reminder")
		if err == nil && !rem.After(t.Due) {
			t.Reminder = engine.DurationOf(t.Due.Sub(rem))
		}
	}
	r := engine.Remote{ID: gt.ID, Version: gt.ETag, Item: t}
	for _, l := range gt.LinkedResources {
		switch l.ApplicationName {
		case linkedApp:
			r.Marker = l.ExternalID
		case linkedApp + " CRM":
			var lk engine.CRMLink
			if err := json.Unmarshal([]byte(l.ExternalID), &lk); err == nil {
				t.Links = append(t.Links, lk)
			}
		}
	}
	return r, "", false, nil
}

func (taskAdapter) encode(_ *Store, it engine.Item, marker string) (map[string]any, error) {
	t, ok := it.(*engine.Task)
	if !ok || t == nil {
		return nil, &engine.ItemError{Err: fmt.Errorf("want a task, got %T", it)}
	}
	m := map[string]any{"title": t.Title, "body": itemBody{ContentType: "text", Content: t.Body}, "categories": nonNil(t.Categories)}
	m["importance"] = map[engine.Priority]string{engine.PriorityLow: "low", engine.PriorityHigh: "high"}[t.Priority]
	if m["importance"] == "" {
		m["importance"] = "normal"
	}
	date := func(d time.Time) dateTimeTZ {
		return dateTimeTZ{DateTime: d.UTC().Format("2006-01-02") + "T00:00:00.0000000", TimeZone: "UTC"}
	}
	m["dueDateTime"], m["startDateTime"] = nil, nil
	if !t.Due.IsZero() {
		m["dueDateTime"] = date(t.Due)
	}
	if !t.Start.IsZero() {
		m["startDateTime"] = date(t.Start)
	}
	m["status"], m["completedDateTime"] = "notStarted", nil
	if !t.Completed.IsZero() {
		m["status"] = "completed"
		m["completedDateTime"] = dateTimeTZ{DateTime: t.Completed.UTC().Format(graphDateTime), TimeZone: "UTC"}
	}
	m["isReminderOn"], m["reminderDateTime"] = false, nil
	if t.Reminder != nil && !t.Due.IsZero() {
		m["isReminderOn"] = true
		m["reminderDateTime"] = dateTimeTZ{DateTime: t.Due.UTC().Add(-t.Reminder.D()).Format(graphDateTime), TimeZone: "UTC"}
	}
	if marker != "" {
		// Linked resources can only be set inline when the task is created.
		lr := []linkedResource{{ApplicationName: linkedApp, ExternalID: marker, DisplayName: "Synchronizer"}}
		for _, l := range t.Links {
			b, _ := json.Marshal(l)
			lr = append(lr, linkedResource{ApplicationName: linkedApp + " CRM", ExternalID: string(b), DisplayName: l.Name})
		}
		m["linkedResources"] = lr
	}
	return m, nil
}
