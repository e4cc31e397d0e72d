package push_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/push"
)

type fixedLookup []engine.PushSubscription

func (l fixedLookup) Subscription(id string) (engine.PushSubscription, bool) {
	for _, s := range l {
		if s.ID == id {
			return s, true
		}
	}
	return engine.PushSubscription{}, false
}

func (l fixedLookup) All() []engine.PushSubscription { return l }

// FuzzReceivers feeds arbitrary bodies and headers to every built-in receiver: they must never panic, and an
// accepted delivery must carry an id and a type.
func FuzzReceivers(f *testing.F) {
	f.Add("msgraph", `{"value":[{"subscriptionId":"s","clientState":"k","changeType":"updated","resource":"r"}]}`, "", "")
	f.Add("msgraph", `{"value":[{"subscriptionId":"s","clientState":"k","lifecycleEvent":"missed"}]}`, "", "")
	f.Add("superoffice", `{"EventId":"e","Event":"activity.deleted","PrimaryKey":1}`, "c2ln", "")
	f.Add("google", ``, "s", "exists")
	subs := fixedLookup{{Connector: "x", Profile: "p", ID: "s", Secret: "k"}}
	f.Fuzz(func(t *testing.T, connector, body, hdr, state string) {
		rc, ok := push.Receivers()[connector]
		if !ok {
			return
		}
		r := httptest.NewRequest(http.MethodPost, "/hooks/"+connector+"/p", strings.NewReader(body))
		r.Header.Set("X-SuperOffice-Signature", hdr)
		r.Header.Set("X-Goog-Channel-ID", hdr)
		r.Header.Set("X-Goog-Channel-Token", "k")
		r.Header.Set("X-Goog-Resource-State", state)
		r.Header.Set("X-Goog-Message-Number", "1")
		events, handled, err := rc.Receive(httptest.NewRecorder(), r, []byte(body), subs)
		if err != nil || handled {
			return
		}
		for _, e := range events {
			if e.ID == "" || e.Type == "" {
				t.Fatalf("accepted event without id or type: %+v", e)
			}
		}
	})
}
