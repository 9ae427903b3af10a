package export

import (
	"context"

	"golang.org/x/sync/errgroup"

	"livingroom/catalog-exporter/source"
)

// prefetchBatch is the number of records handed over at a time: large
// enough that the channel costs nothing per record, small enough to keep
// memory flat.
const prefetchBatch = 256

// walk is src.Walk with making the records (decoding JSON, generating)
// in a goroutine of its own, overlapped with visiting them. Records reach
// visit in the source's order.
func walk(ctx context.Context, src source.Source, visit func(source.Record) error) error {
	g, ctx := errgroup.WithContext(ctx)
	batches := make(chan []source.Record, 4)
	g.Go(func() error {
		defer close(batches)
		batch := make([]source.Record, 0, prefetchBatch)
		send := func() error {
			select {
			case batches <- batch:
				batch = make([]source.Record, 0, prefetchBatch)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := src.Walk(ctx, func(r source.Record) error {
			if batch = append(batch, r); len(batch) == prefetchBatch {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		return err
	})
	g.Go(func() error {
		for batch := range batches {
			for _, r := range batch {
				if err := visit(r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return g.Wait()
}
