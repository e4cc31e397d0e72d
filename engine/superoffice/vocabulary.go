package superoffice

import (
	"context"
	"fmt"
	"net/http"

	"github.com/synchronizer/synchronizer/engine"
)

var _ engine.Vocabulary = (*Connector)(nil)

// Categories lists the tenant's appointment and task types: the task list (v1/List/Task/Items) read in the
// settings' Language, so the names are those users see and those TypeCategories and DefaultType must use. Task
// list items of type ToDo are task types (engine.KindTask); every other type (Appointment, Phone, …) is an
// appointment type. Deleted items are left out. The account is ignored: the list is the tenant's.
func (c *Connector) Categories(ctx context.Context, _ engine.Account) ([]engine.Category, error) {
	var items []TaskListItem
	if err := c.cl.do(ctx, request{method: http.MethodGet, path: "v1/List/Task/Items", out: &items}); err != nil {
		return nil, fmt.Errorf("superoffice: task list: %w", err)
	}
	out := make([]engine.Category, 0, len(items))
	for _, t := range items {
		if t.Deleted || t.Value == "" {
			continue
		}
		out = append(out, engine.Category{Name: t.Value, Kind: typeKind(t.Type)})
	}
	return out, nil
}

// typeKind is the kind of item a task list item's Type applies to.
func typeKind(typ string) engine.Kind {
	if typ == "ToDo" {
		return engine.KindTask
	}
	return engine.KindAppointment
}
