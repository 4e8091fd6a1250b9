"""Reviews -> judgement: compliance checks, pairwise win rate, keyed records."""
