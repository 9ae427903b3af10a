// Package action defines the versioned commands the backend sends to the TV
// app. An action travels as ADM `data`: a flat map of string keys to string
// values, at most 6 KB (adm.MaxDataBytes). The skill Lambda encodes actions
// and tvapp-sim decodes them, so both sides share this one definition.
//
// Every action carries v, id, ts and type. The data keys of each type:
//
//	PLAY_CONTENT  contentId, title, seriesId, seriesTitle, season, episode, durationMs, positionMs
//	PAUSE, RESUME, STOP, START_OVER  (none)
//	SEEK          deltaMs (signed, required)
//	TUNE_CHANNEL  channelNumber and/or callSign (one required), channelName, programId, programTitle
//	SHOW_RESULTS  query (optional), results (compact JSON [{"id","title","kind"}], at most 10)
//	LAUNCH        target (home, settings, search, guide, recordings)
//	KEYSTROKE     key (UP, DOWN, LEFT, RIGHT, SELECT, BACK, INFO, PAGE_UP, PAGE_DOWN, PAGE_LEFT, PAGE_RIGHT)
//	POWER         power (ON, OFF)
//	RECORD        contentId, title, channelNumber, callSign (title and one of contentId/callSign required)
//	VOLUME        volume (0..100, set) or volumeDelta (-100..100, adjust): exactly one
//	MUTE          muted (true, false)
//	INPUT         input (a name of the TV's inputs, e.g. "HDMI 1")
//
// Encode never writes more than 6 KB: free text (titles, names, the query)
// is cut to its bound, and SHOW_RESULTS shortens result titles, then drops
// the last results, until the data fits. Ids are never cut: an over-long id
// is left out, so the TV rejects the action rather than play something else.
// Validate reports such problems before sending.
package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"livingroom/internal/adm"
)

// Version is the protocol version written in every action. A decoder accepts
// this version only; a new incompatible layout gets a new number.
const Version = "1"

// Type names what the TV should do.
type Type string

// The action types. New types are added, never renamed.
const (
	PlayContent Type = "PLAY_CONTENT" // start a work (movie or episode) from PositionMs
	Pause       Type = "PAUSE"
	Resume      Type = "RESUME"
	Stop        Type = "STOP"
	StartOver   Type = "START_OVER"   // the current content from 0, playing
	Seek        Type = "SEEK"         // move the position by DeltaMs, clamped to the content
	TuneChannel Type = "TUNE_CHANNEL" // live TV on Channel
	ShowResults Type = "SHOW_RESULTS" // the results screen with Results, best first
	Launch      Type = "LAUNCH"       // go to the Target screen
	Keystroke   Type = "KEYSTROKE"    // a remote-control Key
	PowerSet    Type = "POWER"        // turn the TV on or off
	Record      Type = "RECORD"       // add Recording to the TV's recordings
	Volume      Type = "VOLUME"       // set the volume, or move it by VolumeDelta
	Mute        Type = "MUTE"         // mute or unmute
	Input       Type = "INPUT"        // switch to the named input
)

// Target is a screen LAUNCH can open.
type Target string

// Launch targets.
const (
	TargetHome       Target = "home"
	TargetSettings   Target = "settings"
	TargetSearch     Target = "search"
	TargetGuide      Target = "guide"
	TargetRecordings Target = "recordings"
)

// Key is a remote-control key.
type Key string

// Keys KEYSTROKE carries.
const (
	KeyUp        Key = "UP"
	KeyDown      Key = "DOWN"
	KeyLeft      Key = "LEFT"
	KeyRight     Key = "RIGHT"
	KeySelect    Key = "SELECT"
	KeyBack      Key = "BACK"
	KeyInfo      Key = "INFO"
	KeyPageUp    Key = "PAGE_UP"
	KeyPageDown  Key = "PAGE_DOWN"
	KeyPageLeft  Key = "PAGE_LEFT"
	KeyPageRight Key = "PAGE_RIGHT"
)

// Power is the power state POWER asks for.
type Power string

