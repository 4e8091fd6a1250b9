"""Where the data comes from: fetchers and readers of paper and review sources."""
