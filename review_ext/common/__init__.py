"""Plumbing shared by several stages: atomic writes, staged folders, folder locks and input checks
(``files``), strict JSON and JSONL reading (``jsonl``), ``--help`` from docstrings (``cli``), the HTTP
JSON client, the append-only JSONL cache."""
