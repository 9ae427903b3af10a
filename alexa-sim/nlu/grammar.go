package nlu

import (
	"fmt"
	"strconv"
	"strings"

	"livingroom/alexa-sim/ingest"
	"livingroom/internal/vsk"
)

// Family names, as listed by Phrases.
const (
	FamilyWatch      = "watch"
	FamilyChannel    = "channel"
	FamilySearch     = "search"
	FamilyTransport  = "transport"
	FamilySeek       = "seek"
	FamilyChannelNav = "channel-up-down"
	FamilyLauncher   = "launcher"
	FamilyNavigation = "navigation"
	FamilyPower      = "power"
	FamilyRecord     = "record"
	FamilySound      = "sound"
	FamilyInput      = "input"
)

// fixedTable lists the whole-utterance commands. A phrase may appear only
// once across the table (New panics otherwise), so no two commands can
// claim the same words.
var fixedTable = []struct {
	family   string
	patterns []string
	intent   Intent
}{
	{FamilyTransport, []string{"pause", "pause (it|this|that|playback|everything)", "pause [the] (video|show|movie|episode|tv|game)",
		"hold on", "hold it", "wait"}, simple(PlaybackController, "Pause")},
	{FamilyTransport, []string{"play", "resume", "continue", "unpause", "un pause", "play it", "resume (it|playback|playing|watching|the_video|the_show|the_movie)",
		"keep (playing|watching|going)", "continue (playing|watching|the_video|the_show|the_movie)", "play again"}, simple(PlaybackController, "Play")},
	{FamilyTransport, []string{"stop", "stop (it|this|that|playback|playing|watching|everything)", "stop [the] (video|show|movie|episode)"},
		simple(PlaybackController, "Stop")},
	{FamilyTransport, []string{"start over", "start (it|this|the_show|the_movie|the_episode|the_video) over", "restart",
		"restart (it|this|the_show|the_movie|the_episode|the_video)", "(play|start|watch) [it|this] from the (beginning|start|top)",
		"go back to the (beginning|start)", "from the (beginning|top)", "start from scratch"}, simple(PlaybackController, "StartOver")},
	{FamilyTransport, []string{"next", "next episode", "next one", "skip", "skip (this|it|this_episode|the_episode|this_one)",
		"(play|watch|go_to|skip_to) [the] next episode", "(play|watch) next", "skip to [the] next (one|episode)"}, simple(PlaybackController, "Next")},
	{FamilyTransport, []string{"previous", "previous episode", "previous one", "(play|watch|go_to) [the] previous episode",
		"go back an episode", "go back one episode"}, simple(PlaybackController, "Previous")},
	{FamilyTransport, []string{"rewind", "rewind (it|this|a_bit|a_little)", "skip back", "skip backwards", "skip backward", "jump back",
		"go back a bit", "go back a little"}, simple(PlaybackController, "Rewind")},
	{FamilyTransport, []string{"fast forward", "fast forward (it|this|a_bit|a_little)", "skip ahead", "skip forward", "jump ahead",
		"jump forward", "forward", "go forward", "go forward a bit"}, simple(PlaybackController, "FastForward")},

	{FamilyChannelNav, []string{"channel up", "next channel", "(go|move) up a channel", "up a channel", "change [the] channel",
		"(go|skip) to the next channel", "go up one channel"}, skipChannels(1)},
	{FamilyChannelNav, []string{"channel down", "previous channel", "(go|move) down a channel", "down a channel",
		"(go|skip) to the previous channel", "go down one channel"}, skipChannels(-1)},

	{FamilyNavigation, []string{"(scroll|move|go|navigate|swipe) up", "up"}, keystroke("UP")},
	{FamilyNavigation, []string{"(scroll|move|go|navigate|swipe) down", "down"}, keystroke("DOWN")},
	{FamilyNavigation, []string{"(scroll|move|go|navigate|swipe) left", "left"}, keystroke("LEFT")},
	{FamilyNavigation, []string{"(scroll|move|go|navigate|swipe) right", "right"}, keystroke("RIGHT")},
	{FamilyNavigation, []string{"select", "select (this|it|that|this_one|that_one)", "click", "click (it|this|that)", "ok", "okay",
		"enter", "press (ok|okay|select|enter)", "choose (this|that|it|this_one|that_one)", "open (this|it|that)"}, keystroke("SELECT")},
	{FamilyNavigation, []string{"page up", "previous page", "scroll up a page"}, keystroke("PAGE_UP")},
	{FamilyNavigation, []string{"page down", "next page", "scroll down a page"}, keystroke("PAGE_DOWN")},
	{FamilyNavigation, []string{"page left"}, keystroke("PAGE_LEFT")},
	{FamilyNavigation, []string{"page right"}, keystroke("PAGE_RIGHT")},
	{FamilyNavigation, []string{"go back", "back", "go back a screen", "previous screen", "press back"}, keystroke("BACK")},
	{FamilyNavigation, []string{"info", "more info", "more information", "show [me] [more] (info|information|details)", "details"}, keystroke("INFO")},
	{FamilyNavigation, []string{"more", "show more", "more options", "show [me] more options"}, keystroke("MORE")},

	{FamilyLauncher, []string{"go home", "home", "take me home", "go to [the] home [screen]", "open [the] home screen", "home screen",
		"go to [the] main menu", "main menu", "exit", "exit (the_app|this_app|this)", "close (the_app|this_app|this)"},
		Intent{Namespace: Launcher, Name: "LaunchTarget", Payload: launchTargetPayload{Identifier: shortcuts["home"].id, Name: "Home"}}},

	{FamilyPower, []string{"turn off", "turn it off", "turn (off|of) [the] (tv|television|fire_tv|telly)", "turn [the] (tv|television|fire_tv|telly) off",
		"switch off [the] (tv|television)", "switch [the] (tv|television) off", "power off [the] (tv|television)", "power off",
		"shut (off|down) [the] (tv|television)", "(tv|television) off", "power down [the] (tv|television)"},
		simple(PowerController, "TurnOff")},
	{FamilyPower, []string{"turn on", "turn it on", "turn on [the] (tv|television|fire_tv|telly)", "turn [the] (tv|television|fire_tv|telly) on",
		"switch on [the] (tv|television)", "switch [the] (tv|television) on", "power on [the] (tv|television)", "power on",
		"(tv|television) on", "wake up [the] (tv|television)", "wake (it|the_tv) up"},
		simple(PowerController, "TurnOn")},

	{FamilySound, []string{"volume up", "turn it up", "turn [the] (volume|sound) up", "turn up [the] (volume|sound)", "louder", "make it louder",
		"raise [the] volume", "increase [the] volume"}, adjustVolume(volumeStep, true)},
	{FamilySound, []string{"volume down", "turn it down", "turn [the] (volume|sound) down", "turn down [the] (volume|sound)", "quieter", "make it quieter",
		"lower [the] volume", "decrease [the] volume"}, adjustVolume(-volumeStep, true)},
	{FamilySound, []string{"mute", "mute [the] (tv|television|sound|volume)", "mute it", "silence"}, setMute(true)},
	{FamilySound, []string{"unmute", "un mute", "unmute [the] (tv|television|sound|volume)", "unmute it", "sound on"}, setMute(false)},

	{FamilyRecord, []string{"record", "record (it|this|that|this_show|this_program|this_episode|this_movie|this_game|the_show|the_game|what_im_watching)",
		"start recording", "start recording (it|this|that|this_show|this_program)", "record what is on", "record whats on"},
		simple(RecordController, "StartRecording")},
	{FamilyRecord, []string{"stop recording", "stop recording (it|this|that|this_show|this_program)", "stop the recording",
		"stop this recording", "end [the] recording"}, simple(RecordController, "StopRecording")},
}

