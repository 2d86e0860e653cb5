package spam

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// The model file (model.bin, and MarshalBinary's output):
//
//	magic     "parley-spam-model\n"
//	scheme    uvarint: featureScheme of the code that trained it
//	bits      byte: the model has 1<<bits weights
//	pending   float64 threshold (little endian IEEE 754 bits)
//	spam      float64 threshold
//	bias      float64
//	count     uvarint: weights that are not zero
//	count × { gap uvarint (slot − previous slot, the first from 0); weight bfloat16 }
//
// Slots ascend and nothing depends on map order, so the same model always
// makes the same bytes. Weights are stored as bfloat16 (the top half of a
// float32: three significant digits, which moves no score by more than a
// rounding error) to halve the file; Train rounds them so already, so a
// trained model and its file score alike.

//go:embed model.bin
var embedded []byte

const modelMagic = "parley-spam-model\n"

// featureScheme numbers the way features are made (features.go). A model
// is only meaningful to code that makes features the same way, so a
// change there must bump it (and retrain: go generate ./internal/spam).
const featureScheme = 1

// Load returns a new copy of the model built into Parley. Each copy learns
// on its own.
func Load() (*Model, error) {
	m := new(Model)
	if err := m.UnmarshalBinary(embedded); err != nil {
		return nil, fmt.Errorf("spam: the built-in model: %w", err)
	}
	return m, nil
}

// MarshalBinary writes the model, including what it has learned, in the
// model file format (so with its weights rounded to bfloat16).
func (m *Model) MarshalBinary() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b := []byte(modelMagic)
	b = binary.AppendUvarint(b, featureScheme)
	b = append(b, m.bits)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.pending))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.spam))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.bias))
	count := 0
	for _, w := range m.weights {
		if w != 0 {
			count++
		}
	}
	b = binary.AppendUvarint(b, uint64(count))
	prev := 0
	for s, w := range m.weights {
		if w == 0 {
			continue
		}
		b = binary.AppendUvarint(b, uint64(s-prev))
		b = binary.LittleEndian.AppendUint16(b, toBF16(w))
		prev = s
	}
	return b, nil
}

// UnmarshalBinary reads a model file, replacing the model and forgetting
// what it had learned.
func (m *Model) UnmarshalBinary(b []byte) error {
	r := reader{b: b}
	if !r.magic(modelMagic) {
		return errors.New("not a spam model file")
	}
	if v := r.uvarint(); v != featureScheme {
		return fmt.Errorf("model file of feature scheme %d, this Parley makes scheme %d: retrain it (parley spam train)", v, featureScheme)
	}
	bits := r.byte()
	pending, spam, bias := r.float64(), r.float64(), r.float64()
	// Checked before allocating 1<<bits weights: a file cut short after
	// its bits must not get past here with, say, 40 of them.
	if r.err != nil {
		return fmt.Errorf("model file: %w", r.err)
	}
	if bits < 10 || bits > 26 {
		return fmt.Errorf("model file with %d hash bits", bits)
	}
	if !(0 <= pending && pending <= spam && spam <= 1) {
		return fmt.Errorf("model file with thresholds %v and %v", pending, spam)
	}
	if math.IsNaN(bias) || math.IsInf(bias, 0) {
		return fmt.Errorf("model file with bias %v", bias)
	}
	weights := make([]float32, 1<<bits)
	count := r.uvarint()
	s := uint64(0)
	for i := uint64(0); i < count && r.err == nil; i++ {
		s += r.uvarint()
		w := fromBF16(r.uint16())
		if s >= uint64(len(weights)) {
			return errors.New("model file: weight out of range")
		}
		// One NaN or infinite weight would make every score that uses it NaN.
		if math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
			return errors.New("model file: a weight is not a finite number")
		}
		weights[s] = w
	}
	if r.err != nil {
		return fmt.Errorf("model file: %w", r.err)
	}
	if len(r.b) != 0 {
		return errors.New("model file: trailing bytes")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bits, m.weights, m.bias, m.pending, m.spam = bits, weights, bias, pending, spam
	m.learned = lessons{}
	return nil
}

// lessons are what moderators' decisions taught a model since it was
// trained or loaded: for each weight Learn changed, the sum of its changes.
type lessons struct {
	decisions int
	deltas    map[uint32]float32 // by slot
	trained   map[uint32]float32 // the weights deltas changed, as trained
}

// change adds d to the weight in slot s, as a lesson. The weight is kept
// as its trained value plus the sum of its lessons, so that a model given
// the saved lessons (ApplyLearned) ends up with the same float32, whatever
// the order the lessons were added in.
func (m *Model) change(s uint32, d float32) {
	l := &m.learned
	if l.deltas == nil {
		l.deltas, l.trained = make(map[uint32]float32), make(map[uint32]float32)
	}
	if _, ok := l.deltas[s]; !ok {
		l.trained[s] = m.weights[s]
	}
	l.deltas[s] += d
	m.weights[s] = l.trained[s] + l.deltas[s]
}

// Decisions returns how many decisions the model has learned since it was
// trained or loaded, snapshots applied included.
func (m *Model) Decisions() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.learned.decisions
}

const learnedMagic = "parley-spam-learned\n"