// Power states.
const (
	PowerOn  Power = "ON"
	PowerOff Power = "OFF"
)

// ResultKind says what a search result is.
type ResultKind string

// Result kinds.
const (
	KindMovie   ResultKind = "movie"
	KindSeries  ResultKind = "series"
	KindEpisode ResultKind = "episode"
	KindChannel ResultKind = "channel"
)

var (
	targets = set(TargetHome, TargetSettings, TargetSearch, TargetGuide, TargetRecordings)
	keys    = set(KeyUp, KeyDown, KeyLeft, KeyRight, KeySelect, KeyBack, KeyInfo,
		KeyPageUp, KeyPageDown, KeyPageLeft, KeyPageRight)
	powers = set(PowerOn, PowerOff)
	kinds  = set(KindMovie, KindSeries, KindEpisode, KindChannel)
)

// Bounds of the values an action carries.
const (
	MaxResults      = 10         // SHOW_RESULTS items
	MaxIDBytes      = 256        // any id: action, content, series, programme, result
	MaxTextBytes    = 512        // titles, channel names, the query
	MaxCallSignLen  = 64         // call signs
	MaxChannelLen   = 16         // channel numbers: digits, '.' and '-'
	MaxSeekDeltaMs  = 86_400_000 // |SEEK deltaMs|, a day, as Alexa's SeekController allows
	MaxMillis       = 1e11       // durationMs and positionMs: about three years, as the device API accepts
	MaxVolume       = 100        // VOLUME volume; |volumeDelta| too
	MaxInputBytes   = 64         // INPUT input
	minResultTitles = 16         // SHOW_RESULTS never shortens a title below this many bytes
)

// Keys of the ADM data map.
const (
	keyVersion      = "v"
	keyID           = "id"
	keyTimestamp    = "ts"
	keyType         = "type"
	keyContentID    = "contentId"
	keyTitle        = "title"
	keySeriesID     = "seriesId"
	keySeriesTitle  = "seriesTitle"
	keySeason       = "season"
	keyEpisode      = "episode"
	keyDurationMs   = "durationMs"
	keyPositionMs   = "positionMs"
	keyDeltaMs      = "deltaMs"
	keyChannelNum   = "channelNumber"
	keyCallSign     = "callSign"
	keyChannelName  = "channelName"
	keyProgramID    = "programId"
	keyProgramTitle = "programTitle"
	keyQuery        = "query"
	keyResults      = "results"
	keyTarget       = "target"
	keyKey          = "key"
	keyPower        = "power"
	keyVolume       = "volume"
	keyVolumeDelta  = "volumeDelta"
	keyMuted        = "muted"
	keyInput        = "input"
)

// ErrInvalid reports data that is not a well-formed action.
var ErrInvalid = errors.New("invalid action")

// Content identifies what to play.
type Content struct {
	ID          string // catalog id of the movie or episode
	Title       string
	SeriesID    string // empty for a movie
	SeriesTitle string
	Season      int // 0 when not an episode
	Episode     int
	DurationMs  int64
}

// Channel is a live channel to tune, with the programme on air.
type Channel struct {
	Number       string // e.g. "1234" or "7.1"; this or CallSign is required
	CallSign     string
	Name         string
	ProgramID    string // the programme on air, optional
	ProgramTitle string
}

// Result is one search result. Its JSON names are the wire format.
type Result struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	Kind  ResultKind `json:"kind"`
}

// Recording is what RECORD adds to the TV's recordings.
type Recording struct {
	ContentID     string // this or CallSign is required
	Title         string // required
	ChannelNumber string
	CallSign      string
}

// Action is one command for the TV. Only the fields of its Type are encoded.
type Action struct {
	ID         string    // unique per action; the app de-duplicates by it
	Time       time.Time // when the backend issued it; the app drops stale ones
	Type       Type
	Content    *Content   // PlayContent
	PositionMs int64      // PlayContent: where to start
	DeltaMs    int64      // Seek: signed move
	Channel    *Channel   // TuneChannel
	Query      string     // ShowResults: what was searched, for display; may be empty
	Results    []Result   // ShowResults, best first
	Target     Target     // Launch
	Key        Key        // Keystroke
	Power      Power      // PowerSet
	Recording  *Recording // Record
	// Volume: SetVolume sets the level to VolumeLevel (0..MaxVolume);
	// otherwise the level moves by VolumeDelta.
	SetVolume   bool
	VolumeLevel int
	VolumeDelta int
	Muted       bool   // Mute
	InputName   string // Input
}

