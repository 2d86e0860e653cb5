package translate

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"golang.org/x/sync/singleflight"
)

// Store keeps translations and the day's spending, shared by every node.
type Store interface {
	CommentTranslation(ctx context.Context, commentID int64, language, provider string) (*parley.CommentTranslation, error)
	SaveCommentTranslation(ctx context.Context, t *parley.CommentTranslation) error
	SpendTranslation(ctx context.Context, day string, characters, budget int) (bool, error)
}

var (
	// ErrOff: the operator chose no provider.
	ErrOff = errors.New("translate: machine translation is off")
	// ErrBudget: the day's character budget is spent.
	ErrBudget = errors.New("translate: the day's character budget is spent")
)

// Service translates comments: from the database when a translation is
// stored (an editor's first), else from the provider, within a daily
// character budget, storing what it fetched.
type Service struct {
	// Provider is nil when machine translation is off; editors' translations
	// still show.
	Provider Provider
	Store    Store
	// Budget is how many characters a day may go to the provider.
	Budget int
	// Render turns a translated comment's Markdown into sanitised HTML, as
	// the comment's own text is rendered.
	Render func(md string) string
	Now    func() time.Time
	flight singleflight.Group
	// spentDay is the day the budget last ran out.
	spentDay atomic.Value
}

// providerName is the provider whose stored translations count.
func (s *Service) providerName() string {
	if s.Provider == nil {
		return ""
	}
	return s.Provider.Name()
}

// Cached returns a stored translation, never asking the provider: what
// page views use.
func (s *Service) Cached(ctx context.Context, commentID int64, to string) (*parley.CommentTranslation, error) {
	return s.Store.CommentTranslation(ctx, commentID, to, s.providerName())
}

// Translate returns the comment's translation into to: stored, or fetched
// once however many readers ask at the same moment.
func (s *Service) Translate(ctx context.Context, c *parley.Comment, to string) (*parley.CommentTranslation, error) {
	t, err := s.Cached(ctx, c.ID, to)
	if parley.ErrorCode(err) != parley.ENOTFOUND {
		return t, err
	}
	if s.Provider == nil {
		return nil, ErrOff
	}
	v, err, _ := s.flight.Do(strconv.FormatInt(c.ID, 10)+" "+to, func() (any, error) {
		return s.fetch(ctx, c, to)
	})
	if err != nil {
		return nil, err
	}
	return v.(*parley.CommentTranslation), nil
}

func (s *Service) fetch(ctx context.Context, c *parley.Comment, to string) (*parley.CommentTranslation, error) {
	day := s.now().UTC().Format(time.DateOnly)
	ok, err := s.Store.SpendTranslation(ctx, day, utf8.RuneCountInString(c.BodyMD), s.Budget)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.spentDay.Store(day)
		return nil, ErrBudget
	}
	text, err := s.Provider.Translate(ctx, c.BodyMD, c.Language, to)
	if err != nil {
		return nil, err
	}
	t := &parley.CommentTranslation{CommentID: c.ID, Language: to, Provider: s.Provider.Name(), BodyHTML: s.Render(text)}
	// The reader gets the translation that was paid for even when it cannot
	// be kept (the comment was deleted meanwhile, the database is busy).
	_ = s.Store.SaveCommentTranslation(ctx, t)
	return t, nil
}

// Spent reports whether today's budget ran out on this node, so that pages
// can say so without asking the database or the provider.
func (s *Service) Spent() bool {
	day, _ := s.spentDay.Load().(string)
	return day == s.now().UTC().Format(time.DateOnly)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