// ruleTable lists the slot commands, in priority order for openings of
// equal length.
var ruleTable = []struct {
	family   string
	openings []string
	parse    func(s *session, rest []token) (Intent, error)
}{
	{FamilySound, []string{"set [the] volume to", "volume to", "volume", "change [the] volume to", "turn [the] volume to", "put [the] volume (at|to|on)"}, setVolume},
	{FamilySound, []string{"turn [the] volume up by", "volume up by", "volume up", "turn it up by", "raise [the] volume by"}, volumeBy(1)},
	{FamilySound, []string{"turn [the] volume down by", "volume down by", "volume down", "turn it down by", "lower [the] volume by"}, volumeBy(-1)},
	{FamilyInput, []string{"(switch|change|go|turn) [over] to [the] [input]", "select [the] [input]", "input", "use [the] [input]", "switch [the] input to",
		"change [the] input to", "set [the] input to"}, selectInput},
	{FamilySeek, []string{"fast forward [by]", "skip (ahead|forward) [by]", "jump (ahead|forward) [by]", "go forward [by]", "forward [by]", "skip [by]",
		"move forward [by]"}, seek(1)},
	{FamilySeek, []string{"rewind [by]", "go back [by]", "skip (back|backward|backwards) [by]", "jump back [by]", "back [by]", "back up [by]",
		"move back [by]", "rewind back [by]"}, seek(-1)},
	{FamilyChannelNav, []string{"(go|move|skip) up", "channel up", "(skip|go|move) (ahead|forward)", "skip"}, channelSteps(1)},
	{FamilyChannelNav, []string{"(go|move|skip) down", "channel down", "(skip|go|move) (back|backward|backwards)"}, channelSteps(-1)},
	{FamilyChannel, []string{"tune (to|into|in_to)", "tune [the] (tv|television) to", "change (to|over_to) [channel]", "change [the] channel to",
		"switch [the] channel to", "go to channel", "channel", "turn to [channel]", "flip to [channel]", "switch to channel", "put on channel",
		"watch channel", "put it on channel", "change it to"}, changeChannel(true)},
	{FamilyChannel, []string{"go to", "switch (to|over_to)", "put on", "watch", "play", "turn on", "open", "start", "stream"}, changeChannel(false)},
	{FamilyLauncher, []string{"go to [my|the]", "open [my|the]", "launch [my|the]", "show [me] [my|the]", "take me to [my|the]",
		"switch to [my|the]", "bring up [my|the]", "pull up [my|the]", "display [my|the]", "go"}, launch},
	{FamilyRecord, []string{"record", "dvr", "tape", "set a recording for", "schedule a recording (of|for)", "add a recording (of|for)"}, record("SearchAndRecord")},
	{FamilyRecord, []string{"cancel [the|my] (recording|recordings) (of|for)", "cancel [the|my] (recording|recordings)", "(dont|do_not) record",
		"stop recording", "cancel recording", "unschedule [the] recording (of|for)"}, record("CancelRecording")},
	{FamilyRecord, []string{"delete [the|my] (recording|recordings) (of|for)", "delete [the|my] (recording|recordings)", "erase [the|my] recording (of|for)",
		"remove [the|my] recording (of|for)", "delete"}, record("DeleteRecording")},
	{FamilyWatch, []string{"watch", "play", "put on", "start", "stream", "start (watching|playing)", "(lets|let_us) watch",
		"i (want|wanna|would_like|d_like) to watch", "id like to watch", "i wanna watch", "can i watch", "(resume|continue|keep) watching", "resume", "continue",
		"play me", "show me the (movie|film|show|series)"}, watch},
	{FamilySearch, []string{"find [me]", "search [for]", "look (for|up)", "show me", "show", "browse", "i want to see", "what (movies|shows|films) are there (with|by|about)",
		"search the catalog for", "look for some"}, search},
}