// Encode turns the action into ADM data of at most adm.MaxDataBytes.
func (a Action) Encode() map[string]string {
	data := map[string]string{
		keyVersion:   Version,
		keyTimestamp: strconv.FormatInt(a.Time.UnixMilli(), 10),
		keyType:      string(a.Type),
	}
	putID(data, keyID, a.ID)
	switch a.Type {
	case PlayContent:
		if c := a.Content; c != nil {
			putID(data, keyContentID, c.ID)
			putText(data, keyTitle, c.Title, MaxTextBytes)
			putID(data, keySeriesID, c.SeriesID)
			putText(data, keySeriesTitle, c.SeriesTitle, MaxTextBytes)
			putPositive(data, keySeason, int64(c.Season))
			putPositive(data, keyEpisode, int64(c.Episode))
			putPositive(data, keyDurationMs, c.DurationMs)
		}
		data[keyPositionMs] = strconv.FormatInt(max(a.PositionMs, 0), 10)
	case Seek:
		data[keyDeltaMs] = strconv.FormatInt(a.DeltaMs, 10)
	case TuneChannel:
		if c := a.Channel; c != nil {
			putBounded(data, keyChannelNum, c.Number, MaxChannelLen)
			putBounded(data, keyCallSign, c.CallSign, MaxCallSignLen)
			putText(data, keyChannelName, c.Name, MaxTextBytes)
			putID(data, keyProgramID, c.ProgramID)
			putText(data, keyProgramTitle, c.ProgramTitle, MaxTextBytes)
		}
	case ShowResults:
		putText(data, keyQuery, a.Query, MaxTextBytes)
		data[keyResults] = ""
		data[keyResults] = encodeResults(a.Results, adm.MaxDataBytes-adm.DataSize(data))
	case Launch:
		data[keyTarget] = string(a.Target)
	case Keystroke:
		data[keyKey] = string(a.Key)
	case PowerSet:
		data[keyPower] = string(a.Power)
	case Volume:
		if a.SetVolume {
			data[keyVolume] = strconv.Itoa(a.VolumeLevel)
		} else {
			data[keyVolumeDelta] = strconv.Itoa(a.VolumeDelta)
		}
	case Mute:
		data[keyMuted] = strconv.FormatBool(a.Muted)
	case Input:
		putBounded(data, keyInput, a.InputName, MaxInputBytes)
	case Record:
		if r := a.Recording; r != nil {
			putID(data, keyContentID, r.ContentID)
			putText(data, keyTitle, r.Title, MaxTextBytes)
			putBounded(data, keyChannelNum, r.ChannelNumber, MaxChannelLen)
			putBounded(data, keyCallSign, r.CallSign, MaxCallSignLen)
		}
	}
	// Enum values are not cut above; anything longer than an enum is invalid
	// anyway, so bound them here to keep the 6 KB promise.
	for _, k := range []string{keyType, keyTarget, keyKey, keyPower, keyVolume, keyVolumeDelta, keyMuted} {
		if len(data[k]) > 32 {
			data[k] = ""
		}
	}
	return data
}

// Validate reports what would make the encoded action undecodable, except
// the id and time, which the sender stamps (device.Service.Send). Call it
// before sending.
func (a Action) Validate() error {
	a.ID = "validate"
	if a.Time.IsZero() {
		a.Time = time.UnixMilli(0)
	}
	if a.Type == ShowResults {
		// Encode trims results to fit; check the caller's own values here.
		if len(a.Results) > MaxResults {
			return fmt.Errorf("%w: %d results, at most %d", ErrInvalid, len(a.Results), MaxResults)
		}
		for i, r := range a.Results {
			if err := checkResult(r); err != nil {
				return fmt.Errorf("result %d: %w", i, err)
			}
		}
	}
	if err := checkIDs(a); err != nil {
		return err
	}
	_, err := Decode(a.Encode())
	return err
}

