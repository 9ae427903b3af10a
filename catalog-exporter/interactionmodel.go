package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
)

// titleSlotType is the slot type of the custom skill's interaction model
// (lambdas/custom-skill/interaction-model.json) that --interaction-model
// fills with the catalog's movie and series titles.
const titleSlotType = "CATALOG_TITLE"

// maxTitleValues bounds the values written: the most popular titles first.
// Alexa takes many more, but past a few thousand they add build time and
// little recognition.
const maxTitleValues = 10_000

type slotValue struct {
	ID   string `json:"id"`
	Name struct {
		Value string `json:"value"`
	} `json:"name"`
}

// writeInteractionModel replaces the CATALOG_TITLE values of the
// interaction model at path with the source's movies and series (id = the
// catalog id, which the skill resolves as the partner's id), keeping the
// rest of the file as it is. It returns how many values it wrote.
func writeInteractionModel(ctx context.Context, src source.Source, path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("interaction model: %w", err)
	}
	var model struct {
		InteractionModel struct {
			LanguageModel map[string]json.RawMessage `json:"languageModel"`
		} `json:"interactionModel"`
	}
	if err := json.Unmarshal(raw, &model); err != nil || model.InteractionModel.LanguageModel == nil {
		return 0, fmt.Errorf("interaction model %s: not an interactionModel.languageModel document", path)
	}
	var types []map[string]json.RawMessage
	if t := model.InteractionModel.LanguageModel["types"]; t != nil {
		if err := json.Unmarshal(t, &types); err != nil {
			return 0, fmt.Errorf("interaction model %s: types: %w", path, err)
		}
	}
	var works []catalog.Work
	err = src.Walk(ctx, func(r source.Record) error {
		if r.Work != nil && (r.Work.Kind == catalog.Movie || r.Work.Kind == catalog.Series) && r.Work.ID != "" && len(r.Work.ID) <= 256 {
			works = append(works, *r.Work)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("interaction model: read source: %w", err)
	}
	slices.SortFunc(works, func(a, b catalog.Work) int {
		ra, rb := a.Rank, b.Rank
		if ra == 0 {
			ra = int(^uint(0) >> 1)
		}
		if rb == 0 {
			rb = int(^uint(0) >> 1)
		}
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a.ID, b.ID))
	})
	values := []slotValue{}
	seen := map[string]bool{}
	for _, w := range works {
		norm := catalog.NormalizeTitle(w.Title)
		if norm == "" || seen[norm] {
			continue // one value per spoken title: the more popular work
		}
		seen[norm] = true
		v := slotValue{ID: w.ID}
		v.Name.Value = w.Title
		values = append(values, v)
		if len(values) == maxTitleValues {
			break
		}
	}
	encoded, err := json.Marshal(values)
	if err != nil {
		return 0, err
	}
	found := false
	for _, t := range types {
		var name string
		if json.Unmarshal(t["name"], &name) == nil && name == titleSlotType {
			t["values"], found = encoded, true
		}
	}
	if !found {
		return 0, errors.New("interaction model: no slot type " + titleSlotType + " to fill")
	}
	if model.InteractionModel.LanguageModel["types"], err = json.Marshal(types); err != nil {
		return 0, err
	}
	var whole map[string]json.RawMessage
	if err := json.Unmarshal(raw, &whole); err != nil {
		return 0, err
	}
	if whole["interactionModel"], err = json.Marshal(model.InteractionModel); err != nil {
		return 0, err
	}
	var out bytes.Buffer
	enc, _ := json.Marshal(whole)
	if err := json.Indent(&out, enc, "", "  "); err != nil {
		return 0, err
	}
	out.WriteByte('\n')
	tmp, err := os.CreateTemp(filepath.Dir(path), ".interaction-model-*")
	if err != nil {
		return 0, fmt.Errorf("interaction model: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("interaction model: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("interaction model: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("interaction model: %w", err)
	}
	return len(values), nil
}
