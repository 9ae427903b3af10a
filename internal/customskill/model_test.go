package customskill_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"livingroom/internal/customskill"
)

// TestInteractionModelNamesTheHandlersIntents keeps the shipped interaction
// model and the handler in step: every intent and slot the handler reads
// is declared there.
func TestInteractionModelNamesTheHandlersIntents(t *testing.T) {
	raw, err := os.ReadFile("../../lambdas/custom-skill/interaction-model.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		InteractionModel struct {
			LanguageModel struct {
				Intents []struct {
					Name  string
					Slots []struct{ Name, Type string }
				}
			} `json:"languageModel"`
		} `json:"interactionModel"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	slots := map[string][]string{}
	for _, in := range m.InteractionModel.LanguageModel.Intents {
		for _, s := range in.Slots {
			slots[in.Name] = append(slots[in.Name], s.Name)
		}
		if _, ok := slots[in.Name]; !ok {
			slots[in.Name] = nil
		}
	}
	for intent, want := range map[string][]string{
		customskill.IntentWhatsPlaying: {customskill.SlotTV}, customskill.IntentPlayTitle: {customskill.SlotTitle, customskill.SlotTV},
		customskill.IntentPause: {customskill.SlotTV}, customskill.IntentResume: {customskill.SlotTV}, customskill.IntentWhatsNew: nil,
		customskill.IntentContinue: {customskill.SlotTV}, customskill.IntentChooseTV: {customskill.SlotTV},
		"AMAZON.HelpIntent": nil, "AMAZON.StopIntent": nil, "AMAZON.CancelIntent": nil, "AMAZON.FallbackIntent": nil,
	} {
		got, ok := slots[intent]
		if !ok {
			t.Errorf("intent %s missing from the model", intent)
		}
		for _, s := range want {
			if !slices.Contains(got, s) {
				t.Errorf("intent %s lacks slot %s", intent, s)
			}
		}
	}
}
