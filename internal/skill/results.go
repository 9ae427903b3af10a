package skill

import (
	"context"
	"strings"

	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/vsk"
)

// searchAndDisplay shows a results screen: the best matches for the
// genre, actor, director, title and media type asked for.
func (h *Handler) searchAndDisplay(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	req, err := parseSearch(d)
	if err != nil {
		return vsk.Message{}, err
	}
	dev, _, err := h.targetOn(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	var results []action.Result
	if req.channel != nil {
		ch, err := h.cfg.Content.Channel(ctx, *req.channel)
		if err != nil {
			return vsk.Message{}, err
		}
		results = append(results, action.Result{ID: ch.ID, Title: ch.Name, Kind: action.KindChannel})
	} else {
		q := req.search
		if q.Title == "" && req.franchise != "" {
			q.Title = req.franchise
		}
		ws, err := h.cfg.Content.Search(ctx, q, action.MaxResults)
		if err != nil {
			return vsk.Message{}, err
		}
		for _, w := range ws {
			kind := action.KindMovie
			if w.Kind == catalog.Series {
				kind = action.KindSeries
			}
			results = append(results, action.Result{ID: w.ID, Title: w.Title, Kind: kind})
		}
	}
	query := req.search.Title
	for _, v := range []string{req.search.Genre, req.search.Actor, req.search.Director, req.franchise} {
		if query == "" {
			query = v
		}
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.ShowResults, Query: clipText(query), Results: results}); err != nil {
		return vsk.Message{}, err
	}
	return h.respond(d, nil), nil
}

// clipText bounds free text put into an action.
func clipText(s string) string {
	if len(s) > action.MaxTextBytes {
		return strings.ToValidUTF8(s[:action.MaxTextBytes], "")
	}
	return s
}
