package skill_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/idempotency/idempotencytest"
	"livingroom/internal/skill"
	"livingroom/internal/viewing/viewingtest"
)

// samplePayloads holds a payload that makes each directive act, so the
// isolation test proves something for every directive the skill answers.
// A directive added to the skill without a sample here fails the test.
var samplePayloads = map[string]any{
	"Alexa.RemoteVideoPlayer.SearchAndPlay":           searchTitle("The Handmaid's Tale"),
	"Alexa.PlaybackController.Play":                   map[string]any{},
	"Alexa.PlaybackController.Pause":                  map[string]any{},
	"Alexa.PlaybackController.Stop":                   map[string]any{},
	"Alexa.PlaybackController.Resume":                 map[string]any{},
	"Alexa.PlaybackController.StartOver":              map[string]any{},
	"Alexa.PlaybackController.Next":                   map[string]any{},
	"Alexa.PlaybackController.Previous":               map[string]any{},
	"Alexa.PlaybackController.FastForward":            map[string]any{},
	"Alexa.PlaybackController.Rewind":                 map[string]any{},
	"Alexa.SeekController.AdjustSeekPosition":         map[string]any{"deltaPositionMilliseconds": -45000},
	"Alexa.Launcher.LaunchTarget":                     map[string]any{"identifier": "amzn1.alexa-ask-target.shortcut.33122", "name": "Home"},
	"Alexa.KeypadController.SendKeystroke":            map[string]any{"keystroke": "DOWN"},
	"Alexa.PowerController.TurnOn":                    map[string]any{},
	"Alexa.PowerController.TurnOff":                   map[string]any{},
	"Alexa.ReportState":                               map[string]any{},
	"Alexa.RemoteVideoPlayer.SearchAndDisplayResults": map[string]any{"entities": []any{map[string]any{"type": "Genre", "value": "comedy"}}},
	"Alexa.ChannelController.ChangeChannel":           map[string]any{"channel": map[string]any{"number": "206"}},
	"Alexa.ChannelController.SkipChannels":            map[string]any{"channelCount": 1},
	"Alexa.RecordController.StartRecording":           map[string]any{},
	"Alexa.RecordController.StopRecording":            map[string]any{},
	"Alexa.VideoRecorder.SearchAndRecord":             map[string]any{"entities": []any{map[string]any{"type": "Video", "value": "Prey"}}},
	"Alexa.VideoRecorder.CancelRecording":             map[string]any{"entities": []any{map[string]any{"type": "Video", "value": "Prey"}}},
	"Alexa.VideoRecorder.DeleteRecording":             map[string]any{"entities": []any{map[string]any{"type": "Video", "value": "Prey"}}},
	"Alexa.Speaker.SetVolume":                         map[string]any{"volume": 50},
	"Alexa.Speaker.AdjustVolume":                      map[string]any{"volume": -20, "volumeDefault": false},
	"Alexa.Speaker.SetMute":                           map[string]any{"mute": true},
	"Alexa.StepSpeaker.AdjustVolume":                  map[string]any{"volumeSteps": -20},
	"Alexa.StepSpeaker.SetMute":                       map[string]any{"mute": true},
	"Alexa.InputController.SelectInput":               map[string]any{"input": "HDMI1"},
	"Alexa.Discovery.Discover":                        nil, // carries the scope in its payload: TestDiscoverListsOwnTVsOnly
	"Alexa.Authorization.AcceptGrant":                 nil, // carries the grantee in its payload: golden accept-grant-*
}

// mayNotAct lists directives that need not send the TV an action even for
// the account's own TV: they read or change account data (reports,
// recordings), or refuse a repeat (a recording that exists). For another
// account's TV every directive must answer with an error and send nothing.
var mayNotAct = map[string]bool{
	"Alexa.ReportState": true, "Alexa.Discovery.Discover": true,
	"Alexa.RecordController.StartRecording": true, "Alexa.RecordController.StopRecording": true,
	"Alexa.VideoRecorder.SearchAndRecord": true, "Alexa.VideoRecorder.CancelRecording": true, "Alexa.VideoRecorder.DeleteRecording": true,
}

