package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

// A thread page of a large debate is the API's biggest response (about
// 800 KB for 1,000 comments), so it is written by hand into a pooled buffer
// rather than by reflection. TestThreadJSONMatchesEncodingJSON holds it to
// exactly what encoding/json would write.

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // let rare giants go
		bufPool.Put(b)
	}
}

// threadJSON writes a page of threads straight from the comment tree,
// exactly as encoding/json would write the equivalent apiThreadPage of
// apiComments, with HTML escaping off.
type threadJSON struct {
	s       *Server
	slug    string
	answers map[int64][]*parley.Answer
}

func (j *threadJSON) appendPage(b []byte, nodes []*parley.ThreadNode, next *string, total int) []byte {
	b = append(b, `{"comments":`...)
	b = j.appendNodes(b, nodes)
	b = append(b, `,"next_cursor":`...)
	if next == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *next)
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	return append(b, "}\n"...)
}

func (j *threadJSON) appendNodes(b []byte, nodes []*parley.ThreadNode) []byte {
	b = append(b, '[')
	for i, n := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = j.appendComment(b, n)
	}
	return append(b, ']')
}

func (j *threadJSON) appendComment(b []byte, n *parley.ThreadNode) []byte {
	c := n.Comment
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"debate":`...)
	b = appendString(b, j.slug)
	b = append(b, `,"parent_id":`...)
	b = appendOptionalID(b, c.ParentID)
	b = append(b, `,"reply_to_id":`...)
	b = appendOptionalID(b, c.ReplyToID)
	b = append(b, `,"depth":`...)
	b = strconv.AppendInt(b, int64(c.Depth), 10)
	b = append(b, `,"author":{"name":`...)
	b = appendString(b, c.AuthorName)
	b = append(b, `,"avatar_url":"/avatars/`...)
	b = appendEscaped(b, c.AvatarKey)
	b = append(b, `.svg"`...)
	if c.UserID != 0 {
		b = append(b, `,"profile_url":"`...)
		b = appendEscaped(b, j.s.cfg.BaseURL)
		b = append(b, "/people/"...)
		b = strconv.AppendInt(b, c.UserID, 10)
		b = append(b, '"')
	}
	if c.ReplyToName != "" {
		b = append(b, `,"in_reply_to":`...)
		b = appendString(b, c.ReplyToName)
	}
	b = append(b, `},"body_html":`...)
	b = appendString(b, c.BodyHTML)
	b = append(b, `,"status":`...)
	b = appendString(b, string(c.Status))
	b = append(b, `,"language":`...)
	b = appendString(b, c.Language)
	if c.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, c.Source)
	}
	b = append(b, `,"created_at":"`...)
	b = c.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if !c.EditedAt.IsZero() {
		b = append(b, `,"edited_at":"`...)
		b = c.EditedAt.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if !c.DeletedAt.IsZero() {
		b = append(b, `,"deleted":true`...)
	}
	b = append(b, `,"url":`...)
	b = append(b, '"')
	b = appendEscaped(b, j.s.cfg.BaseURL)
	b = append(b, "/debates/"...)
	b = appendEscaped(b, j.slug)
	b = append(b, "#comment-"...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, '"')
	if answers := j.answers[c.ID]; len(answers) > 0 {
		// Rare and small: the standard encoder is fine here.
		list := make([]apiAnswer, len(answers))
		for i, a := range answers {
			list[i] = j.s.apiAnswerOf(j.slug, a)
		}
		raw, _ := marshalNoEscape(list)
		b = append(b, `,"answers":`...)
		b = append(b, raw...)
	}
	if len(n.Replies) > 0 {
		b = append(b, `,"replies":`...)
		b = j.appendNodes(b, n.Replies)
	}
	return append(b, '}')
}

func appendOptionalID(b []byte, id int64) []byte {
	if id == 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, id, 10)
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping off.
func appendString(b []byte, s string) []byte {
	return append(appendEscaped(append(b, '"'), s), '"')
}

// appendEscaped writes s escaped for the inside of a JSON string.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}
