package store_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func TestSiteSettingsAreSavedBesideTheSecrets(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	secret, err := s.Secret(ctx, "cookies")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Site(ctx)
	if err != nil || *got != (parley.Site{}) {
		t.Fatalf("a fresh site: %+v, %v; want no settings", got, err)
	}
	want := parley.Site{Name: "The Riverside Forum", Organisation: "Riverside Gazette", LogoURL: "/media/a.png",
		IntroMD: "*Hi*", IntroHTML: "<p><em>Hi</em></p>", FeaturedDebateID: 42,
		ControllerName: "Riverside Gazette Ltd", ControllerAddress: "1 Quay Street\nRiverside", ControllerEmail: "privacy@example.org",
		DPOName: "Dana", DPOEmail: "dpo@example.org", AuthorityName: "ICO", AuthorityURL: "https://ico.org.uk", MailProvider: "Mail Ltd"}
	changes := heard(s)
	if err := s.SaveSite(ctx, &want); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changes(), store.AllDebates) {
		t.Error("saving the settings did not announce a change to every page")
	}
	if got, err = s.Site(ctx); err != nil || *got != want {
		t.Fatalf("read back %+v, %v; want %+v", got, err, want)
	}
	// Saving again overwrites, emptied fields included.
	want = parley.Site{Name: "Renamed"}
	if err := s.SaveSite(ctx, &want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Site(ctx); err != nil || *got != want {
		t.Fatalf("after a second save %+v, %v; want %+v", got, err, want)
	}
	if again, err := s.Secret(ctx, "cookies"); err != nil || !bytes.Equal(again, secret) {
		t.Errorf("the settings disturbed the secrets")
	}
}
