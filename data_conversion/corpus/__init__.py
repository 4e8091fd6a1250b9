"""Corpus tools: commands over a converted corpus of input/output rows.

``split`` (train/test by paper id), ``stats`` (token lengths with the recipe's tokenizer)
and ``quality`` (what the model will learn, checked against the source reviews with
``quality_checks``).
"""
