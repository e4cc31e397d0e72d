package auth

import "testing"

func TestDummyHashCostsAVerifyAndNeverMatches(t *testing.T) {
	t.Parallel()
	p := PasswordParams{Time: 1, Memory: 8 * 1024, Threads: 1}
	d, err := dummyHash(p)
	if err != nil {
		t.Fatal(err)
	}
	genuine, err := hashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != len(genuine) {
		t.Errorf("dummy hash %q has another shape than a real one %q", d, genuine)
	}
	for _, pw := range []string{"", "correct horse battery", "x"} {
		ok, err := verifyPassword(pw, d)
		if err != nil {
			t.Fatalf("verifying against the dummy hash: %v (it must parse like a real hash)", err)
		}
		if ok {
			t.Fatalf("password %q matched the dummy hash", pw)
		}
	}
}