// checkIDs rejects ids Encode would leave out, naming them.
func checkIDs(a Action) error {
	ids := map[string]string{keyID: a.ID}
	if c := a.Content; c != nil && a.Type == PlayContent {
		ids[keyContentID], ids[keySeriesID] = c.ID, c.SeriesID
	}
	if c := a.Channel; c != nil && a.Type == TuneChannel {
		ids[keyProgramID] = c.ProgramID
	}
	if r := a.Recording; r != nil && a.Type == Record {
		ids[keyContentID] = r.ContentID
	}
	for k, v := range ids {
		if len(v) > MaxIDBytes {
			return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrInvalid, k, len(v), MaxIDBytes)
		}
	}
	return nil
}

// Decode parses ADM data into an action and checks that it is complete.
func Decode(data map[string]string) (Action, error) {
	if n := adm.DataSize(data); n > adm.MaxDataBytes {
		return Action{}, fmt.Errorf("%w: %d bytes of data, at most %d", ErrInvalid, n, adm.MaxDataBytes)
	}
	if v := data[keyVersion]; v != Version {
		return Action{}, fmt.Errorf("%w: version %q, want %q", ErrInvalid, clip(v), Version)
	}
	for k, v := range data {
		if !utf8.ValidString(v) {
			return Action{}, fmt.Errorf("%w: %s is not UTF-8", ErrInvalid, clip(k))
		}
	}
	d := decoder{data: data}
	a := Action{ID: d.id(keyID, true), Type: Type(data[keyType])}
	ms, err := strconv.ParseInt(data[keyTimestamp], 10, 64)
	if err != nil {
		d.fail("%s %q is not an integer", keyTimestamp, clip(data[keyTimestamp]))
	}
	a.Time = time.UnixMilli(ms).UTC()
	switch a.Type {
	case Pause, Resume, Stop, StartOver:
	case PlayContent:
		a.Content = &Content{
			ID:          d.id(keyContentID, true),
			Title:       d.text(keyTitle, MaxTextBytes),
			SeriesID:    d.id(keySeriesID, false),
			SeriesTitle: d.text(keySeriesTitle, MaxTextBytes),
			Season:      int(d.natural(keySeason, 1<<31-1)),
			Episode:     int(d.natural(keyEpisode, 1<<31-1)),
			DurationMs:  d.natural(keyDurationMs, MaxMillis),
		}
		a.PositionMs = d.natural(keyPositionMs, MaxMillis)
	case Seek:
		a.DeltaMs = d.delta(keyDeltaMs)
	case TuneChannel:
		a.Channel = &Channel{
			Number:       d.channelNumber(keyChannelNum),
			CallSign:     d.text(keyCallSign, MaxCallSignLen),
			Name:         d.text(keyChannelName, MaxTextBytes),
			ProgramID:    d.id(keyProgramID, false),
			ProgramTitle: d.text(keyProgramTitle, MaxTextBytes),
		}
		if a.Channel.Number == "" && a.Channel.CallSign == "" {
			d.fail("%s needs %s or %s", TuneChannel, keyChannelNum, keyCallSign)
		}
	case ShowResults:
		a.Query = d.text(keyQuery, MaxTextBytes) // may be empty: a search by media type only
		a.Results = d.results(keyResults)
	case Launch:
		a.Target = Target(d.enum(keyTarget, targets))
	case Keystroke:
		a.Key = Key(d.enum(keyKey, keys))
	case PowerSet:
		a.Power = Power(d.enum(keyPower, powers))
	case Volume:
		_, set := d.data[keyVolume]
		_, adjust := d.data[keyVolumeDelta]
		switch {
		case set == adjust:
			d.fail("%s needs exactly one of %s and %s", Volume, keyVolume, keyVolumeDelta)
		case set:
			a.SetVolume = true
			a.VolumeLevel = int(d.natural(keyVolume, MaxVolume))
			if d.data[keyVolume] == "" {
				d.fail("%s is empty", keyVolume)
			}
		default:
			a.VolumeDelta = int(d.signed(keyVolumeDelta, MaxVolume))
		}
	case Mute:
		switch d.data[keyMuted] {
		case "true":
			a.Muted = true
		case "false":
		default:
			d.fail("%s %q is not true or false", keyMuted, clip(d.data[keyMuted]))
		}
	case Input:
		a.InputName = d.text(keyInput, MaxInputBytes)
		if !ValidInputName(a.InputName) {
			d.fail("%s %q is not an input name", keyInput, clip(a.InputName))
		}
	case Record:
		a.Recording = &Recording{
			ContentID:     d.id(keyContentID, false),
			Title:         d.text(keyTitle, MaxTextBytes),
			ChannelNumber: d.channelNumber(keyChannelNum),
			CallSign:      d.text(keyCallSign, MaxCallSignLen),
		}
		if a.Recording.Title == "" {
			d.fail("%s without %s", Record, keyTitle)
		}
		if a.Recording.ContentID == "" && a.Recording.CallSign == "" {
			d.fail("%s needs %s or %s", Record, keyContentID, keyCallSign)
		}
	default:
		d.fail("unknown type %q", clip(string(a.Type)))
	}
	if d.err != nil {
		return Action{}, d.err
	}
	return a, nil
}

