package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

// Links in notification mail carry signed tokens, never an address: a token
// names a record by ID and a keyed hash proves Parley made it.

// confirmTTL is how long a confirmation link works.
const confirmTTL = 7 * 24 * time.Hour

func (n *Notifier) mac(parts ...string) string {
	m := hmac.New(sha256.New, n.secret)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

func (n *Notifier) token(purpose string, fields ...string) string {
	return strings.Join(fields, ".") + "." + n.mac(append([]string{purpose}, fields...)...)
}

// check verifies a token and returns its fields.
func (n *Notifier) check(purpose, token string, count int) ([]string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != count+1 {
		return nil, false
	}
	fields := parts[:count]
	return fields, hmac.Equal([]byte(n.mac(append([]string{purpose}, fields...)...)), []byte(parts[count]))
}

var errBadLink = parley.Errorf(parley.ENOTFOUND, "This link is not valid. It may have been copied incompletely.")

// ConfirmURL is the link that confirms an address.
func (n *Notifier) ConfirmURL(a *parley.Address) string {
	return n.cfg.BaseURL + "/subscriptions/confirm/" + n.token("confirm", itoa(a.ID), itoa(a.ConfirmSentAt.UnixMilli()))
}

// Confirm confirms the address of a confirmation token, starting the mail
// of its subscriptions.
func (n *Notifier) Confirm(ctx context.Context, token string) (*parley.Address, error) {
	f, ok := n.check("confirm", token, 2)
	if !ok {
		return nil, errBadLink
	}
	id, _ := strconv.ParseInt(f[0], 10, 64)
	sent, _ := strconv.ParseInt(f[1], 10, 64)
	sentAt := time.UnixMilli(sent)
	if n.store.Clock().Sub(sentAt) > confirmTTL {
		return nil, parley.Errorf(parley.ECONFLICT, "This confirmation link has expired. Subscribe again to get a new one.")
	}
	if _, err := n.store.ConfirmSubscriptions(ctx, id, sentAt); err != nil {
		return nil, err
	}
	return n.store.Address(ctx, id)
}

// CheckLink reports, without reading the database, whether a confirmation
// ("confirm") or unsubscribe ("unsubscribe") token was made by Parley, so
// that a page can say at once when a link is broken.
func (n *Notifier) CheckLink(purpose, token string) error {
	count := map[string]int{"confirm": 2, "unsubscribe": 1}[purpose]
	if _, ok := n.check(purpose, token, count); count == 0 || !ok {
		return errBadLink
	}
	return nil
}

// ManageURL is the page where an address's owner manages every subscription,
// without an account.
func (n *Notifier) ManageURL(addressID int64) string {
	return n.cfg.BaseURL + "/subscriptions/" + n.ManageToken(addressID)
}

// ManageToken is the token of an address's subscriptions page.
func (n *Notifier) ManageToken(addressID int64) string { return n.token("manage", itoa(addressID)) }

// AddressOf returns the address a subscriptions page token stands for.
func (n *Notifier) AddressOf(ctx context.Context, token string) (*parley.Address, error) {
	f, ok := n.check("manage", token, 1)
	if !ok {
		return nil, errBadLink
	}
	id, _ := strconv.ParseInt(f[0], 10, 64)
	return n.store.Address(ctx, id)
}

// UnsubscribeURL is the one-click unsubscribe link of a subscription
// (List-Unsubscribe, RFC 8058).
func (n *Notifier) UnsubscribeURL(subscriptionID int64) string {
	return n.cfg.BaseURL + "/unsubscribe/" + n.token("unsubscribe", "s"+itoa(subscriptionID))
}

// digestUnsubscribeURL ends every subscription an address receives in the
// digest of one delivery.
func (n *Notifier) digestUnsubscribeURL(addressID int64, d parley.Delivery) string {
	return n.cfg.BaseURL + "/unsubscribe/" + n.token("unsubscribe", "d"+itoa(addressID)+"-"+string(d))
}

// Unsubscribed is what an unsubscribe link stopped.
type Unsubscribed struct {
	Subscriptions []*parley.Subscription
	AddressID     int64
}

// Unsubscribe ends what an unsubscribe token names. Using it again does no harm.
func (n *Notifier) Unsubscribe(ctx context.Context, token string) (*Unsubscribed, error) {
	f, ok := n.check("unsubscribe", token, 1)
	if !ok || len(f[0]) < 2 {
		return nil, errBadLink
	}
	out := &Unsubscribed{}
	switch f[0][0] {
	case 's':
		id, _ := strconv.ParseInt(f[0][1:], 10, 64)
		sub, err := n.store.Subscription(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := n.store.EndSubscription(ctx, sub.AddressID, sub.ID); err != nil {
			return nil, err
		}
		out.AddressID, out.Subscriptions = sub.AddressID, []*parley.Subscription{sub}
	case 'd':
		addr, delivery, _ := strings.Cut(f[0][1:], "-")
		id, _ := strconv.ParseInt(addr, 10, 64)
		subs, err := n.store.Subscriptions(ctx, id)
		if err != nil {
			return nil, err
		}
		out.AddressID = id
		for _, sub := range subs {
			if string(sub.Delivery) == delivery {
				if err := n.store.EndSubscription(ctx, id, sub.ID); err != nil {
					return nil, err
				}
				out.Subscriptions = append(out.Subscriptions, sub)
			}
		}
	default:
		return nil, errBadLink
	}
	return out, nil
}

// UnsubscribeAll stops every subscription of an address and all mail to it
// until it confirms again.
func (n *Notifier) UnsubscribeAll(ctx context.Context, a *parley.Address) error {
	return n.store.SuppressAddress(ctx, a.Email, "unsubscribed")
}

// Subscriptions lists the live subscriptions of an address.
func (n *Notifier) Subscriptions(ctx context.Context, a *parley.Address) ([]*parley.Subscription, error) {
	return n.store.Subscriptions(ctx, a.ID)
}
