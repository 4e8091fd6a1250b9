"""Exports: input/output rows -> a training framework's format, one module each.

``xtuner`` (XTuner conversations, or inference rows with ``--test``), ``llamafactory``
(alpaca JSON and its ``dataset_info.json`` entry) and ``swift`` (ms-swift ``messages``),
all with the same rows and system prompt.
"""