// seek reads "<duration>" after a seek opening: AdjustSeekPosition by
// that much, forwards (+1) or backwards (-1).
func seek(sign int64) func(*session, []token) (Intent, error) {
	return func(s *session, rest []token) (Intent, error) {
		ms, ok := duration(rest)
		if !ok {
			return Intent{}, errDecline
		}
		return Intent{Namespace: SeekController, Name: "AdjustSeekPosition", Payload: seekPayload{DeltaPositionMilliseconds: sign * ms}}, nil
	}
}

// channelSteps reads "<n> channels" or "a channel": SkipChannels.
func channelSteps(sign int) func(*session, []token) (Intent, error) {
	return func(s *session, rest []token) (Intent, error) {
		if len(rest) == 0 || (rest[len(rest)-1].key != "channels" && rest[len(rest)-1].key != "channel") {
			return Intent{}, errDecline
		}
		amount := rest[:len(rest)-1]
		n := 1
		if !(len(amount) == 1 && (amount[0].key == "a" || amount[0].key == "one")) {
			v, used, ordinal, ok := number(amount)
			if !ok || ordinal || used != len(amount) || v == 0 || v > 999 {
				return Intent{}, errDecline
			}
			n = v
		}
		return skipChannels(sign * n), nil
	}
}

// changeChannel reads a channel by number, call sign or name. A strict
// opening ("tune to") makes it a channel or nothing; a loose one ("watch",
// "go to") only when the words name a channel in the lineup, so "watch
// Fargo" stays a title.
func changeChannel(strict bool) func(*session, []token) (Intent, error) {
	return func(s *session, rest []token) (Intent, error) {
		explicit := false
		if r, ok := cutPrefix(rest, channelWords); ok {
			rest, explicit = r, true
		}
		if r, ok := cutSuffix(rest, channelSuffix); ok && len(r) > 0 {
			rest = r
		}
		if len(rest) == 0 {
			if strict {
				return Intent{}, fmt.Errorf("%w: which channel? e.g. \"tune to channel 7\"", ErrNotUnderstood)
			}
			return Intent{}, errDecline
		}
		if c, ok := s.findChannel(rest); ok {
			s.note("channel %q → %s (number %q, call signs %v)", spoken(rest), c.ID, c.Number, c.CallSigns)
			p := changeChannelPayload{Channel: channelRef{Number: c.Number}, ChannelMetadata: &channelMetadata{Name: c.Name}}
			if len(c.CallSigns) > 0 {
				p.Channel.CallSign = c.CallSigns[0]
			}
			if p.Channel.Number == "" && p.Channel.CallSign == "" {
				p.Channel.CallSign = c.Name
			}
			return Intent{Namespace: ChannelController, Name: "ChangeChannel", Payload: p}, nil
		}
		// A number not in the lineup still goes to the TV, as Alexa sends
		// what was said; the skill decides.
		if n, used, ordinal, ok := number(rest); ok && !ordinal && used == len(rest) && (strict || explicit) {
			s.note("channel number %d is not in the lineup; sent as said", n)
			return Intent{Namespace: ChannelController, Name: "ChangeChannel",
				Payload: changeChannelPayload{Channel: channelRef{Number: fmt.Sprint(n)}}}, nil
		}
		if strict || explicit {
			return Intent{}, fmt.Errorf("%w: no channel %q in the lineup", ErrNotUnderstood, spoken(rest))
		}
		return Intent{}, errDecline
	}
}

