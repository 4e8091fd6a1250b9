"""A test set -> reviews: the run, its settings, its prompts, records out (rows come from
``review_ext.data.test_rows``).

``run`` (:func:`~review_ext.infer.run.run_inference`, the command), ``settings`` (what to load
and how to prompt: option > review_suite.json > row > default), ``prompting``, ``infer_io``
(result records), ``run_folder`` and ``provenance`` (a run's output folder and what produced
it), ``backends`` and ``remote`` (a local engine or an OpenAI-compatible server).
"""
