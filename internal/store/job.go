package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/parley-org/parley"
)

// Job is a unit of background work: a mail to send, a reminder to make.
type Job struct {
	ID       int64
	Kind     string
	Key      string
	Payload  string
	RunAt    time.Time
	Attempts int
}

// Enqueue adds a job, or does nothing if a job of that kind and key exists,
// so that work caused by a write can be queued in the write's transaction
// (within Atomically) and queued again safely.
func (s *Store) Enqueue(ctx context.Context, j Job) error {
	if j.Kind == "" {
		return errors.New("enqueue: a job needs a kind")
	}
	now := s.now()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO jobs (kind, key, payload, run_at, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kind, key) DO NOTHING`), j.Kind, nullString(j.Key), j.Payload, millis(j.RunAt), millis(now))
		return err
	})
}

// Claim leases up to n due jobs of a kind to a worker until the lease ends.
// A job is leased to one worker at a time on every node; one whose worker
// died comes due again when its lease runs out.
func (s *Store) Claim(ctx context.Context, kind, worker string, n int, lease time.Duration) ([]Job, error) {
	now := s.now()
	var jobs []Job
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// On PostgreSQL, SKIP LOCKED lets claims by other nodes pass each
		// other instead of queueing; SQLite has one writer and needs none.
		rows, err := tx.QueryContext(ctx, s.q(`UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM jobs WHERE kind = ? AND done_at IS NULL AND failed_at IS NULL AND run_at <= ?
				AND (locked_until IS NULL OR locked_until < ?) ORDER BY run_at, id LIMIT ?`+s.dialect.skipLocked+`)
			RETURNING id, kind, COALESCE(key, ''), payload, run_at, attempts`),
			worker, millis(now.Add(lease)), kind, millis(now), millis(now), n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j Job
			var runAt int64
			if err := rows.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &runAt, &j.Attempts); err != nil {
				return err
			}
			j.RunAt = fromMillis(runAt)
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	return jobs, err
}

// errLeaseLost means the worker's lease ran out and the job went to another.
var errLeaseLost = parley.Errorf(parley.ECONFLICT, "The job's lease ran out; another worker has it.")

// finishJob ends a job its worker still holds.
func (s *Store) finishJob(ctx context.Context, id int64, worker, set string, args ...any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE jobs SET `+set+`, locked_by = NULL, locked_until = NULL
			WHERE id = ? AND locked_by = ? AND locked_until >= ?`), append(args, id, worker, millis(s.now()))...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errLeaseLost
		}
		return nil
	})
}

// Complete marks a job done and drops its payload (a sent mail may hold a
// sign-in link, which has no business staying in the database). It fails
// if the worker's lease ran out.
func (s *Store) Complete(ctx context.Context, id int64, worker string) error {
	return s.finishJob(ctx, id, worker, `done_at = ?, payload = ''`, millis(s.now()))
}

// Retry puts a job back to run again after a wait (by the store's clock),
// noting why it failed.
func (s *Store) Retry(ctx context.Context, id int64, worker string, cause error, after time.Duration) error {
	return s.finishJob(ctx, id, worker, `run_at = ?, last_error = ?`, millis(s.now().Add(after)), cause.Error())
}

// Fail gives up on a job for good, noting why. Its payload is replaced by
// keep: what admins need to know of it, without secrets such as links.
func (s *Store) Fail(ctx context.Context, id int64, worker string, cause error, keep string) error {
	return s.finishJob(ctx, id, worker, `failed_at = ?, last_error = ?, payload = ?`, millis(s.now()), cause.Error(), keep)
}

// FailedJob is a job that failed for good.
type FailedJob struct {
	ID        int64
	Kind      string
	Key       string
	Attempts  int
	LastError string
	FailedAt  time.Time
	// To is the recipient of a failed mail, for admins.
	To string
}

// FailedJobs lists the jobs that failed for good, newest first.
func (s *Store) FailedJobs(ctx context.Context, limit int) ([]FailedJob, error) {
	rows, err := s.query(ctx, `SELECT id, kind, COALESCE(key, ''), attempts, last_error, failed_at, payload FROM jobs
		WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []FailedJob
	for rows.Next() {
		var j FailedJob
		var failed int64
		var payload string
		if err := rows.Scan(&j.ID, &j.Kind, &j.Key, &j.Attempts, &j.LastError, &failed, &payload); err != nil {
			return nil, s.fail(err)
		}
		j.FailedAt = fromMillis(failed)
		var m struct{ To string }
		json.Unmarshal([]byte(payload), &m)
		j.To = m.To
		list = append(list, j)
	}
	return list, s.fail(rows.Err())
}

// DueJobs counts the jobs that are due and not finished, leased ones
// included: zero means the queue has caught up.
func (s *Store) DueJobs(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= ?`, millis(s.now())).Scan(&n)
	return n, s.fail(err)
}
