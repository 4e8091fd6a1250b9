"""Merged model -> reviews: settings, engines, batching, prompts, test rows in and review records out.

``settings`` (what to load and how to prompt), ``engine`` (the interface and the HF engine),
``loading``, ``batching`` (out-of-memory backoff), ``args`` (command-line options and the
engines by name), ``prompting``, ``infer_io`` (rows and records), ``run_folder`` and
``provenance`` (an inference run's output folder and what produced it), ``backends`` and
``remote`` (local engine or an OpenAI-compatible server).
"""
