"""A test set -> reviews: the settings of a run, its prompts, rows in and records out.

``settings`` (what to load and how to prompt: flag > review_suite.json > row > default),
``prompting``, ``infer_io`` (rows and records), ``run_folder`` and ``provenance`` (a run's
output folder and what produced it), ``backends`` and ``remote`` (a local engine or an
OpenAI-compatible server).
"""
