// Package mail sends Parley's email: sign-up verification and password reset for accounts,
// notifications, and moderation notices.
//
// Why it looks the way it does:
//
//   - One option. The whole transport is one URL (PARLEY_SMTP_URL), such as
//     smtp://user:pass@smtp.example.org:587 or smtps://smtp.example.org:465, parsed by NewSMTP.
//     Without one, Open returns the development sender (Log), which logs a redacted line per message
//     and keeps the last MailboxSize messages in memory for an admin's dev mailbox page.
//   - Classified errors. The outbox needs to know whether to try again. IsPermanent reports true
//     only when trying again cannot help: the message is invalid, or the receiving server refused
//     the recipient or the message with a 5xx reply. Connection failures, timeouts, 4xx replies and
//     problems with our own configuration (TLS, AUTH, a refused sender) are temporary: keep the
//     message, retry with backoff, and alert.
//   - Idempotent retries. A Message's Key gives it a stable Message-ID, so a send retried after an
//     ambiguous failure carries the same ID and receivers can discard the duplicate.
//   - Privacy. Recipient addresses never appear in the Log sender's output, and Error redacts the
//     recipient from its text. The errors it wraps (reachable with errors.Unwrap) may still contain
//     the address: log those at debug level only.
package mail
