package main

import (
	"cmp"
	"fmt"
	"net/url"

	"livingroom/internal/push"
	"time"

	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
)

// config is everything tvapp-sim reads from the environment.
type config struct {
	Addr          string        // TVAPP_ADDR: where the screen and state are served
	DevicePushURL string        // DEVICE_PUSH_URL
	AppKey        string        // DEVICE_PUSH_APP_KEY: the app's key at device-push
	DeviceAPIURL  string        // DEVICE_API_URL
	AlexaURL      string        // ALEXA_SIM_URL
	AccountToken  string        // TVAPP_ACCOUNT_TOKEN
	DeviceID      string        // TVAPP_DEVICE_ID
	EndpointID    string        // TVAPP_ENDPOINT_ID; derived from the device id by default
	FriendlyName  string        // TVAPP_FRIENDLY_NAME
	MaxActionAge  time.Duration // TVAPP_MAX_ACTION_AGE: older actions are dropped
}

// maxActionAgeLimit bounds TVAPP_MAX_ACTION_AGE: a longer age would let an
// action Alexa was told failed be applied long after.
const maxActionAgeLimit = 10 * time.Minute

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:          cmp.Or(getenv("TVAPP_ADDR"), "127.0.0.1:8400"),
		DevicePushURL: cmp.Or(getenv("DEVICE_PUSH_URL"), "http://127.0.0.1:8200"),
		AppKey:        cmp.Or(getenv("DEVICE_PUSH_APP_KEY"), push.DevelopmentAppKey),
		DeviceAPIURL:  cmp.Or(getenv("DEVICE_API_URL"), "http://127.0.0.1:3000"),
		AlexaURL:      cmp.Or(getenv("ALEXA_SIM_URL"), "http://127.0.0.1:8300"),
		AccountToken:  cmp.Or(getenv("TVAPP_ACCOUNT_TOKEN"), "dev-token"),
		DeviceID:      cmp.Or(getenv("TVAPP_DEVICE_ID"), "sim-0001"),
		FriendlyName:  cmp.Or(getenv("TVAPP_FRIENDLY_NAME"), "Living Room TV"),
	}
	c.EndpointID = cmp.Or(getenv("TVAPP_ENDPOINT_ID"), register.EndpointIDFor(c.DeviceID))
	c.MaxActionAge = player.DefaultMaxAge
	if v := getenv("TVAPP_MAX_ACTION_AGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxActionAgeLimit {
			return config{}, fmt.Errorf("TVAPP_MAX_ACTION_AGE %q: want a duration such as 5s, at most %v", v, maxActionAgeLimit)
		}
		c.MaxActionAge = d
	}
	if !register.ValidEndpointID(c.EndpointID) {
		return config{}, fmt.Errorf("TVAPP_ENDPOINT_ID %q: Alexa allows 1-256 characters of a-z A-Z 0-9 _ - = # ; : ? @ &", c.EndpointID)
	}
	if n := len(c.FriendlyName); n > 128 {
		return config{}, fmt.Errorf("TVAPP_FRIENDLY_NAME: %d characters, Alexa allows at most 128", n)
	}
	for name, v := range map[string]string{"DEVICE_API_URL": c.DeviceAPIURL, "ALEXA_SIM_URL": c.AlexaURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return config{}, fmt.Errorf("%s %q: want an http(s) URL", name, v)
		}
	}
	return c, nil
}
