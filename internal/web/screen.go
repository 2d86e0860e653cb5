package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/akismet"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/spam"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/wordlist"
)

// Screening a new comment, on the site's own machine: bans, the debate's
// reject list (refused with the reason, the text kept), then everything
// that holds a comment for a moderator or files it as spam, each with a
// reason the moderators see: the form traps, the debate's policy (every
// comment, first-time authors, too many links, the hold list), duplicates
// and the classifier. The strictest outcome wins.

// duplicateWindow is how far back a copy of the same text counts, and
// minDuplicateLen the shortest text that counts ("I agree." twice is fine).
const (
	duplicateWindow = 30 * 24 * time.Hour
	minDuplicateLen = 40
)

// screen decides the status of a new comment, or of a new text for the
// comment editing (0 for a new one), and what moderators are told about
// it. trap is formTrap's verdict (empty for the API and for edits).
func (s *Server) screen(r *http.Request, d *parley.Debate, u *parley.User, in *parley.NewComment, html string, trap trapVerdict, editing int64) (parley.CommentStatus, store.Screening, error) {
	ctx := r.Context()
	addr := s.clientAddr(r)
	sc := store.Screening{IPHash: s.addressHash("ip", addr.String()), NetHash: s.addressHash("net", networkOf(addr))}
	if addr.IsValid() {
		sc.IP = addr.String()
	}
	var userID int64
	if u != nil {
		userID = u.ID
	}
	ban, err := s.store.ActiveBan(ctx, userID, in.AuthorEmail, sc.NetHash)
	if err != nil {
		return "", sc, err
	}
	if ban != nil {
		return "", sc, bannedError(ban, lang(r))
	}
	if list := s.wordLists.get(d.Policy.RejectWords); list != nil {
		if term, ok := list.Match(in.Body); ok {
			msg := fmt.Sprintf("This debate does not accept comments containing “%s”. Please rephrase your comment; your text is kept below.", term)
			return "", sc, &parley.Error{Code: parley.EINVALID, Message: msg, Fields: map[string]string{"body": msg}}
		}
	}

	status := trap.status
	hold := func(to parley.CommentStatus, why string) {
		sc.HoldReasons = append(sc.HoldReasons, why)
		if status != parley.CommentSpam {
			status = to
		}
	}
	if trap.reason != "" {
		sc.HoldReasons = append(sc.HoldReasons, trap.reason)
	}
	if trap.stamp != "" {
		// One form, shown once, carries one comment from a network; a page
		// served from the cache shares its stamp among readers elsewhere.
		uses, err := s.store.UseFormStamp(ctx, s.keyed("stamp", trap.stamp, sc.NetHash))
		if err != nil {
			return "", sc, err
		}
		if uses > 1 {
			s.metrics.formStampReuses.Inc()
			hold(parley.CommentPending, fmt.Sprintf("The same comment form was sent %d times from this network", uses))
		}
	}
	if d.HoldForReview {
		hold(parley.CommentPending, "This debate holds every comment for review")
	}
	// trusted: the author has an approved comment already (asked once).
	var trusted *bool
	isTrusted := func() (bool, error) {
		if trusted == nil {
			ok, err := s.store.Trusted(ctx, userID, in.AuthorEmail, sc.NetHash)
			if err != nil {
				return false, err
			}
			trusted = &ok
		}
		return *trusted, nil
	}
	if d.Policy.HoldFirstTime && !d.HoldForReview {
		ok, err := isTrusted()
		if err != nil {
			return "", sc, err
		}
		if !ok {
			hold(parley.CommentPending, "First comment by this author")
		}
	}
	links := parley.CountLinks(html, s.cfg.BaseURL)
	if links > d.Policy.MaxLinks {
		hold(parley.CommentPending, fmt.Sprintf("%d links; this debate holds comments with more than %d", links, d.Policy.MaxLinks))
	}
	if list := s.wordLists.get(d.Policy.HoldWords); list != nil {
		if term, ok := list.Match(in.Body); ok {
			hold(parley.CommentPending, fmt.Sprintf("Contains “%s”, from the debate's hold list", term))
		}
	}
	if hash, n := s.textHash(in.Body); n >= minDuplicateLen {
		sc.BodyHash = hash
		copies, err := s.store.Duplicates(ctx, sc.BodyHash, in.AuthorEmail, time.Now().Add(-duplicateWindow), editing)
		if err != nil {
			return "", sc, err
		}
		for _, c := range copies {
			if c.Status == parley.CommentSpam {
				hold(parley.CommentSpam, fmt.Sprintf("Same text as comment #%s, which is spam", strconv.FormatInt(c.CommentID, 10)))
				break
			}
		}
		if len(copies) > 0 && status != parley.CommentSpam {
			hold(parley.CommentPending, fmt.Sprintf("Same text as comment #%s, posted in the last 30 days", strconv.FormatInt(copies[0].CommentID, 10)))
		}
	}

	res, features := s.spam.judge(in.Body, links)
	sc.SpamScore, sc.Scored, sc.SpamFeatures = res.Score, true, features
	switch res.Verdict {
	case spam.Spam:
		hold(parley.CommentSpam, spamReason(res))
	case spam.Pending:
		// A link or a sum of money alone holds a newcomer's comment, not
		// that of an author whose comments were approved before.
		ok := false
		if res.Marginal {
			if ok, err = isTrusted(); err != nil {
				return "", sc, err
			}
		}
		if !ok {
			hold(parley.CommentPending, spamReason(res))
		}
	}
	if s.cfg.Akismet != nil && status != parley.CommentSpam {
		if why := s.askAkismet(ctx, r, d, u, in); why != "" {
			hold(parley.CommentSpam, why)
		}
	}
	return status, sc, nil
}

