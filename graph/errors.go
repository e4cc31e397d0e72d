package graph

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/synchronizer/synchronizer/auth"
)

// The stable error codes the API puts in extensions.code. Clients switch on
// them; messages are for people and may change.
const (
	CodeUnauthenticated   = auth.CodeUnauthenticated
	CodeForbidden         = auth.CodeForbidden
	CodeBadUserInput      = auth.CodeBadUserInput
	CodeNotFound          = auth.CodeNotFound
	CodeRateLimited       = auth.CodeRateLimited
	CodeSetupDone         = auth.CodeSetupDone
	CodeConflict          = auth.CodeConflict
	CodeInternal          = "INTERNAL"
	CodeUnavailable       = "UNAVAILABLE"
	CodeParseFailed       = errcode.ParseFailed      // GRAPHQL_PARSE_FAILED
	CodeValidationFailed  = errcode.ValidationFailed // GRAPHQL_VALIDATION_FAILED
	CodeQueryTooComplex   = "QUERY_TOO_COMPLEX"
	CodeBadRequest        = "BAD_REQUEST"
	codeGqlgenComplexity  = "COMPLEXITY_LIMIT_EXCEEDED"
	msgIntrospectionGated = "introspection is only available to signed-in callers (session cookie or API token)"
)

// codedError is an error of this package with a stable code and, for
// invalid input, the field at fault (extensions.field).
type codedError struct {
	code  string
	msg   string
	field string
}

func (e *codedError) Error() string { return e.msg }

// presenter returns the error presenter: every error leaves with an
// extensions.code; errors of unknown origin are logged in full and replaced
// by a safe INTERNAL message.
func presenter(log *slog.Logger, requestID func(context.Context) string) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr == nil {
			return nil
		}
		var ae *auth.Error
		var ce *codedError
		switch {
		case errors.As(err, &ae):
			gqlErr.Message = ae.Message
			setCode(gqlErr, ae.Code)
			if ae.Field != "" {
				gqlErr.Extensions["field"] = ae.Field
			}
			if ae.RetryAfter > 0 {
				gqlErr.Extensions["retryAfterSeconds"] = int(ae.RetryAfter.Seconds()) + 1
			}
		case errors.As(err, &ce):
			gqlErr.Message = ce.msg
			setCode(gqlErr, ce.code)
			if ce.field != "" {
				gqlErr.Extensions["field"] = ce.field
			}
		case gqlErr.Err != nil && gqlErr.Err.Error() == errIntrospection.Error():
			gqlErr.Message = msgIntrospectionGated
			setCode(gqlErr, CodeUnauthenticated)
		default:
			code, _ := gqlErr.Extensions["code"].(string)
			switch {
			case code == codeGqlgenComplexity:
				setCode(gqlErr, CodeQueryTooComplex)
			case code != "":
				// gqlgen's own codes (parse and validation failures) are kept.
			case gqlErr.Err == nil:
				// A message of gqlgen's own making (e.g. a null in a
				// non-null field): safe to show, but a server fault.
				setCode(gqlErr, CodeInternal)
			default:
				log.Error("graphql: resolver error", "err", gqlErr.Err, "path", gqlErr.Path.String(), "request_id", requestID(ctx))
				gqlErr.Message = "internal error; the server log has details"
				gqlErr.Err = nil
				setCode(gqlErr, CodeInternal)
			}
		}
		return gqlErr
	}
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// depthLimit rejects operations whose selections nest deeper than max
// (QUERY_TOO_COMPLEX). Introspection fields (__schema, __type) are not
// counted: the standard introspection query is deep but bounded.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	depth := selectionDepth(opCtx.Operation.SelectionSet, map[string]bool{})
	if depth > d.max {
		err := gqlerror.Errorf("operation is nested %d levels deep, which exceeds the limit of %d", depth, d.max)
		setCode(err, CodeQueryTooComplex)
		return err
	}
	return nil
}

// selectionDepth returns the depth of set; visiting guards against fragment
// cycles (validation rejects them before this runs, but be safe).
func selectionDepth(set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, visiting)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}