// launch reads a shortcut name: LaunchTarget.
func launch(s *session, rest []token) (Intent, error) {
	rest, _ = cutSuffix(rest, launchSuffixes)
	if len(rest) == 0 {
		return Intent{}, errDecline
	}
	sc, ok := shortcuts[strings.Join(keys(rest), " ")]
	if !ok {
		return Intent{}, errDecline
	}
	return Intent{Namespace: Launcher, Name: "LaunchTarget", Payload: launchTargetPayload{Identifier: sc.id, Name: sc.name}}, nil
}

// record reads "<title>" with an optional quantifier: VideoRecorder.
func record(name string) func(*session, []token) (Intent, error) {
	return func(s *session, rest []token) (Intent, error) {
		rest, _ = cutSuffix(rest, recordingSuffixes)
		var q *quantifier
		for _, qs := range []struct {
			words [][]string
			name  string
		}{
			{quantAll, "ALL"},
			{quantNext, "NEXT"},
			{quantNew, "NEW"},
		} {
			if r, ok := cutPrefix(rest, qs.words); ok && len(r) > 0 {
				rest, q = r, &quantifier{Name: qs.name}
				break
			}
		}
		if r, ok := cutSuffix(rest, quantAllSuffixes); ok && len(r) > 0 {
			rest, q = r, &quantifier{Name: "ALL"}
		}
		if len(rest) == 0 || contentWords(rest) == 0 {
			if name == "SearchAndRecord" {
				return Intent{}, errDecline // "record this" is RecordController
			}
			return Intent{}, fmt.Errorf("%w: say what, e.g. \"cancel the recording of Fargo\"", ErrNotUnderstood)
		}
		if c, ok := s.findChannel(rest); ok && name == "SearchAndRecord" {
			// "record ESPN": what is on that channel now.
			return Intent{Namespace: VideoRecorder, Name: name, Payload: recorderPayload{Entities: []vsk.Entity{{Type: "Channel", Value: c.Name}}, Quantifier: q}}, nil
		}
		return Intent{Namespace: VideoRecorder, Name: name, Payload: recorderPayload{Entities: s.videoEntities(rest, ingest.TVShow), Quantifier: q}}, nil
	}
}

