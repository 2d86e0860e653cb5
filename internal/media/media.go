// Package media keeps uploaded and imported files (hero images, portraits)
// on disk under the data directory, named by a hash of their content so that
// a name never changes meaning and can be cached forever.
package media

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Dir is a folder of content-addressed files. Its image uploads share one
// bound on the memory their checks take (see decodeBudget).
type Dir struct {
	path    string
	decodes *decodeGate
}

// Types maps the extensions Parley stores to their content types.
var Types = map[string]string{
	".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".svg": "image/svg+xml",
}

var validName = regexp.MustCompile(`^[0-9a-f]{32}\.[a-z]{3,4}$`)

// Open returns the folder, creating it if needed.
func Open(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o750); err != nil {
		return nil, fmt.Errorf("media folder: %w", err)
	}
	return &Dir{path: path, decodes: newDecodeGate(decodeBudget, maxDecodes)}, nil
}

// Save stores data under a name derived from its content and returns the
// name. Saving the same content again is harmless. The file appears whole or
// not at all.
func (d *Dir) Save(ext string, data []byte) (string, error) {
	ext = strings.ToLower(ext)
	if _, ok := Types[ext]; !ok {
		return "", fmt.Errorf("media: unsupported file type %q", ext)
	}
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:16]) + ext
	final := filepath.Join(d.path, name)
	if _, err := os.Stat(final); err == nil {
		return name, nil
	}
	tmp, err := os.CreateTemp(d.path, ".upload-*")
	if err != nil {
		return "", fmt.Errorf("media: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("media: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("media: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("media: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("media: %w", err)
	}
	return name, nil
}

// Path returns the file's path on disk, or fs.ErrNotExist for a name that is
// not one Save could have made.
func (d *Dir) Path(name string) (string, error) {
	if !validName.MatchString(name) {
		return "", fs.ErrNotExist
	}
	p := filepath.Join(d.path, name)
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fs.ErrNotExist
		}
		return "", err
	}
	return p, nil
}