// TestNoAccountReachesAnothersDevice: many accounts with two TVs each; every
// directive the skill answers, sent with one account's token (or one TV's
// cookie) at every other account's TV, acts on none of them. Sent at the
// account's own TV, it acts on exactly that TV.
func TestNoAccountReachesAnothersDevice(t *testing.T) {
	const accounts = 6
	ctx := context.Background()
	clock := func() time.Time { return now }
	accountSvc := account.NewService(accounttest.NewStore(), clock)
	store := devicetest.NewStore()
	states := devicetest.NewStateStore()
	type tv struct{ account, token, endpoint, registration string }
	var tvs []tv
	for i := range accounts {
		id, token := fmt.Sprintf("acc-%02d", i), fmt.Sprintf("token-%02d", i)
		if err := accountSvc.Create(ctx, account.Account{ID: id, Plan: account.PlanLiveTVDVR}, token, time.Hour); err != nil {
			t.Fatal(err)
		}
		// Every account also has an endpoint called "living-room": the same
		// endpoint id in two accounts must resolve to each account's own.
		for _, name := range []string{fmt.Sprintf("tv-%02d", i), "living-room"} {
			d := tv{id, token, name, fmt.Sprintf("reg-%02d-%s", i, name)}
			if err := store.PutDevice(ctx, device.Device{AccountID: id, EndpointID: d.endpoint, RegistrationID: d.registration}); err != nil {
				t.Fatal(err)
			}
			// Every TV plays S1E2, so Next and Previous have something to act on.
			playing := device.State{Power: device.PowerOn, Playback: device.PlaybackPlaying, ReceivedAt: now,
				Content: &device.StateContent{ID: "episode-handmaids-tale-1-2", SeriesID: "series-handmaids-tale", Season: 1, Episode: 2}}
			if _, err := states.PutState(ctx, id, d.endpoint, playing); err != nil {
				t.Fatal(err)
			}
			tvs = append(tvs, d)
		}
	}
	notifier := &devicetest.Notifier{}
	n := 0
	newID := func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
	h := skill.NewHandler(skill.Config{
		Accounts: accountSvc, Devices: device.NewService(store, notifier, clock, newID).WithStates(states),
		Content: catalog.NewResolver(handmaidsTale(t), "livingroom"), Replies: idempotencytest.NewStore(), Viewing: viewingtest.NewStore(),
		NewID: newID, Now: clock,
	})
	for _, name := range h.Directives() {
		payload, ok := samplePayloads[name]
		if !ok {
			t.Errorf("no sample payload for %s: add one to samplePayloads", name)
			continue
		}
		if payload == nil {
			continue
		}
		ns, dn := name[:strings.LastIndex(name, ".")], name[strings.LastIndex(name, ".")+1:]
		for _, caller := range tvs {
			for _, target := range tvs {
				same := caller.account == target.account
				msgID := fmt.Sprintf("%s-%s-%s-%s", dn, caller.registration, target.account, target.endpoint)
				// Bearer token of caller, endpoint id of target, cookie of target.
				ep := bearer(caller.token, target.endpoint)
				ep["cookie"] = map[string]string{"applicationInstanceId": target.registration}
				before := len(notifier.Sent())
				out, _ := h.Invoke(ctx, directive(ns, dn, msgID+"-token", "c", ep, payload))
				sent := notifier.Sent()[before:]
				for _, s := range sent {
					if !strings.HasPrefix(s.RegistrationID, "reg-"+caller.account[4:]+"-") {
						t.Fatalf("%s with %s's token reached %s: %s", name, caller.account, s.RegistrationID, out)
					}
				}
				// The caller has an endpoint of that id of its own ("living-room").
				ownsID := same || target.endpoint == "living-room"
				if !ownsID && !strings.Contains(string(out), `"ErrorResponse"`) {
					t.Fatalf("%s with %s's token answered about %s's TV: %s", name, caller.account, target.account, out)
				}
				if same && !mayNotAct[name] && len(sent) != 1 {
					t.Fatalf("%s with own token at own %s sent %d actions: %s", name, target.endpoint, len(sent), out)
				}
				// No token (Fire TV path): cookie of caller's TV, endpoint id of target.
				fire := map[string]any{"scope": map[string]any{"type": "DirectedUserId", "directedUserId": "amzn1.account.x"},
					"endpointId": target.endpoint, "cookie": map[string]string{"applicationInstanceId": caller.registration}}
				before = len(notifier.Sent())
				out, _ = h.Invoke(ctx, directive(ns, dn, msgID+"-cookie", "c", fire, payload))
				sent = notifier.Sent()[before:]
				for _, s := range sent {
					if s.RegistrationID != caller.registration {
						t.Fatalf("%s with %s's cookie reached %s: %s", name, caller.registration, s.RegistrationID, out)
					}
				}
				// The cookie acts on its own TV only, when the endpoint id is
				// that TV's (another account's TV may share the id).
				own := caller.endpoint == target.endpoint
				if !own && !strings.Contains(string(out), `"ErrorResponse"`) {
					t.Fatalf("%s by %s's cookie answered about %s: %s", name, caller.registration, target.endpoint, out)
				}
				if own && !mayNotAct[name] && len(sent) != 1 {
					t.Fatalf("%s by cookie at its own endpoint sent %d actions: %s", name, len(sent), out)
				}
				if !own && len(sent) != 0 {
					var reply any
					_ = json.Unmarshal(out, &reply)
					t.Fatalf("%s by %s's cookie at %s/%s acted: %v", name, caller.registration, target.account, target.endpoint, reply)
				}
			}
		}
	}
}

// TestDiscoverListsOwnTVsOnly: Discover lists the token's account's TVs, and
// an unknown token gets an error, not someone's TVs.
func TestDiscoverListsOwnTVsOnly(t *testing.T) {
	h, _ := newHandler(t)
	discover := func(token string) []byte {
		out, _ := h.Invoke(context.Background(), directive("Alexa.Discovery", "Discover", "d-"+token, "", nil,
			map[string]any{"scope": map[string]any{"type": "BearerToken", "token": token}}))
		return out
	}
	own := string(discover("token-without-plan"))
	if !strings.Contains(own, `"reg-free"`) || strings.Contains(own, "reg-living-room") || strings.Contains(own, "reg-offline") {
		t.Fatalf("acc-free discovers %s", own)
	}
	if out := string(discover("no-such-token")); !strings.Contains(out, "INVALID_AUTHORIZATION_CREDENTIAL") {
		t.Fatalf("unknown token discovers %s", out)
	}
}