// MarshalLearned returns what the model learned since it was loaded, to be
// given to ApplyLearned by a later process. The same lessons make the same
// bytes. Each decided comment adds a few kilobytes at first (6 bytes for
// each of its distinct words, pairs and n-grams not changed before), and
// the whole never exceeds 6 MB.
//
// A store can keep what moderators taught the model across restarts in
// either of two ways:
//
//   - Replay the decisions (preferred). Record each decision with the
//     comment's text (the comment may be deleted later) and whether it is
//     spam when the moderator makes it; on start, Load the model and call
//     Learn for each decision, in the order they were made. Learn is
//     deterministic, so this rebuilds the same model on every node, and a
//     newly shipped model.bin picks up every decision ever made. Nodes hear
//     of each other's decisions as they hear of other changes, and Learn
//     them too. Replaying costs about 20 µs a decision.
//
//   - Save a snapshot: keep MarshalLearned's bytes (a row or a file) and
//     give them to ApplyLearned on start. A snapshot taken on one node does
//     not contain the decisions other nodes learnt, and ApplyLearned adds,
//     so apply each snapshot once, to a freshly loaded model.
//
// The bytes are:
//
//	magic "parley-spam-learned\n", scheme uvarint, bits byte, decisions uvarint,
//	count uvarint, count × { gap uvarint, change float32 }
func (m *Model) MarshalLearned() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b := []byte(learnedMagic)
	b = binary.AppendUvarint(b, featureScheme)
	b = append(b, m.bits)
	b = binary.AppendUvarint(b, uint64(m.learned.decisions))
	slots := slices.Sorted(maps.Keys(m.learned.deltas))
	b = binary.AppendUvarint(b, uint64(len(slots)))
	prev := uint32(0)
	for _, s := range slots {
		b = binary.AppendUvarint(b, uint64(s-prev))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(m.learned.deltas[s]))
		prev = s
	}
	return b
}

// ApplyLearned adds lessons saved by MarshalLearned to the model. They
// must come from a model with the same feature scheme and size (any
// version of the built-in model qualifies); otherwise nothing changes.
func (m *Model) ApplyLearned(b []byte) error {
	r := reader{b: b}
	if !r.magic(learnedMagic) {
		return errors.New("spam: not saved lessons")
	}
	scheme, bits := r.uvarint(), r.byte()
	decisions := r.uvarint()
	count := r.uvarint()
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.err == nil && (scheme != featureScheme || bits != m.bits) {
		return fmt.Errorf("spam: lessons for feature scheme %d with %d bits; the model is scheme %d with %d bits", scheme, bits, featureScheme, m.bits)
	}
	type change struct {
		slot uint32
		d    float32
	}
	var changes []change
	s := uint64(0)
	for i := uint64(0); i < count && r.err == nil; i++ {
		s += r.uvarint()
		d := r.float32()
		if s >= uint64(len(m.weights)) {
			return errors.New("spam: saved lessons: change out of range")
		}
		if math.IsNaN(float64(d)) || math.IsInf(float64(d), 0) {
			return errors.New("spam: saved lessons: a change is not a finite number")
		}
		changes = append(changes, change{uint32(s), d})
	}
	// The count must not wrap around to a negative number of decisions.
	if r.err == nil && decisions > uint64(math.MaxInt32) {
		return fmt.Errorf("spam: saved lessons of %d decisions", decisions)
	}
	if r.err != nil {
		return fmt.Errorf("spam: saved lessons: %w", r.err)
	}
	if len(r.b) != 0 {
		return errors.New("spam: saved lessons: trailing bytes")
	}
	// Finite changes can still add up to an infinite weight: check the sums
	// first, so that bad lessons leave the model as it was.
	sums := make(map[uint32]float32, len(changes))
	for _, c := range changes {
		if _, ok := sums[c.slot]; !ok {
			sums[c.slot] = m.learned.deltas[c.slot]
		}
		sums[c.slot] += c.d
	}
	for slot, d := range sums {
		w, ok := m.learned.trained[slot]
		if !ok {
			w = m.weights[slot]
		}
		if math.IsInf(float64(d), 0) || math.IsNaN(float64(d)) || math.IsInf(float64(w+d), 0) {
			return errors.New("spam: saved lessons: a weight would not be a finite number")
		}
	}
	for _, c := range changes {
		m.change(c.slot, c.d)
	}
	m.learned.decisions += int(decisions)
	return nil
}

// reader decodes the binary formats above, remembering the first error.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (r *reader) magic(m string) bool {
	if len(r.b) < len(m) || string(r.b[:len(m)]) != m {
		return false
	}
	r.b = r.b[len(m):]
	return true
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) < 1 {
		r.err = cmpErr(r.err, errShort)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) float64() float64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = cmpErr(r.err, errShort)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) uint16() uint16 {
	if r.err != nil || len(r.b) < 2 {
		r.err = cmpErr(r.err, errShort)
		return 0
	}
	v := binary.LittleEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *reader) float32() float32 {
	if r.err != nil || len(r.b) < 4 {
		r.err = cmpErr(r.err, errShort)
		return 0
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.b))
	r.b = r.b[4:]
	return v
}

// cmpErr keeps the first error.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// toBF16 rounds w to the nearest bfloat16 (ties to even).
func toBF16(w float32) uint16 {
	b := math.Float32bits(w)
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

func fromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
