"""Reviews -> judgement: compliance checks, pairwise judging (``judging``) and win rate, records
keyed by paper."""
