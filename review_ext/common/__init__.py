"""Plumbing shared by several stages: the suite's exception (``errors``), dtype names
(``dtypes``), atomic writes, staged folders, folder locks and input and output checks
(``files``), strict JSON and JSONL reading (``jsonl``), command-line conventions (``cli``), the
HTTP JSON client, the append-only JSONL cache."""
