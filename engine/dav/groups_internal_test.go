package dav

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

// bookFake is an address book at /book/ serving PROPFIND (depth 1), addressbook-multiget, GET and PUT, counting
// requests by method.
type bookFake struct {
	mu    sync.Mutex
	cards map[string]string // href → vCard
	etags map[string]int
	n     map[string]int
}

var hrefRE = regexp.MustCompile(`<D:href>([^<]+)</D:href>`)

func (f *bookFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n[r.Method]++
	resp := func(href string, withData bool) string {
		data := ""
		if withData {
			data = "<CR:address-data>" + html.EscapeString(f.cards[href]) + "</CR:address-data>"
		}
		return fmt.Sprintf(`<D:response><D:href>%s</D:href><D:propstat><D:prop><D:getetag>"e%d"</D:getetag><D:resourcetype/>%s</D:prop>`+
			`<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, href, f.etags[href], data)
	}
	head := `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">`
	switch {
	case r.Method == "PROPFIND" && r.URL.Path == "/book/":
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprint(w, head+`<D:response><D:href>/book/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype></D:prop>`+
			`<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
		for _, h := range slices.Sorted(func(yield func(string) bool) {
			for h := range f.cards {
				if !yield(h) {
					return
				}
			}
		}) {
			fmt.Fprint(w, resp(h, false))
		}
		fmt.Fprint(w, `</D:multistatus>`)
	case r.Method == "REPORT" && strings.Contains(string(body), "addressbook-multiget"):
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprint(w, head)
		for _, m := range hrefRE.FindAllStringSubmatch(string(body), -1) {
			if _, ok := f.cards[m[1]]; ok {
				fmt.Fprint(w, resp(m[1], true))
			}
		}
		fmt.Fprint(w, `</D:multistatus>`)
	case r.Method == http.MethodGet:
		c, ok := f.cards[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"e%d"`, f.etags[r.URL.Path]))
		fmt.Fprint(w, c)
	case r.Method == http.MethodPut:
		f.cards[r.URL.Path] = string(body)
		f.etags[r.URL.Path]++
		w.Header().Set("ETag", fmt.Sprintf(`"e%d"`, f.etags[r.URL.Path]))
		w.WriteHeader(http.StatusCreated)
	default:
		http.Error(w, "unsupported", http.StatusBadRequest)
	}
}

func (f *bookFake) count() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.n
	f.n = map[string]int{}
	return out
}

func card(uid, fn string, extra ...string) string {
	lines := append([]string{"BEGIN:VCARD", "VERSION:4.0", "UID:urn:uuid:" + uid, "FN:" + fn}, extra...)
	return strings.Join(append(lines, "END:VCARD"), "\r\n") + "\r\n"
}

// TestGroupMembersAreHrefsOfUnreadCards reads and writes groups in Collections that have not read the member
// cards (an incremental listing, a GET): the members still come out as the contacts' hrefs, and hrefs written go
// in as the cards' UIDs. The address book is read once per Collection for that.
func TestGroupMembersAreHrefsOfUnreadCards(t *testing.T) {
	f := &bookFake{n: map[string]int{}, etags: map[string]int{"/book/ada.vcf": 1, "/book/bob.vcf": 1, "/book/grp.vcf": 1},
		cards: map[string]string{
			"/book/ada.vcf": card("ada-uid", "Ada", "N:Lovelace;Ada;;;"),
			"/book/bob.vcf": card("bob-uid", "Bob", "N:Hope;Bob;;;"),
			"/book/grp.vcf": card("grp-uid", "Friends", "KIND:group", "MEMBER:urn:uuid:ada-uid", "MEMBER:urn:uuid:gone-uid"),
		}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conn, err := NewConnector(Settings{URL: srv.URL + "/", AddressBook: "/book/"}, engine.Env{Governor: engine.NoLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := conn.collection(t.Context(), "/book/", engine.KindGroup, "")
	r, err := s.Get(ctx, "/book/grp.vcf")
	if err != nil {
		t.Fatal(err)
	}
	if g := r.Item.(*engine.Group); !slices.Equal(g.Members, []string{"/book/ada.vcf", "gone-uid"}) {
		t.Fatalf("members %v: want Ada's href, and the UID of a card that does not exist", g.Members)
	}
	if n := f.count(); n["PROPFIND"] != 1 || n["REPORT"] != 1 {
		t.Fatalf("requests %v: want the address book read once", n)
	}
	if _, err := s.Get(ctx, "/book/grp.vcf"); err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n["PROPFIND"] != 0 || n["REPORT"] != 0 {
		t.Fatalf("requests %v: the address book is read once per Collection", n)
	}

	w := conn.collection(t.Context(), "/book/", engine.KindGroup, "")
	cr, err := w.Create(ctx, &engine.Group{Name: "Key", Members: []string{"/book/bob.vcf", "/book/ada.vcf"}}, "g-2")
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	stored := f.cards["/book/g-2.vcf"]
	f.mu.Unlock()
	if !strings.Contains(stored, "MEMBER:urn:uuid:ada-uid") || !strings.Contains(stored, "MEMBER:urn:uuid:bob-uid") {
		t.Fatalf("stored group card:\n%s", stored)
	}
	if g := cr.Item.(*engine.Group); !slices.Equal(g.Members, []string{"/book/ada.vcf", "/book/bob.vcf"}) && !slices.Equal(g.Members, []string{"/book/bob.vcf", "/book/ada.vcf"}) {
		t.Fatalf("created group members %v", g.Members)
	}
}
