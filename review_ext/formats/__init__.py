"""Paper text -> the formats the model reads and writes: paper blocks and review parts."""
