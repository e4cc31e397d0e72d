package superoffice

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Settings configure one SuperOffice tenant (the JSON the admin saves in the profile).
type Settings struct {
	// Mode is "online" (SuperOffice CRM Online, system-user ticket) or "onsite" (the customer's own NetServer,
	// Basic or SOTicket).
	Mode string `json:"mode"`
	// BaseURL is the tenant's REST base, the webapi_url claim ("https://sod2.superoffice.com/Cust12345/api/"), or
	// the on-site NetServer's ("https://crm.example.com/SuperOffice/api/"). Tests point it at the fake.
	BaseURL string `json:"baseUrl"`
	// LoginURL is the SuperOffice login service of the environment ("https://online.superoffice.com/login");
	// online only.
	LoginURL string `json:"loginUrl,omitempty"`
	// ContextIdentifier is the tenant ("Cust12345"); online only.
	ContextIdentifier string `json:"contextIdentifier,omitempty"`
	// ClientID of the registered application; online only (OIDC).
	ClientID string `json:"clientId,omitempty"`
	// User is the on-site user name for Basic authentication; its password is the secret "password". An on-site
	// SOTicket is the secret "ticket" instead.
	User string `json:"user,omitempty"`
	// TimeZone is the tenant's IANA zone: the zone SuperOffice users see times in, used to describe recurring
	// series (default UTC).
	TimeZone string `json:"timeZone,omitempty"`
	// MarkerUdef is the progId of a text user-defined field on appointments and persons that holds our
	// idempotency marker (default "SuperOffice:1"). See docs/connectors/superoffice.md for the trade-off.
	MarkerUdef string `json:"markerUdef,omitempty"`
	// TitleTemplate formats the mailbox subject from CRM fields, e.g. "{type}: {title} — {company}" (default
	// "{title}"). Subjects written back are parsed with the same template.
	TitleTemplate string `json:"titleTemplate,omitempty"`
	// TypeCategories maps SuperOffice appointment/task types (task list item names) to mailbox categories.
	TypeCategories map[string]string `json:"typeCategories,omitempty"`
	// DefaultType is the task list item used for items created from the mailbox without a mapped category
	// (default: the first appointment type of the list).
	DefaultType string `json:"defaultType,omitempty"`
	// Language is the ISO 639-1 code list items (appointment and task types) are read and matched in, sent as
	// SO-Language (default "en"): use the profile's language so categories match what users see.
	Language string `json:"language,omitempty"`
	// MaxInFlight bounds concurrent calls per tenant (default 8; SuperOffice documents no limit).
	MaxInFlight int `json:"maxInFlight,omitempty"`
	// PageSize is the OData $top of one listing page (default 200, at most 1000).
	PageSize int `json:"pageSize,omitempty"`
	// OverlapSeconds is subtracted from the watermark on each poll (default 120).
	OverlapSeconds int `json:"overlapSeconds,omitempty"`
	// Webhooks enables webhook registration when the appliance has a public URL (default true).
	Webhooks *bool `json:"webhooks,omitempty"`
}

// defaults fills the defaults and validates s; errors name the field.
func (s *Settings) validate() error {
	switch s.Mode {
	case "":
		s.Mode = "online"
	case "online", "onsite":
	default:
		return fieldErr("mode", "%q: want online or onsite", s.Mode)
	}
	u, err := url.Parse(s.BaseURL)
	if s.BaseURL == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fieldErr("baseUrl", "%q is not an absolute http(s) URL", s.BaseURL)
	}
	if !strings.HasSuffix(s.BaseURL, "/") {
		s.BaseURL += "/"
	}
	if s.Mode == "online" {
		if s.ContextIdentifier == "" {
			return fieldErr("contextIdentifier", "required for SuperOffice Online")
		}
		if lu, err := url.Parse(s.LoginURL); s.LoginURL == "" || err != nil || lu.Host == "" {
			return fieldErr("loginUrl", "%q is not an absolute URL", s.LoginURL)
		}
		s.LoginURL = strings.TrimSuffix(s.LoginURL, "/")
	}
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return fieldErr("timeZone", "%q is not an IANA zone", s.TimeZone)
	}
	if s.MarkerUdef == "" {
		s.MarkerUdef = "SuperOffice:1"
	}
	if s.TitleTemplate == "" {
		s.TitleTemplate = "{title}"
	}
	if _, err := ParseTemplate(s.TitleTemplate); err != nil {
		return fieldErr("titleTemplate", "%v", err)
	}
	if s.Language == "" {
		s.Language = "en"
	}
	if len(s.Language) != 2 || strings.ToLower(s.Language) != s.Language {
		return fieldErr("language", "%q: want a two-letter lower-case ISO 639-1 code", s.Language)
	}
	switch {
	case s.MaxInFlight == 0:
		s.MaxInFlight = 8
	case s.MaxInFlight < 0 || s.MaxInFlight > 64:
		return fieldErr("maxInFlight", "%d: want 1–64", s.MaxInFlight)
	}
	switch {
	case s.PageSize == 0:
		s.PageSize = 200
	case s.PageSize < 1 || s.PageSize > 1000:
		return fieldErr("pageSize", "%d: want 1–1000", s.PageSize)
	}
	switch {
	case s.OverlapSeconds == 0:
		s.OverlapSeconds = 120
	case s.OverlapSeconds < 0 || s.OverlapSeconds > 86400:
		return fieldErr("overlapSeconds", "%d: want 1–86400", s.OverlapSeconds)
	}
	for k, v := range s.TypeCategories {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return fieldErr("typeCategories", "%q → %q: empty type or category", k, v)
		}
	}
	return nil
}

// ParseSettings decodes and validates settings JSON; unknown fields are errors.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, fmt.Errorf("superoffice settings: %w", err)
	}
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

func fieldErr(field, format string, a ...any) error {
	return &engine.InputError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// CheckEntered validates the settings an admin types — mode, time zone, title template, type categories, language,
// limits — without requiring the ones a sign-in fills in later (baseUrl, contextIdentifier and loginUrl of
// SuperOffice Online): a profile saved as a draft before its "Sign in with SuperOffice" is still refused a broken
// template, naming the field. Values that are present are checked as ParseSettings checks them.
func CheckEntered(raw json.RawMessage) error {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("superoffice settings: %w", err)
	}
	online := s.Mode == "" || s.Mode == "online"
	if online && s.BaseURL == "" {
		s.BaseURL = "https://sign-in.pending.invalid/"
	}
	if online && s.ContextIdentifier == "" {
		s.ContextIdentifier = "pending"
	}
	if online && s.LoginURL == "" {
		s.LoginURL = "https://sign-in.pending.invalid"
	}
	return s.validate()
}
