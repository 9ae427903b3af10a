package nlu

// Phrase documents one thing the grammar understands: what to say, an
// example, and the directive it becomes. GET /v1/phrases serves this list
// and a test parses every example, so the list cannot drift from the
// grammar.
type Phrase struct {
	Family    string `json:"family"`
	Say       string `json:"say"`
	Example   string `json:"example"`
	Directive string `json:"directive"`
}

// Phrases lists what the grammar understands. "Alexa," and "please" may be
// added to any of them.
func Phrases() []Phrase {
	return []Phrase{
		{FamilyWatch, "watch / play / put on / start / stream <title>", "watch The Handmaid's Tale", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch <title> season N episode M / sNeM / NxM", "watch the handmaid's tale s2e10", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch season N episode M of <title>", "play season two episode three of The Handmaid's Tale", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch episode N of <title> / the third episode of <title>", "watch episode 5 of The Handmaid's Tale", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch the next episode of <title>", "play the next episode of The Handmaid's Tale", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch the latest episode of <title>", "watch the latest episode of The Handmaid's Tale", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch the movie / the show <title>", "watch the movie Fargo", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyWatch, "watch <sport>", "watch football", "Alexa.RemoteVideoPlayer.SearchAndPlay"},
		{FamilyChannel, "watch / put on / go to / switch to <channel name or call sign>", "go to ESPN", "Alexa.ChannelController.ChangeChannel"},
		{FamilyChannel, "tune to / change to / channel <number, in digits or words>", "tune to channel seven", "Alexa.ChannelController.ChangeChannel"},
		{FamilyChannelNav, "channel up / next channel / go up N channels", "channel up", "Alexa.ChannelController.SkipChannels"},
		{FamilyChannelNav, "channel down / previous channel / go down N channels", "go down three channels", "Alexa.ChannelController.SkipChannels"},
		{FamilySearch, "find / search for / show me <genre>", "show me comedies", "Alexa.RemoteVideoPlayer.SearchAndDisplayResults"},
		{FamilySearch, "find <genre> movies / shows with <actor>", "find action movies with Keanu Reeves", "Alexa.RemoteVideoPlayer.SearchAndDisplayResults"},
		{FamilySearch, "find movies directed by <director>", "find movies directed by Greta Gerwig", "Alexa.RemoteVideoPlayer.SearchAndDisplayResults"},
		{FamilySearch, "search for <title>", "search for palm springs", "Alexa.RemoteVideoPlayer.SearchAndDisplayResults"},
		{FamilySearch, "<title>, said alone", "spiderman into the spider verse", "Alexa.RemoteVideoPlayer.SearchAndDisplayResults"},
		{FamilyTransport, "pause", "pause", "Alexa.PlaybackController.Pause"},
		{FamilyTransport, "play / resume / continue", "resume", "Alexa.PlaybackController.Play"},
		{FamilyTransport, "stop", "stop", "Alexa.PlaybackController.Stop"},
		{FamilyTransport, "start over / restart / play from the beginning", "start over", "Alexa.PlaybackController.StartOver"},
		{FamilyTransport, "next / next episode / skip", "next episode", "Alexa.PlaybackController.Next"},
		{FamilyTransport, "previous / previous episode", "previous episode", "Alexa.PlaybackController.Previous"},
		{FamilyTransport, "rewind / skip back", "rewind", "Alexa.PlaybackController.Rewind"},
		{FamilyTransport, "fast forward / skip ahead", "fast forward", "Alexa.PlaybackController.FastForward"},
		{FamilySeek, "fast forward / skip ahead / jump ahead <n> seconds / minutes / hours", "fast forward 30 seconds", "Alexa.SeekController.AdjustSeekPosition"},
		{FamilySeek, "rewind / go back / skip back <duration, words or digits>", "go back two minutes", "Alexa.SeekController.AdjustSeekPosition"},
		{FamilyLauncher, "go home", "go home", "Alexa.Launcher.LaunchTarget"},
		{FamilyLauncher, "open / go to / show me <settings, guide, recordings, watchlist, DVR, …>", "open settings", "Alexa.Launcher.LaunchTarget"},
		{FamilyNavigation, "scroll / move up / down / left / right", "scroll down", "Alexa.KeypadController.SendKeystroke"},
		{FamilyNavigation, "select / ok / click", "select", "Alexa.KeypadController.SendKeystroke"},
		{FamilyNavigation, "page up / page down", "page down", "Alexa.KeypadController.SendKeystroke"},
		{FamilyNavigation, "go back / back", "go back", "Alexa.KeypadController.SendKeystroke"},
		{FamilyNavigation, "more info / info", "more info", "Alexa.KeypadController.SendKeystroke"},
		{FamilyPower, "turn the TV on / power on", "turn on the TV", "Alexa.PowerController.TurnOn"},
		{FamilyPower, "turn the TV off / power off", "turn the TV off", "Alexa.PowerController.TurnOff"},
		{FamilySound, "volume up / turn it up / louder", "turn it up", "Alexa.Speaker.AdjustVolume"},
		{FamilySound, "volume down / turn it down / quieter", "volume down", "Alexa.Speaker.AdjustVolume"},
		{FamilySound, "turn the volume up / down by <n>", "turn the volume down by five", "Alexa.Speaker.AdjustVolume"},
		{FamilySound, "set the volume to <0..100>", "set the volume to 20", "Alexa.Speaker.SetVolume"},
		{FamilySound, "mute / unmute", "mute", "Alexa.Speaker.SetMute"},
		{FamilyInput, "switch to / select HDMI <n> / input TV", "switch to HDMI 2", "Alexa.InputController.SelectInput"},
		{FamilyRecord, "record this / start recording", "record this", "Alexa.RecordController.StartRecording"},
		{FamilyRecord, "stop recording", "stop recording", "Alexa.RecordController.StopRecording"},
		{FamilyRecord, "record <title> / record every episode of <title>", "record every episode of The Handmaid's Tale", "Alexa.VideoRecorder.SearchAndRecord"},
		{FamilyRecord, "cancel the recording of <title>", "cancel the recording of Fargo", "Alexa.VideoRecorder.CancelRecording"},
		{FamilyRecord, "delete the recording of <title>", "delete the recording of Fargo", "Alexa.VideoRecorder.DeleteRecording"},
	}
}
