package nlu

import "livingroom/internal/vsk"

// Interface namespaces the grammar produces.
const (
	RemoteVideoPlayer  = "Alexa.RemoteVideoPlayer"
	PlaybackController = "Alexa.PlaybackController"
	SeekController     = "Alexa.SeekController"
	ChannelController  = "Alexa.ChannelController"
	Launcher           = "Alexa.Launcher"
	KeypadController   = "Alexa.KeypadController"
	PowerController    = "Alexa.PowerController"
	RecordController   = "Alexa.RecordController"
	VideoRecorder      = "Alexa.VideoRecorder"
	Speaker            = "Alexa.Speaker"
	InputController    = "Alexa.InputController"
)

// Payload shapes of the directives, field for field as the Video Skill API
// reference gives them. Entity payloads are vsk.EntityPayload.
type (
	emptyPayload struct{}

	seekPayload struct {
		DeltaPositionMilliseconds int64 `json:"deltaPositionMilliseconds"`
	}

	changeChannelPayload struct {
		Channel         channelRef       `json:"channel"`
		ChannelMetadata *channelMetadata `json:"channelMetadata,omitempty"`
	}
	channelRef struct {
		Number            string `json:"number,omitempty"`
		CallSign          string `json:"callSign,omitempty"`
		AffiliateCallSign string `json:"affiliateCallSign,omitempty"`
		URI               string `json:"uri,omitempty"`
	}
	channelMetadata struct {
		Name  string `json:"name"`
		Image string `json:"image,omitempty"`
	}

	skipChannelsPayload struct {
		ChannelCount int `json:"channelCount"`
	}

	launchTargetPayload struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
	}

	keystrokePayload struct {
		Keystroke string `json:"keystroke"`
	}

	// recorderPayload is the payload of VideoRecorder SearchAndRecord,
	// CancelRecording and DeleteRecording.
	recorderPayload struct {
		Entities   []vsk.Entity `json:"entities"`
		Quantifier *quantifier  `json:"quantifier,omitempty"`
	}
	quantifier struct {
		Name string `json:"name"`
	}

	setVolumePayload struct {
		Volume int `json:"volume"`
	}
	adjustVolumePayload struct {
		Volume        int  `json:"volume"`
		VolumeDefault bool `json:"volumeDefault"`
	}
	setMutePayload struct {
		Mute bool `json:"mute"`
	}
	selectInputPayload struct {
		Input string `json:"input"`
	}
)

// volumeStep is the amount Alexa sends with volumeDefault when no number
// was said; the TV applies its own default step.
const volumeStep = 10

func adjustVolume(n int, byDefault bool) Intent {
	return Intent{Namespace: Speaker, Name: "AdjustVolume", Payload: adjustVolumePayload{Volume: n, VolumeDefault: byDefault}}
}

func setMute(mute bool) Intent {
	return Intent{Namespace: Speaker, Name: "SetMute", Payload: setMutePayload{Mute: mute}}
}

func simple(namespace, name string) Intent {
	return Intent{Namespace: namespace, Name: name, Payload: emptyPayload{}}
}

func keystroke(key string) Intent {
	return Intent{Namespace: KeypadController, Name: "SendKeystroke", Payload: keystrokePayload{Keystroke: key}}
}

func skipChannels(n int) Intent {
	return Intent{Namespace: ChannelController, Name: "SkipChannels", Payload: skipChannelsPayload{ChannelCount: n}}
}

// shortcut is a Launcher target: Amazon's identifier and display name.
type shortcut struct{ id, name string }

