package web

import (
	"net/http"

	"github.com/parley-org/parley"
)

// access says who may use a route.
type access int

const (
	anyone     access = iota // visitors and accounts alike
	signedIn                 // any account
	moderators               // moderators, editors and admins
	editors                  // editors and admins
	admins                   // admins only
)

// role is the least role an access level needs.
func (a access) role() parley.Role {
	switch a {
	case moderators:
		return parley.RoleModerator
	case editors:
		return parley.RoleEditor
	case admins:
		return parley.RoleAdmin
	}
	return parley.RoleParticipant
}

type route struct {
	pattern string
	access  access
	handler http.HandlerFunc
}

// routeTable lists every route, one a line, with who may use it. The
// authorization test walks this table.
func (s *Server) routeTable() []route {
	return []route{
		// Pages.
		{"GET /{$}", anyone, s.cached(s.handleHome)},
		{"GET /debates/{slug}", anyone, s.cached(s.handleDebate)},
		{"POST /debates/{slug}/comments", anyone, s.handlePostComment},
		{"GET /debates/{slug}/comments/{id}/reply", anyone, s.handleReplyForm},
		{"GET /comments/{id}", anyone, s.handleCommentPermalink},
		{"GET /experts/{slug}", anyone, s.cached(s.handleExpert)},
		{"GET /debates/{slug}/answers/{id}", anyone, s.cached(s.handleAnswerPage)},
		{"GET /topics/{slug}", anyone, s.cached(s.handleTopic)},
		{"GET /search", anyone, s.cached(s.handleSearch)},
		{"GET /privacy", anyone, s.handlePrivacy},
		{"POST /language", anyone, s.handleLanguage},
		{"GET /people/{id}", anyone, s.handleProfile},
		{"GET /comments/{id}/translation", anyone, s.handleCommentTranslation},
		{"POST /comments/{id}/translation", editors, s.handleHumanTranslation},
		{"GET /comments/{id}/report", anyone, s.handleReportForm},
		{"POST /comments/{id}/report", anyone, s.handleReport},
		{"GET /answer/{token}", anyone, s.handleAnswerForm},
		{"POST /answer/{token}", anyone, s.handleAnswer},
		{"POST /answer/{token}/renew", anyone, s.handleAskRenewal},
		{"GET /expert/questions", signedIn, s.handleExpertQuestions},
		{"GET /expert/questions/{rid}", signedIn, s.handleExpertQuestion},
		{"POST /expert/questions/{rid}", signedIn, s.handleExpertAnswer},
		{"POST /expert/questions/{rid}/renew", signedIn, s.handleExpertAskRenewal},
		{"GET /answers/{id}", anyone, s.handleAnswerPermalink},
		{"GET /appeals/{token}", anyone, s.handleAppealForm},
		{"POST /appeals/{token}", anyone, s.handleAppeal},

		// Subscriptions.
		{"GET /debates/{slug}/subscribe", anyone, s.handleSubscribeForm},
		{"POST /debates/{slug}/subscriptions", anyone, s.handleSubscribe},
		{"GET /subscriptions/confirm/{token}", anyone, s.handleConfirmForm},
		{"POST /subscriptions/confirm/{token}", anyone, s.handleConfirm},
		{"GET /subscriptions/{token}", anyone, s.handleManageSubscriptions},
		{"POST /subscriptions/{token}", anyone, s.handleChangeSubscriptions},
		{"GET /unsubscribe/{token}", anyone, s.handleUnsubscribeForm},
		{"POST /unsubscribe/{token}", anyone, s.handleUnsubscribe},

		{"GET /comments/{id}/edit", signedIn, s.handleEditCommentForm},
		{"POST /comments/{id}/edit", signedIn, s.handleEditComment},
		{"GET /comments/{id}/delete", signedIn, s.handleDeleteCommentForm},
		{"POST /comments/{id}/delete", signedIn, s.handleDeleteComment},

		// Accounts.
		{"GET /signup", anyone, s.handleSignUpForm},
		{"POST /signup", anyone, s.handleSignUp},
		{"GET /signin", anyone, s.handleSignInForm},
		{"POST /signin", anyone, s.handleSignIn},
		{"POST /links/{purpose}", anyone, s.handleRequestLink},
		{"GET /links/{purpose}/{token}", anyone, s.handleLink},
		{"POST /links/{purpose}/{token}", anyone, s.handleUseLink},
		{"GET /reset", anyone, s.handleResetForm},
		{"POST /signout", anyone, s.handleSignOut},
		{"POST /signout/everywhere", signedIn, s.handleSignOutEverywhere},
		{"GET /account", signedIn, s.handleAccount},
		{"POST /account/verify", signedIn, s.handleResendVerification},
		{"GET /admin/users", admins, s.handleUsers},
		{"POST /admin/users/{id}/role", admins, s.handleSetRole},
		{"GET /admin/mailbox", admins, s.handleMailbox},
		// A message's HTML part, under a policy of its own (see handleMailboxHTML).
		{"GET /admin/mailbox/{id}/html", admins, s.handleMailboxHTML},
		{"GET /admin/settings", admins, s.handleAdminSettings},
		{"POST /admin/settings", admins, s.handleAdminSaveSettings},
		{"GET /admin/mail", admins, s.handleAdminMail},

		// Moderation console.
		{"GET /moderation", moderators, s.handleModeration},
		{"POST /moderation/decisions", moderators, s.handleDecide},
		{"GET /moderation/comments/{id}", moderators, s.handleModerateComment},
		{"POST /moderation/comments/{id}/ban", moderators, s.handleBan},
		{"POST /moderation/comments/{id}/language", moderators, s.handleCommentLanguage},
		{"POST /moderation/appeals/{id}", moderators, s.handleDecideAppeal},
		{"GET /moderation/bans", moderators, s.handleBans},
		{"POST /moderation/bans/{id}/lift", moderators, s.handleLiftBan},
		{"GET /moderation/log", moderators, s.handleModerationLog},
		{"GET /moderation/debates/{id}/policy", moderators, s.handlePolicyForm},
		{"POST /moderation/debates/{id}/policy", moderators, s.handleSavePolicy},

		// Feeds.
		{"GET /feeds/debates.atom", anyone, s.cached(s.handleDebatesFeed)},
		{"GET /debates/{slug}/comments.atom", anyone, s.cached(s.handleCommentsFeed)},
		{"GET /topics/{slug}/feed.atom", anyone, s.cached(s.handleTopicFeed)},

		// JSON API.
		{"GET /api/v1/debates", anyone, s.cached(s.apiListDebates)},
		{"GET /api/v1/debates/{slug}", anyone, s.cached(s.apiGetDebate)},
		{"GET /api/v1/debates/{slug}/comments", anyone, s.cached(s.apiListComments)},
		{"POST /api/v1/debates/{slug}/comments", anyone, s.apiPostComment},
		{"POST /api/v1/debates/{slug}/subscriptions", anyone, s.apiSubscribe},
		{"GET /api/v1/comments/{id}", anyone, s.apiGetComment},
		{"POST /api/v1/comments/{id}/reports", anyone, s.apiReportComment},
		{"GET /api/v1/experts/{slug}", anyone, s.cached(s.apiGetExpert)},
		{"POST /api/v1/account", anyone, s.apiSignUp},
		{"POST /api/v1/sessions", anyone, s.apiSignIn},
		{"DELETE /api/v1/sessions/current", signedIn, s.apiSignOut},
		{"DELETE /api/v1/sessions", signedIn, s.apiSignOutEverywhere},
		{"POST /api/v1/links", anyone, s.apiRequestLink},
		{"POST /api/v1/links/use", anyone, s.apiUseLink},
		{"GET /api/v1/me", signedIn, s.apiMe},
		{"PATCH /api/v1/comments/{id}", signedIn, s.apiEditComment},
		{"DELETE /api/v1/comments/{id}", signedIn, s.apiDeleteComment},
		{"GET /api/v1/people/{id}", anyone, s.apiProfile},
		{"GET /api/v1/admin/users", admins, s.apiListUsers},
		{"PATCH /api/v1/admin/users/{id}", admins, s.apiSetRole},
		{"GET /api/v1/admin/settings", admins, s.apiAdminGetSettings},
		{"PATCH /api/v1/admin/settings", admins, s.apiAdminPatchSettings},
		{"GET /api/v1/openapi.json", anyone, s.handleOpenAPI},
		{"/api/", anyone, s.apiNotFound},

		// Editors' console. (Its bodies may be larger: see bodyLimitFor.)
		{"GET /admin", editors, s.handleAdmin},
		{"GET /admin/debates/new", editors, s.handleAdminNewDebate},
		{"POST /admin/debates", editors, s.handleAdminCreateDebate},
		{"GET /admin/debates/{id}", editors, s.handleAdminDebate},
		{"POST /admin/debates/{id}", editors, s.handleAdminSaveDebate},
		{"POST /admin/debates/{id}/questions", editors, s.handleAdminFeature},
		{"POST /admin/debates/{id}/questions/{qid}/move", editors, s.handleAdminMoveQuestion},
		{"POST /admin/debates/{id}/questions/{qid}/remove", editors, s.handleAdminRemoveQuestion},
		{"GET /admin/debates/{id}/board", editors, s.handleAdminBoard},
		{"GET /admin/debates/{id}/translations", editors, s.handleAdminTranslations},
		{"POST /admin/debates/{id}/translations", editors, s.handleAdminSaveTranslation},
		{"POST /admin/debates/{id}/translations/{lang}/delete", editors, s.handleAdminDeleteTranslation},
		{"POST /admin/debates/{id}/answers/{aid}/translations", editors, s.handleAdminSaveAnswerTranslation},
		{"POST /admin/debates/{id}/comments", editors, s.handleAdminEnterComment},
		{"POST /admin/debates/{id}/questions/{qid}/send", editors, s.handleAdminSendQuestion},
		{"POST /admin/requests/{rid}/revoke", editors, s.handleAdminRevokeRequest},
		{"GET /admin/answers/{aid}", editors, s.handleAdminAnswer},
		{"POST /admin/answers/{aid}", editors, s.handleAdminSaveAnswer},
		{"POST /admin/preview", editors, s.handleAdminPreview},
		{"GET /admin/images", editors, s.handleAdminImages},
		{"POST /admin/images", editors, s.handleAdminUpload},
		{"GET /admin/experts", editors, s.handleAdminExperts},
		{"GET /admin/experts/new", editors, s.handleAdminNewExpert},
		{"POST /admin/experts", editors, s.handleAdminCreateExpert},
		{"GET /admin/experts/{id}", editors, s.handleAdminExpert},
		{"POST /admin/experts/{id}", editors, s.handleAdminSaveExpert},
		{"GET /admin/partners", editors, s.handleAdminPartners},
		{"GET /admin/partners/new", editors, s.handleAdminNewPartner},
		{"POST /admin/partners", editors, s.handleAdminCreatePartner},
		{"GET /admin/partners/{id}", editors, s.handleAdminPartner},
		{"POST /admin/partners/{id}", editors, s.handleAdminSavePartner},
		{"POST /admin/partners/{id}/delete", editors, s.handleAdminDeletePartner},
		{"GET /admin/tokens", editors, s.handleAdminTokens},
		{"POST /admin/tokens", editors, s.handleAdminCreateToken},
		{"POST /admin/tokens/{id}/revoke", editors, s.handleAdminRevokeToken},
		{"GET /admin/design", editors, s.handleAdminDesign},
		{"GET /api/v1/admin/debates", editors, s.apiAdminListDebates},
		{"POST /api/v1/admin/debates", editors, s.apiAdminCreateDebate},
		{"GET /api/v1/admin/debates/{id}", editors, s.apiAdminGetDebate},
		{"PATCH /api/v1/admin/debates/{id}", editors, s.apiAdminPatchDebate},
		{"POST /api/v1/admin/debates/{id}/questions", editors, s.apiAdminFeature},
		{"DELETE /api/v1/admin/debates/{id}/questions/{qid}", editors, s.apiAdminUnfeature},
		{"POST /api/v1/admin/debates/{id}/questions/{qid}/move", editors, s.apiAdminMoveQuestion},
		{"GET /api/v1/admin/tokens", editors, s.apiAdminListTokens},
		{"POST /api/v1/admin/tokens", editors, s.apiAdminCreateToken},
		{"DELETE /api/v1/admin/tokens/{id}", editors, s.apiAdminRevokeToken},
		{"GET /api/v1/admin/images", editors, s.apiAdminListImages},
		{"POST /api/v1/admin/images", editors, s.apiAdminUploadImage},
		{"GET /api/v1/admin/experts", editors, s.apiAdminListExperts},
		{"POST /api/v1/admin/experts", editors, s.apiAdminCreateExpert},
		{"GET /api/v1/admin/experts/{id}", editors, s.apiAdminGetExpert},
		{"PATCH /api/v1/admin/experts/{id}", editors, s.apiAdminPatchExpert},
		{"GET /api/v1/admin/partners", editors, s.apiAdminListPartners},
		{"POST /api/v1/admin/partners", editors, s.apiAdminCreatePartner},
		{"PATCH /api/v1/admin/partners/{id}", editors, s.apiAdminPatchPartner},
		{"DELETE /api/v1/admin/partners/{id}", editors, s.apiAdminDeletePartner},

		// Assets and operations.
		{"GET /static/{file...}", anyone, s.handleStatic},
		{"GET /media/{name}", anyone, s.handleMedia},
		{"GET /avatars/{key}", anyone, s.handleAvatar},
		{"GET /healthz", anyone, s.handleHealth},
		// Monitoring scrapes MetricsHandler on an address of its own: no
		// address or header tells a local scraper from a local proxy.
		{"GET /metrics", admins, s.metricsHandler().ServeHTTP},
		{"/", anyone, s.handleNotFound},
	}
}

// routes builds the handler: every route behind its access check, inside
// the middleware every request passes.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// Authentication runs behind the mux, so that a request's pattern,
	// which the mux sets, is still there for the logs and metrics.
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, s.authenticate(withLanguage(s.guard(rt.access, rt.handler))))
	}

	// Outermost first: log and measure every request, recover from panics,
	// set security headers, refuse cross-origin state changes, refuse NUL in
	// addresses, bound bodies.
	var h http.Handler = mux
	h = limitBody(h, bodyLimit(s.cfg.MaxCommentLen))
	h = s.refuseNUL(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(h, s.cfg.BaseURL)
	h = s.recoverPanics(h)
	h = s.observe(h)
	return h
}
