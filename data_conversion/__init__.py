"""Data conversion for the paper-reviewer fine-tune, grouped by role.

- :mod:`~data_conversion.sources`: papers and reviews as published (PeerRead and
  OpenReview folders, PDFs) -> input/output JSONL rows
- :mod:`~data_conversion.reviews`: free review text -> the four review parts
- :mod:`~data_conversion.exports`: input/output rows -> each training framework's format
- :mod:`~data_conversion.corpus`: tools over a converted corpus (split, token lengths, quality)
- :mod:`~data_conversion.running`: what every command shares (arguments, reading rows,
  bad input, writing, the account a run ends with)

The commands stay at the top level, each a thin module over its library home::

    from_peerread, from_openreview, from_pdf    -> sources.peerread, .openreview, .pdf
    to_xtuner, to_llamafactory, to_swift        -> exports.xtuner, .llamafactory, .swift
    split, stats, quality                       -> corpus.split, .stats, .quality
    llm_labels                                  -> reviews.llm_labels

Run ``python -m data_conversion.<command> --help`` for each one's usage.
"""
