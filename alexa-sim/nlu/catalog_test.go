package nlu

import "livingroom/alexa-sim/ingest"

func testWorks() []ingest.Work {
	return []ingest.Work{
		{ID: "series-handmaids-tale", Title: "The Handmaid's Tale", Kind: ingest.TVShow},
		{ID: "movie-palm-springs", Title: "Palm Springs", Kind: ingest.Movie},
		{ID: "movie-fargo", Title: "Fargo", Kind: ingest.Movie},
		{ID: "series-fargo", Title: "Fargo", Kind: ingest.TVShow},
		{ID: "series-money-heist", Title: "Money Heist", Kind: ingest.TVShow},
		{ID: "movie-open-season-2", Title: "Open Season 2", Kind: ingest.Movie},
		{ID: "movie-prey", Title: "Prey", Kind: ingest.Movie},
		{ID: "movie-prey-for-the-devil", Title: "Prey for the Devil", Kind: ingest.Movie},
		{ID: "movie-spider-verse", Title: "Spider-Man: Into the Spider-Verse", Kind: ingest.Movie},
		{ID: "series-law-and-order", Title: "Law & Order", Kind: ingest.TVShow},
		{ID: "movie-oceans-eleven", Title: "Ocean's Eleven", Kind: ingest.Movie},
		{ID: "movie-amelie", Title: "Amélie", Kind: ingest.Movie},
		{ID: "series-stranger-things", Title: "Stranger Things", Kind: ingest.TVShow},
		{ID: "series-breaking-bad", Title: "Breaking Bad", Kind: ingest.TVShow},
		{ID: "series-the-office", Title: "The Office", Kind: ingest.TVShow},
		{ID: "movie-crime-story", Title: "Crime Story", Kind: ingest.Movie},
	}
}

func testChannels() []ingest.Channel {
	return []ingest.Channel{
		{ID: "channel-wnbc", Name: "NBC", CallSigns: []string{"WNBC"}, Number: "4"},
		{ID: "channel-wabc", Name: "ABC", CallSigns: []string{"WABC"}, Number: "7"},
		{ID: "channel-cnn", Name: "CNN", CallSigns: []string{"CNN"}, Number: "202"},
		{ID: "channel-espn", Name: "ESPN", CallSigns: []string{"ESPN"}, Number: "206"},
		{ID: "channel-espn2", Name: "ESPN2", CallSigns: []string{"ESPN2"}, Number: "209"},
		{ID: "channel-food-network", Name: "Food Network", CallSigns: []string{"FOOD"}, Number: "231"},
	}
}

func testIndex() *Index { return NewIndex(testWorks(), testChannels()) }
