"""Data conversion for the paper-reviewer fine-tune: each module is a converter and a CLI.

- ``from_peerread``, ``from_openreview``: paper folders -> input/output JSONL
- ``to_xtuner``, ``to_llamafactory``, ``to_swift``: input/output JSONL -> each framework
- ``split``: train/test by paper id; ``stats``: token lengths with the Mixtral tokenizer

Run ``python -m data_conversion.<name> --help`` for each one's usage.
"""