// shortcuts are the launch targets people name, by what they say; ids from
// Amazon's launch target reference.
var shortcuts = map[string]shortcut{
	"home": {"amzn1.alexa-ask-target.shortcut.33122", "Home"}, "home screen": {"amzn1.alexa-ask-target.shortcut.33122", "Home"},
	"main menu":     {"amzn1.alexa-ask-target.shortcut.33122", "Home"},
	"settings":      {"amzn1.alexa-ask-target.shortcut.07395", "Settings"},
	"setting":       {"amzn1.alexa-ask-target.shortcut.07395", "Settings"},
	"guide":         {"amzn1.alexa-ask-target.shortcut.68228", "Guide"},
	"program guide": {"amzn1.alexa-ask-target.shortcut.68228", "Guide"}, "tv guide": {"amzn1.alexa-ask-target.shortcut.68228", "Guide"},
	"channel guide":        {"amzn1.alexa-ask-target.shortcut.68228", "Guide"},
	"recordings":           {"amzn1.alexa-ask-target.shortcut.52304", "Recordings"},
	"recorded shows":       {"amzn1.alexa-ask-target.shortcut.52304", "Recordings"},
	"scheduled recordings": {"amzn1.alexa-ask-target.shortcut.48625", "Scheduled Recordings"},
	"dvr":                  {"amzn1.alexa-ask-target.shortcut.69247", "DVR"},
	"watchlist":            {"amzn1.alexa-ask-target.shortcut.68844", "Watchlist"}, "watch list": {"amzn1.alexa-ask-target.shortcut.68844", "Watchlist"},
	"list":      {"amzn1.alexa-ask-target.shortcut.68844", "Watchlist"},
	"on demand": {"amzn1.alexa-ask-target.shortcut.95950", "On Demand"},
	"on now":    {"amzn1.alexa-ask-target.shortcut.84333", "On Now"},
	"inputs":    {"amzn1.alexa-ask-target.shortcut.83525", "Inputs"}, "input": {"amzn1.alexa-ask-target.shortcut.83525", "Inputs"},
	"display settings":       {"amzn1.alexa-ask-target.shortcut.12664", "Display Settings"},
	"network settings":       {"amzn1.alexa-ask-target.shortcut.58566", "Network Settings"},
	"internet settings":      {"amzn1.alexa-ask-target.shortcut.08874", "Internet Settings"},
	"wifi settings":          {"amzn1.alexa-ask-target.shortcut.58566", "Network Settings"},
	"parental controls":      {"amzn1.alexa-ask-target.shortcut.70110", "Parental Controls"},
	"accessibility settings": {"amzn1.alexa-ask-target.shortcut.87246", "Accessibility Settings"},
	"bluetooth":              {"amzn1.alexa-ask-target.shortcut.94081", "Bluetooth"}, "bluetooth settings": {"amzn1.alexa-ask-target.shortcut.94081", "Bluetooth"},
	"featured":      {"amzn1.alexa-ask-target.shortcut.83028", "Featured"},
	"kids":          {"amzn1.alexa-ask-target.shortcut.91866", "Kids"},
	"what to watch": {"amzn1.alexa-ask-target.shortcut.51649", "What to Watch"},
	"profile":       {"amzn1.alexa-ask-target.shortcut.14414", "My Profile"}, "my profile": {"amzn1.alexa-ask-target.shortcut.14414", "My Profile"},
	"power settings":   {"amzn1.alexa-ask-target.shortcut.07345", "Power Settings"},
	"history":          {"amzn1.alexa-ask-target.shortcut.34800", "History Manager"},
	"collection":       {"amzn1.alexa-ask-target.shortcut.50500", "Collection"},
	"picture settings": {"amzn1.alexa-ask-target.shortcut.49016", "TV Display Settings"},
}

// genres maps what people say to the Genre entity value.
var genres = map[string]string{
	"comedy": "comedy", "comedies": "comedy", "funny": "comedy",
	"drama": "drama", "dramas": "drama",
	"action": "action", "thriller": "thriller", "thrillers": "thriller",
	"horror": "horror", "scary": "horror",
	"documentary": "documentary", "documentaries": "documentary", "docs": "documentary",
	"romance": "romance", "romantic": "romance", "romances": "romance",
	"romantic comedy": "romantic comedy", "romantic comedies": "romantic comedy", "rom com": "romantic comedy",
	"rom coms": "romantic comedy", "romcom": "romantic comedy", "romcoms": "romantic comedy",
	"science fiction": "science fiction", "sci fi": "science fiction", "scifi": "science fiction",
	"animation": "animation", "animated": "animation", "cartoons": "animation", "cartoon": "animation",
	"kids": "kids", "childrens": "kids", "family": "family",
	"crime": "crime", "mystery": "mystery", "mysteries": "mystery", "fantasy": "fantasy",
	"western": "western", "westerns": "western", "musical": "musical", "musicals": "musical",
	"reality": "reality", "anime": "anime", "adventure": "adventure", "adventures": "adventure",
	"war": "war", "historical": "history", "history": "history", "news": "news",
	"stand up": "stand-up", "standup": "stand-up", "superhero": "superhero", "action and adventure": "action",
}

// sports maps what people say to the Sport entity value.
var sports = map[string]string{
	"football": "football", "soccer": "soccer", "basketball": "basketball", "baseball": "baseball",
	"hockey": "hockey", "tennis": "tennis", "golf": "golf", "cricket": "cricket", "rugby": "rugby",
	"boxing": "boxing", "formula 1": "formula 1", "formula one": "formula 1", "f1": "formula 1",
	"nascar": "nascar", "mma": "mixed martial arts", "wrestling": "wrestling", "college football": "college football",
}
