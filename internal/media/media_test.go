package media

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestSaveIsContentAddressedAndIdempotent(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.Save(".PNG", []byte("image one"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.Save(".png", []byte("image one"))
	other, _ := d.Save(".png", []byte("image two"))
	if a != again || a == other || filepath.Ext(a) != ".png" {
		t.Fatalf("names %q %q %q: want equal content to share a name, and a .png name", a, again, other)
	}
	p, err := d.Path(a)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, []byte("image one")) {
		t.Errorf("stored %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 2 {
		t.Errorf("%d files in the folder, want 2 (no temporary files left)", len(entries))
	}
}

func TestRefusesUnknownTypesAndForeignNames(t *testing.T) {
	d, _ := Open(t.TempDir())
	if _, err := d.Save(".exe", []byte("x")); err == nil {
		t.Errorf("saved an .exe")
	}
	for _, name := range []string{"../etc/passwd", "x.png", "0123456789abcdef0123456789abcdef.png"} {
		if _, err := d.Path(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Path(%q) = %v, want not exist", name, err)
		}
	}
}