// watch reads "<title> [season N] [episode M]": SearchAndPlay.
func watch(s *session, rest []token) (Intent, error) {
	transcribed := rest
	phrase, _ := cutSuffix(rest, fillerSuffixes)
	if len(phrase) == 0 {
		return Intent{}, fmt.Errorf("%w: say what to play, e.g. \"watch The Handmaid's Tale\"", ErrNotUnderstood)
	}
	var kind ingest.Kind
	var extra []vsk.Entity
	if r, ok := cutPrefix(phrase, nextEpisode); ok {
		phrase, kind = r, ingest.TVShow
		s.note("next episode: the app resumes the show")
	} else if r, ok := cutPrefix(phrase, latestEpisode); ok {
		phrase, kind = r, ingest.TVShow
		extra = append(extra, vsk.Entity{Type: "Recency", Value: "NEW"})
	}
	if len(phrase) == 0 {
		return Intent{}, fmt.Errorf("%w: which show? e.g. \"watch the next episode of The Handmaid's Tale\"", ErrNotUnderstood)
	}
	// A title that is itself the whole phrase keeps its numbers ("Open
	// Season 2" stays a title when the catalog has it).
	if m, ok := s.findTitle(phrase); ok && m.whole && !m.corrected {
		return s.entityIntent(RemoteVideoPlayer, "SearchAndPlay", append(s.videoEntities(phrase, kind), extra...), transcribed), nil
	}
	if k, ok := sportOf(phrase); ok && kind == "" {
		return s.entityIntent(RemoteVideoPlayer, "SearchAndPlay", []vsk.Entity{{Type: "Sport", Value: k}}, transcribed), nil
	}
	titleWords, season, episode := seasonEpisode(phrase)
	titleWords, k := kindOf(titleWords)
	kind = cmpOr(kind, k)
	if season > 0 || episode > 0 {
		kind = ingest.TVShow
	}
	if len(titleWords) == 0 || contentWords(titleWords) == 0 {
		return Intent{}, fmt.Errorf("%w: which show? e.g. \"watch The Handmaid's Tale season 2\"", ErrNotUnderstood)
	}
	entities := s.videoEntities(titleWords, kind)
	if season > 0 {
		entities = append(entities, vsk.Entity{Type: "Season", Value: fmt.Sprint(season)})
	}
	if episode > 0 {
		entities = append(entities, vsk.Entity{Type: "Episode", Value: fmt.Sprint(episode)})
	}
	return s.entityIntent(RemoteVideoPlayer, "SearchAndPlay", append(entities, extra...), transcribed), nil
}

func cmpOr(a, b ingest.Kind) ingest.Kind {
	if a != "" {
		return a
	}
	return b
}

