package web

import (
	"net/http"
	"time"

	"github.com/parley-org/parley"
)

// Readers report comments, with a reason: a report reaches the moderators'
// "reported" queue whatever the comment's status, and enough of them (the
// debate's threshold, 3 by default) hide an approved comment until a
// moderator decides. One report a reader (account, or network) counts.

type reportPage struct {
	pageMeta
	Comment  *parley.Comment
	Debate   *parley.Debate
	Reasons  []parley.ReportReason
	Reason   parley.ReportReason
	Detail   string
	Problems map[string]string
	Message  string
	Done     bool
}

// reportable returns the comment a reader may report: one they can see.
func (s *Server) reportable(r *http.Request) (*parley.Comment, *parley.Debate, error) {
	c, err := s.visibleComment(r, pathID(r, "id"))
	if err != nil {
		return nil, nil, err
	}
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err != nil {
		return nil, nil, err
	}
	if !d.Public() {
		return nil, nil, parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	return c, d, nil
}

func (s *Server) handleReportForm(w http.ResponseWriter, r *http.Request) {
	c, d, err := s.reportable(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "report", reportPage{pageMeta: s.meta(r, lang(r).T("Report a comment")), Comment: c, Debate: d, Reasons: parley.ReportReasons})
}

// report records a reader's report after checking it and the reader's limit.
func (s *Server) report(r *http.Request, rep *parley.Report) error {
	if ok, wait := s.reports.allow(s.clientNet(r), time.Now()); !ok {
		return rateLimited(wait, "reports")
	}
	if err := rep.Validate(); err != nil {
		return err
	}
	var userID int64
	if u := currentUser(r); u != nil {
		userID = u.ID
	}
	_, err := s.store.ReportComment(r.Context(), *rep, s.reporterKey(r), userID)
	return err
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	c, d, err := s.reportable(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.ParseForm()
	rep := &parley.Report{CommentID: c.ID, Reason: parley.ReportReason(r.PostForm.Get("reason")), Detail: r.PostForm.Get("detail")}
	p := reportPage{pageMeta: s.meta(r, lang(r).T("Report a comment")), Comment: c, Debate: d, Reasons: parley.ReportReasons,
		Reason: rep.Reason, Detail: rep.Detail}
	if err := s.report(r, rep); err != nil {
		code := status(err)
		if code >= 500 {
			s.fail(w, r, err)
			return
		}
		setRetryAfter(w, err)
		p.Problems = parley.ErrorFields(err)
		if len(p.Problems) == 0 {
			p.Message = parley.ErrorMessage(err)
		}
		s.render(w, r, code, "report", p)
		return
	}
	p.Done = true
	s.render(w, r, http.StatusOK, "report", p)
}

type apiReport struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

func (s *Server) apiReportComment(w http.ResponseWriter, r *http.Request) {
	c, _, err := s.reportable(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in apiReport
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.report(r, &parley.Report{CommentID: c.ID, Reason: parley.ReportReason(in.Reason), Detail: in.Detail}); err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, apiMessage{Message: lang(r).T("Thank you: the moderators will look at this comment.")})
}
