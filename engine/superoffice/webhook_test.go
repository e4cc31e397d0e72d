package superoffice_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

func TestWebhookSignatureAndEcho(t *testing.T) {
	body := []byte(`{"EventId":"e1","Event":"activity.changed","PrimaryKey":7,"ChangedByAssociateId":9}`)
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write(body)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !superoffice.VerifySignature("k", body, sig) {
		t.Fatal("a good signature was refused")
	}
	for _, tc := range []struct{ secret, sig string }{{"other", sig}, {"k", "!!"}, {"", sig}, {"k", base64.StdEncoding.EncodeToString([]byte("x"))}} {
		if superoffice.VerifySignature(tc.secret, body, tc.sig) {
			t.Errorf("secret %q sig %q accepted", tc.secret, tc.sig)
		}
	}
	tn := newTenant(t)
	c := tn.connector(t, nil)
	ctx := context.Background()
	echo, err := c.HandleWebhook(ctx, body)
	if err != nil || !echo || superofficetest.SystemAssociateID != 9 {
		t.Fatalf("our own change: echo %v, %v", echo, err)
	}
	echo, err = c.HandleWebhook(ctx, []byte(`{"EventId":"e2","Event":"activity.changed","PrimaryKey":7,"ChangedByAssociateId":101}`))
	if err != nil || echo {
		t.Fatalf("a user's change: echo %v, %v", echo, err)
	}
	if _, err := c.HandleWebhook(ctx, []byte(`{not json`)); err == nil {
		t.Fatal("a malformed body was accepted")
	}
}