// decoder reads typed values from the data map and keeps the first error.
type decoder struct {
	data map[string]string
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
}

func (d *decoder) id(key string, required bool) string {
	v := d.data[key]
	switch {
	case v == "" && required:
		d.fail("missing %s", key)
	case len(v) > MaxIDBytes:
		d.fail("%s is %d bytes, at most %d", key, len(v), MaxIDBytes)
		return ""
	}
	return v
}

func (d *decoder) text(key string, limit int) string {
	v := d.data[key]
	if len(v) > limit {
		d.fail("%s is %d bytes, at most %d", key, len(v), limit)
		return ""
	}
	return v
}

// natural reads an optional non-negative integer up to limit.
func (d *decoder) natural(key string, limit int64) int64 {
	s, ok := d.data[key]
	if !ok || s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > limit {
		d.fail("%s %q is not an integer in [0, %d]", key, clip(s), limit)
		return 0
	}
	return n
}

// signed reads a required integer within ±limit.
func (d *decoder) signed(key string, limit int64) int64 {
	s := d.data[key]
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -limit || n > limit {
		d.fail("%s %q is not an integer in [-%d, %d]", key, clip(s), limit, limit)
		return 0
	}
	return n
}

// Inputs are the inputs of a Living Room TV, as Discovery advertises them
// and INPUT names them: the app itself and three HDMI ports.
var Inputs = []string{"TV", "HDMI 1", "HDMI 2", "HDMI 3"}

// DefaultVolume is a TV's volume until someone changes it.
const DefaultVolume = 30

