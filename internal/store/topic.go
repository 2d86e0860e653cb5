package store

import (
	"context"

	"github.com/parley-org/parley"
)

// RelatedDebates returns up to limit public debates that share topics with
// d, those that share the most first, then the newest.
func (s *Store) RelatedDebates(ctx context.Context, d *parley.Debate, limit int) ([]*parley.Debate, error) {
	if len(d.Topics) == 0 || limit <= 0 {
		return nil, nil
	}
	args := make([]any, 0, len(d.Topics)+2)
	for _, t := range d.Topics {
		args = append(args, t)
	}
	args = append(args, d.ID, limit)
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+debateCols+` FROM debates d JOIN (
			SELECT debate_id, COUNT(*) AS shared FROM debate_topics WHERE topic IN (`+placeholders(len(d.Topics))+`) GROUP BY debate_id
		) t ON t.debate_id = d.id
		WHERE d.id <> ? AND d.status IN ('published', 'closed')
		ORDER BY t.shared DESC, COALESCE(d.published_at, d.created_at) DESC, d.id DESC LIMIT ?`), args...)
	list, err := scanRows(scanDebate)(rows, err)
	if err != nil {
		return nil, s.fail(err)
	}
	return list, s.loadTopics(ctx, s.read, list)
}
