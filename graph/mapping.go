package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/graph/model"
)

// maxTemplateLen bounds a previewed subject template and each sample value, in characters.
const maxTemplateLen = 1000

// categoryAccount turns the account argument of systemCategories into an engine.Account: an address when it
// holds an @, an id otherwise.
func categoryAccount(in *string) (engine.Account, error) {
	if in == nil {
		return engine.Account{}, nil
	}
	s := strings.TrimSpace(*in)
	switch {
	case s == "":
		return engine.Account{}, nil
	case len(s) > 320 || strings.ContainsAny(s, " \t\r\n/?#"):
		return engine.Account{}, badInput("account", "%q is not a mailbox id or e-mail address", clipRunes(s, 80))
	case strings.Contains(s, "@"):
		return engine.Account{Email: s}, nil
	}
	return engine.Account{ID: s}, nil
}

// clipRunes shortens s to at most n runes for an error message.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// listCategories lists conn's category names for account, bounded by the check timeout. An input error (a system
// that needs a mailbox and got none) is returned as the error; any other failure is reported in the listing.
func (r *Resolver) listCategories(ctx context.Context, conn engine.Connector, typ string, account engine.Account) (*model.CategoryListing, error) {
	voc, ok := conn.(engine.Vocabulary)
	if !ok {
		return &model.CategoryListing{Categories: []*model.SystemCategory{}, Complete: true,
			Message: strp(fmt.Sprintf("The %s connector has no list of categories: type the names.", typ))}, nil
	}
	timeout := r.checkTimeout()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	cats, err := voc.Categories(cctx, account)
	out := &model.CategoryListing{Categories: []*model.SystemCategory{}, DurationMs: int(time.Since(start).Milliseconds())}
	var ie *engine.InputError
	switch {
	case errors.As(err, &ie):
		return nil, badInput(ie.Field, "%s", ie.Reason)
	case err != nil && cctx.Err() != nil && ctx.Err() == nil:
		out.Message = strp(fmt.Sprintf("The categories could not be listed within %s (%v); check that the appliance can reach the system.", timeout, err))
		return out, nil
	case err != nil:
		out.Message = strp("The categories could not be listed: " + err.Error() + ".")
		return out, nil
	}
	out.Complete = true
	for _, c := range cats {
		sc := &model.SystemCategory{Name: c.Name}
		if c.Kind != "" {
			k := enumOut[model.SyncKind](string(c.Kind))
			sc.Kind = &k
		}
		if c.Color != "" {
			sc.Color = strp(c.Color)
		}
		out.Categories = append(out.Categories, sc)
	}
	return out, nil
}

// titlePreview renders a SuperOffice subject template for sample with the connector's own Template.
func titlePreview(tmpl string, sample model.TitleSample) (*model.TitlePreview, error) {
	if utf8.RuneCountInString(tmpl) > maxTemplateLen {
		return nil, badInput("template", "longer than %d characters", maxTemplateLen)
	}
	if strings.TrimSpace(tmpl) == "" {
		tmpl = "{title}"
	}
	t, err := superoffice.ParseTemplate(tmpl)
	if err != nil {
		return nil, badInput("template", "%v", err)
	}
	v := map[string]string{"title": sample.Title}
	for name, p := range map[string]*string{"type": sample.Type, "company": sample.Company, "person": sample.Person,
		"project": sample.Project, "sale": sample.Sale} {
		if p != nil {
			v[name] = *p
		}
	}
	for name, s := range v {
		if utf8.RuneCountInString(s) > maxTemplateLen {
			return nil, badInput("sample."+name, "longer than %d characters", maxTemplateLen)
		}
	}
	subject := t.Format(v)
	return &model.TitlePreview{Template: tmpl, Subject: subject, Title: t.Title(subject, v),
		Placeholders: superoffice.Placeholders()}, nil
}
