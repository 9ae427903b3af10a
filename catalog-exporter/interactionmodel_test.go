package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"livingroom/catalog-exporter/source"
)

// TestInteractionModel fills the CATALOG_TITLE slot type of the shipped
// interaction model from the sample catalog and leaves the rest as it was.
func TestInteractionModel(t *testing.T) {
	shipped, err := os.ReadFile("../lambdas/custom-skill/interaction-model.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.json")
	if err := os.WriteFile(path, shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := source.SampleSource(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := writeInteractionModel(context.Background(), src, path)
	if err != nil || n == 0 {
		t.Fatalf("writeInteractionModel = %d, %v", n, err)
	}
	var m struct {
		InteractionModel struct {
			LanguageModel struct {
				InvocationName string `json:"invocationName"`
				Intents        []struct{ Name string }
				Types          []struct {
					Name   string      `json:"name"`
					Values []slotValue `json:"values"`
				} `json:"types"`
			} `json:"languageModel"`
		} `json:"interactionModel"`
	}
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	lm := m.InteractionModel.LanguageModel
	if lm.InvocationName != "living room" || len(lm.Intents) < 10 {
		t.Fatalf("model changed: %+v", lm)
	}
	for _, ty := range lm.Types {
		if ty.Name == titleSlotType {
			if len(ty.Values) != n || ty.Values[0].ID == "" || ty.Values[0].Name.Value == "" {
				t.Fatalf("values %+v", ty.Values)
			}
			return
		}
	}
	t.Fatal("no CATALOG_TITLE type")
}

func TestInteractionModelRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.json")
	for _, doc := range []string{`not json`, `{"interactionModel":{}}`, `{"interactionModel":{"languageModel":{"types":[]}}}`} {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		src, _ := source.SampleSource(context.Background())
		if _, err := writeInteractionModel(context.Background(), src, path); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}