// sportOf reads "football", "the football game", "live soccer".
func sportOf(phrase []token) (string, bool) {
	phrase, _ = cutPrefix(phrase, sportPrefixes)
	phrase, _ = cutSuffix(phrase, sportSuffixes)
	if len(phrase) == 0 {
		return "", false
	}
	v, ok := sports[strings.Join(keys(phrase), " ")]
	return v, ok
}

// search reads genres, people, media types and titles:
// SearchAndDisplayResults.
func search(s *session, rest []token) (Intent, error) {
	transcribed := rest
	phrase := rest
	if len(phrase) == 0 {
		return Intent{}, fmt.Errorf("%w: say what to look for, e.g. \"show me comedies\"", ErrNotUnderstood)
	}
	// A title said whole is a title, even if it holds a genre word.
	if m, ok := s.findTitle(phrase); ok && m.whole && !m.corrected {
		return s.entityIntent(RemoteVideoPlayer, "SearchAndDisplayResults", s.videoEntities(phrase, ""), transcribed), nil
	}
	var genre, actor, director, kind, recency, popular string
	var other []token
	for i := 0; i < len(phrase); {
		w := phrase[i].key
		if g, n, ok := cutPhraseMap(phrase[i:], genres, 3); ok && genre == "" {
			genre = g
			i += n
			continue
		}
		switch w {
		case "movies", "movie", "films", "film":
			kind = string(ingest.Movie)
			i++
			continue
		case "shows", "show", "series", "tv", "episodes":
			kind = string(ingest.TVShow)
			i++
			continue
		case "new", "latest", "recent", "newest":
			recency = "NEW"
			i++
			continue
		case "old", "classic", "classics":
			recency = "OLD"
			i++
			continue
		case "popular", "trending", "top", "best":
			popular = "TRUE"
			i++
			continue
		case "some", "any", "all", "good", "great", "the", "a", "an", "me", "for", "about", "rated":
			if len(other) == 0 || i == len(phrase)-1 {
				i++
				continue
			}
		case "with", "starring", "featuring":
			name, n := personName(phrase[i+1:])
			if n > 0 && actor == "" {
				actor = name
				i += 1 + n
				continue
			}
		case "by", "directed":
			j := i + 1
			if w == "directed" {
				if j >= len(phrase) || phrase[j].key != "by" {
					break
				}
				j++
			}
			name, n := personName(phrase[j:])
			if n > 0 && director == "" {
				director = name
				i = j + n
				continue
			}
		}
		other = append(other, phrase[i])
		i++
	}
	other = trimConnectors(other)
	var entities []vsk.Entity
	if len(other) > 0 && contentWords(other) > 0 {
		if m, ok := s.findTitle(other); ok && (m.whole || genre == "" && actor == "") {
			entities = append(entities, s.videoEntities(other, ingest.Kind(kind))[0])
		} else if kind != "" && actor == "" {
			// "tom hanks movies": a name before the media type.
			actor = titleCase(other)
			s.note("%q read as an actor", spoken(other))
		} else {
			entities = append(entities, vsk.Entity{Type: "Video", Value: spoken(other)})
			s.note("title %q not in the catalog; passed as said", spoken(other))
		}
	}
	for _, e := range []vsk.Entity{{Type: "Genre", Value: genre}, {Type: "Actor", Value: actor}, {Type: "Director", Value: director},
		{Type: "MediaType", Value: kind}, {Type: "Recency", Value: recency}, {Type: "Popularity", Value: popular}} {
		if e.Value != "" {
			entities = append(entities, e)
		}
	}
	if len(entities) == 0 {
		return Intent{}, fmt.Errorf("%w: say what to look for, e.g. \"show me comedies\"", ErrNotUnderstood)
	}
	return s.entityIntent(RemoteVideoPlayer, "SearchAndDisplayResults", entities, transcribed), nil
}

