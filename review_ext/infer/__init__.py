"""A test set -> reviews: the settings of a run, its prompts, records out (rows come from
``review_ext.data.test_rows``).

``settings`` (what to load and how to prompt: flag > review_suite.json > row > default),
``prompting``, ``infer_io`` (result records), ``run_folder`` and ``provenance`` (a run's
output folder and what produced it), ``backends`` and ``remote`` (a local engine or an
OpenAI-compatible server).
"""