// spamReason gives a spam score, and names what drove it.
func spamReason(res spam.Result) string {
	score := strconv.FormatFloat(res.Score, 'f', 2, 64)
	if len(res.Reasons) == 0 {
		return fmt.Sprintf("Spam score %s", score)
	}
	names := make([]string, len(res.Reasons))
	for i, r := range res.Reasons {
		names[i] = "“" + r.Feature + "”"
	}
	return fmt.Sprintf("Spam score %s, from %s", score, strings.Join(names, ", "))
}

// askAkismet asks the configured Akismet-compatible service; it returns
// why the comment is spam, or "". A service that fails changes nothing.
func (s *Server) askAkismet(ctx context.Context, r *http.Request, d *parley.Debate, u *parley.User, in *parley.NewComment) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	kind := "comment"
	if in.ParentID != 0 {
		kind = "reply"
	}
	v, err := s.cfg.Akismet.Check(ctx, akismet.Comment{
		IP: s.clientAddr(r).String(), UserAgent: r.UserAgent(), Referrer: r.Referer(),
		Permalink: s.cfg.BaseURL + "/debates/" + d.Slug, Type: kind,
		Author: in.AuthorName, AuthorEmail: in.AuthorEmail, Content: in.Body, Created: time.Now(),
	})
	if err != nil {
		s.log.Warn("akismet check", "err", err)
		return ""
	}
	if v.Spam {
		return fmt.Sprintf("%s says spam", s.cfg.Akismet.Host())
	}
	return ""
}

// bannedError is what a banned commenter reads. The end of a suspension is
// a date in the reader's language, so that the sentence translates whole.
func bannedError(b *parley.Ban, l *i18n.Lang) error {
	if b.ExpiresAt.IsZero() {
		msg := "Comments from this account cannot be posted: a moderator has suspended it. Your text is kept below."
		switch b.Kind {
		case parley.BanEmail:
			msg = "Comments from this email address cannot be posted: a moderator has suspended it. Your text is kept below."
		case parley.BanNetwork:
			msg = "Comments from your network cannot be posted at the moment: a moderator has suspended it after abuse from it. Your text is kept below."
		}
		return &parley.Error{Code: parley.EFORBIDDEN, Message: msg}
	}
	ends := l.Date(b.ExpiresAt)
	switch b.Kind {
	case parley.BanEmail:
		return parley.Errorf(parley.EFORBIDDEN, "Comments from this email address cannot be posted: a moderator has suspended it. The suspension ends on %s. Your text is kept below.", ends)
	case parley.BanNetwork:
		return parley.Errorf(parley.EFORBIDDEN, "Comments from your network cannot be posted at the moment: a moderator has suspended it after abuse from it. The suspension ends on %s. Your text is kept below.", ends)
	}
	return parley.Errorf(parley.EFORBIDDEN, "Comments from this account cannot be posted: a moderator has suspended it. The suspension ends on %s. Your text is kept below.", ends)
}

// clientAddr is the address a request comes from (see clientNet).
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	ip := remoteIP(r.RemoteAddr)
	if s.trusted(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			ip = hop.Unmap()
			if !s.trusted(ip) {
				break
			}
		}
	}
	return ip
}

// networkOf is the network a ban by network covers (parley.Network), or
// "" for no address.
func networkOf(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	return parley.Network(ip).String()
}

// addressHash is a keyed hash of an address, network or text: it lets
// moderators match comments from one place without keeping the place.
func (s *Server) addressHash(kind, value string) string {
	if value == "" || value == "invalid IP" {
		return ""
	}
	return s.hashWith(s.addressKey, kind, value)
}

// textHash is a keyed hash of a comment's text with case and spacing
// ignored, and the length of what it hashed in characters: copies of one
// text hash alike however they were re-spaced.
func (s *Server) textHash(text string) (string, int) {
	norm := make([]byte, 0, len(text))
	n, space := 0, false
	for _, r := range text {
		if r < utf8.RuneSelf && asciiSpace[r] || r >= utf8.RuneSelf && unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if space {
			norm = append(norm, ' ')
			n, space = n+1, false
		}
		switch {
		case 'A' <= r && r <= 'Z':
			norm = append(norm, byte(r+'a'-'A'))
		case r < utf8.RuneSelf:
			norm = append(norm, byte(r))
		default:
			norm = utf8.AppendRune(norm, unicode.ToLower(r))
		}
		n++
	}
	m := hmac.New(sha256.New, s.addressKey)
	m.Write([]byte("body\x00"))
	m.Write(norm)
	return hex.EncodeToString(m.Sum(nil)[:16]), n
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// wordListCache keeps compiled word lists by their text, so that a
// debate's lists are compiled once, not at every comment.
type wordListCache struct {
	mu    sync.Mutex
	lists map[string]*wordlist.List
}

// get returns the compiled list, or nil for an empty or broken one
// (lists are checked when moderators save them).
func (c *wordListCache) get(text string) *wordlist.List {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.lists[text]; ok {
		return l
	}
	l, err := wordlist.Parse(text)
	if err != nil {
		l = nil
	}
	if c.lists == nil || len(c.lists) >= 256 {
		c.lists = map[string]*wordlist.List{}
	}
	c.lists[text] = l
	return l
}

// reporterKey identifies a reader who reports: their account, or their
// network, by keyed hash.
func (s *Server) reporterKey(r *http.Request) string {
	if u := currentUser(r); u != nil {
		return "u:" + strconv.FormatInt(u.ID, 10)
	}
	return "n:" + s.addressHash("report", s.clientNet(r))
}