// personName reads a name after "with" or "by": the words up to the next
// keyword, at most four.
func personName(toks []token) (string, int) {
	n := 0
	for n < len(toks) && n < 4 {
		switch toks[n].key {
		case "with", "by", "directed", "starring", "featuring", "movies", "movie", "films", "shows", "series", "and", "in", "from":
			goto done
		}
		if _, isGenre := genres[toks[n].key]; isGenre {
			goto done
		}
		n++
	}
done:
	if n == 0 {
		return "", 0
	}
	return titleCase(toks[:n]), n
}

// Phrase lists the slot rules use, split once.
var (
	channelWords      = splitAll("the channel", "channel", "channel number", "number")
	channelSuffix     = splitAll("channel")
	launchSuffixes    = splitAll("page", "screen", "menu", "app")
	recordingSuffixes = splitAll("recording", "recordings")
	quantAll          = splitAll("every episode of", "all episodes of", "all the episodes of", "every new episode of", "the whole series of", "the series", "all of")
	quantNext         = splitAll("the next episode of", "next episode of", "the next airing of")
	quantNew          = splitAll("new episodes of", "only new episodes of", "the new episodes of")
	quantAllSuffixes  = splitAll("every week", "every time its on", "all episodes", "every episode")
	nextEpisode       = splitAll("the next episode of", "next episode of", "the next episode", "where i left off in", "where i left off with")
	latestEpisode     = splitAll("the latest episode of", "the newest episode of", "the new episode of",
		"the most recent episode of", "latest episode of", "the last episode of", "new episodes of", "the latest", "the newest")
	sportPrefixes = splitAll("the", "some", "live")
	sportSuffixes = splitAll("game", "games", "match", "matches", "live")
)

// setVolume reads "<0..100>": Speaker.SetVolume.
func setVolume(s *session, rest []token) (Intent, error) {
	n, used, ordinal, ok := number(rest)
	if !ok || ordinal || used != len(rest) {
		return Intent{}, errDecline
	}
	if n > 100 {
		return Intent{}, fmt.Errorf("%w: the volume goes from 0 to 100", ErrNotUnderstood)
	}
	return Intent{Namespace: Speaker, Name: "SetVolume", Payload: setVolumePayload{Volume: n}}, nil
}

// volumeBy reads "<n>" after "volume up by": Speaker.AdjustVolume by n.
func volumeBy(sign int) func(*session, []token) (Intent, error) {
	return func(s *session, rest []token) (Intent, error) {
		n, used, ordinal, ok := number(rest)
		if !ok || ordinal || used != len(rest) || n == 0 || n > 100 {
			return Intent{}, errDecline
		}
		return adjustVolume(sign*n, false), nil
	}
}

// selectInput reads "hdmi <n>" (or "hdmi<n>") and "tv" / "live tv":
// InputController.SelectInput with the input as the TV names it.
func selectInput(s *session, rest []token) (Intent, error) {
	if len(rest) == 0 {
		return Intent{}, errDecline
	}
	if len(rest) == 1 && (rest[0].key == "tv" || rest[0].key == "television") {
		return Intent{Namespace: InputController, Name: "SelectInput", Payload: selectInputPayload{Input: "TV"}}, nil
	}
	first := rest[0].key
	var digits []token
	switch {
	case first == "hdmi":
		digits = rest[1:]
	case strings.HasPrefix(first, "hdmi") && len(rest) == 1:
		n, err := strconv.Atoi(strings.TrimPrefix(first, "hdmi"))
		if err != nil || n < 1 || n > 9 {
			return Intent{}, errDecline
		}
		return Intent{Namespace: InputController, Name: "SelectInput", Payload: selectInputPayload{Input: fmt.Sprintf("HDMI %d", n)}}, nil
	default:
		return Intent{}, errDecline
	}
	n, used, ordinal, ok := number(digits)
	if !ok || ordinal || used != len(digits) || n < 1 || n > 9 {
		return Intent{}, errDecline
	}
	return Intent{Namespace: InputController, Name: "SelectInput", Payload: selectInputPayload{Input: fmt.Sprintf("HDMI %d", n)}}, nil
}