// ValidInputName reports whether s can name an input: 1 to MaxInputBytes
// of letters, digits, spaces, '-', '_' and '.'.
func ValidInputName(s string) bool {
	if s == "" || len(s) > MaxInputBytes || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// delta reads a required signed integer within ±MaxSeekDeltaMs.
func (d *decoder) delta(key string) int64 {
	s := d.data[key]
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -MaxSeekDeltaMs || n > MaxSeekDeltaMs {
		d.fail("%s %q is not an integer in [-%d, %d]", key, clip(s), MaxSeekDeltaMs, MaxSeekDeltaMs)
		return 0
	}
	return n
}

// channelNumber reads an optional channel number: a digit, then digits,
// '.' or '-' (as in "7.1").
func (d *decoder) channelNumber(key string) string {
	s := d.data[key]
	if s != "" && !validChannelNumber(s) {
		d.fail("%s %q is not a channel number", key, clip(s))
		return ""
	}
	return s
}

func (d *decoder) enum(key string, allowed map[string]bool) string {
	s := d.data[key]
	if !allowed[s] {
		d.fail("%s %q is not one of the allowed values", key, clip(s))
		return ""
	}
	return s
}

func (d *decoder) results(key string) []Result {
	s, ok := d.data[key]
	if !ok {
		d.fail("missing %s", key)
		return nil
	}
	var rs []Result
	if err := json.Unmarshal([]byte(s), &rs); err != nil || rs == nil {
		d.fail("%s is not a JSON array of results", key)
		return nil
	}
	if len(rs) > MaxResults {
		d.fail("%d %s, at most %d", len(rs), key, MaxResults)
		return nil
	}
	for i, r := range rs {
		if err := checkResult(r); err != nil {
			d.fail("%s[%d]: %v", key, i, err)
			return nil
		}
	}
	return rs
}

func checkResult(r Result) error {
	switch {
	case r.ID == "" || len(r.ID) > MaxIDBytes:
		return fmt.Errorf("%w: result id must be 1-%d bytes", ErrInvalid, MaxIDBytes)
	case r.Title == "" || len(r.Title) > MaxTextBytes:
		return fmt.Errorf("%w: result title must be 1-%d bytes", ErrInvalid, MaxTextBytes)
	case !kinds[string(r.Kind)]:
		return fmt.Errorf("%w: result kind %q is not movie, series, episode or channel", ErrInvalid, clip(string(r.Kind)))
	}
	return nil
}

func validChannelNumber(s string) bool {
	if len(s) > MaxChannelLen || s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// encodeResults writes at most MaxResults valid results as compact JSON in
// at most budget bytes: it shortens titles first, then drops the last
// results. Invalid results (Validate reports them) are skipped.
func encodeResults(results []Result, budget int) string {
	rs := make([]Result, 0, min(len(results), MaxResults))
	for _, r := range results {
		if len(rs) == MaxResults {
			break
		}
		r.Title = cutText(r.Title, MaxTextBytes)
		if checkResult(r) == nil {
			rs = append(rs, r)
		}
	}
	titleLimit := MaxTextBytes
	for {
		b := marshalResults(rs, titleLimit)
		if len(b) <= budget || len(rs) == 0 {
			return string(b)
		}
		if titleLimit > minResultTitles {
			titleLimit = max(titleLimit/2, minResultTitles)
		} else {
			rs = rs[:len(rs)-1]
		}
	}
}

func marshalResults(rs []Result, titleLimit int) []byte {
	out := make([]Result, len(rs))
	for i, r := range rs {
		r.Title = cutText(r.Title, titleLimit)
		out[i] = r
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // titles keep & < > as they are: fewer bytes
	if err := enc.Encode(out); err != nil {
		return []byte("[]") // cannot happen: strings and a slice
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// cutText shortens s to at most limit bytes without splitting a character.
func cutText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	s = s[:limit]
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

func putID(data map[string]string, key, v string) {
	if v != "" && len(v) <= MaxIDBytes {
		data[key] = v
	}
}

func putText(data map[string]string, key, v string, limit int) {
	if v != "" {
		data[key] = cutText(v, limit)
	}
}

// putBounded writes a short code (channel number, call sign) only when it
// fits: a cut code would name something else.
func putBounded(data map[string]string, key, v string, limit int) {
	if v != "" && len(v) <= limit {
		data[key] = v
	}
}

func putPositive(data map[string]string, key string, n int64) {
	if n > 0 {
		data[key] = strconv.FormatInt(n, 10)
	}
}

// clip bounds a value quoted in an error: errors are logged, and logs never
// carry unbounded input.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return cutText(s, n) + "…"
}

func set[T ~string](vs ...T) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[string(v)] = true
	}
	return m
}

// MaxAge is how old an action may be and still be applied. The skill tells
// Alexa a command failed when device messaging does not take it within its
// budget, so a command must not fire later: device messaging keeps an
// action no longer than this (expiresAfter) and the TV drops older ones.
const MaxAge = 5 * time.Second
