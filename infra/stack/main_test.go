package main

import (
	"os"
	"testing"
)

func TestOfferPrompt(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	env := func(v string) func(string) string { return func(string) string { return v } }
	if offerPrompt(r, env("")) {
		t.Error("prompt offered on a pipe")
	}
	if tty, err := os.Open("/dev/tty"); err == nil {
		defer tty.Close()
		if !offerPrompt(tty, env("")) {
			t.Error("prompt not offered on a terminal")
		}
		if offerPrompt(tty, env("off")) {
			t.Error("prompt offered with STACK_PROMPT=off")
		}
	}
}
