"""Plumbing shared by several stages: HTTP JSON client, append-only JSONL cache."""
