package main

import (
	"io"
	"testing"
)

func TestRemoteImagesFlag(t *testing.T) {
	for _, c := range []struct {
		cmd, env string
		args     []string
		want     bool
	}{
		{"serve", "", nil, false},
		{"serve", "", []string{"--remote-images"}, true},
		{"serve", "true", nil, true},
		{"serve", "1", []string{"--remote-images=false"}, false},
		{"serve", "maybe", nil, false},
		{"debate import", "", []string{"--remote-images", "debate.md"}, true},
		{"debate import", "true", []string{"debate.md"}, true},
	} {
		getenv := func(k string) string {
			if k == "PARLEY_REMOTE_IMAGES" {
				return c.env
			}
			return ""
		}
		o, _, err := parse(&env{getenv: getenv, stdout: io.Discard, stderr: io.Discard}, c.cmd, c.args)
		if err != nil {
			t.Fatalf("%s %q with PARLEY_REMOTE_IMAGES=%q: %v", c.cmd, c.args, c.env, err)
		}
		if o.remoteImages != c.want {
			t.Errorf("%s %q with PARLEY_REMOTE_IMAGES=%q: remote images %v, want %v", c.cmd, c.args, c.env, o.remoteImages, c.want)
		}
	}
}
