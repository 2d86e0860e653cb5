package mail_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-org/parley/internal/mail"
)

// The README documents every option of the SMTP URL that NewSMTP accepts,
// and every value of starttls.
func TestREADMEDocumentsEverySMTPURLOption(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, err = mail.NewSMTP("smtp://127.0.0.1:25?no_such_option=1", from)
	m := regexp.MustCompile(`\(known: ([a-z_, ]+)\)`).FindStringSubmatch(errText(err))
	if m == nil {
		t.Fatalf("an unknown option's error does not list the known ones: %v", err)
	}
	for _, name := range strings.Split(m[1], ", ") {
		if !strings.Contains(string(readme), "`"+name+"=") {
			t.Errorf("the README does not document the SMTP URL option %s", name)
		}
	}
	_, err = mail.NewSMTP("smtp://127.0.0.1:25?starttls=maybe", from)
	m = regexp.MustCompile(`use ([a-z]+), ([a-z]+) or ([a-z]+)`).FindStringSubmatch(errText(err))
	if m == nil {
		t.Fatalf("a wrong starttls value's error does not list the right ones: %v", err)
	}
	for _, v := range m[1:] {
		if _, err := mail.NewSMTP("smtp://127.0.0.1:25?starttls="+v, from); err != nil {
			t.Errorf("starttls=%s: %v", v, err)
		}
		if !strings.Contains(string(readme), "`starttls="+v+"`") {
			t.Errorf("the README does not document starttls=%s", v)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
