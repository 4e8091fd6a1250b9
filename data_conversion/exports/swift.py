"""Input/output JSONL -> ms-swift ``messages`` JSONL (system, user = paper, assistant = review).

The same rows and system prompt as ``to_xtuner``, so ms-swift trains on identical data.

Usage::

    python -m data_conversion.to_swift data/train.jsonl data/swift_train.jsonl --system v2
    python -m data_conversion.to_swift rows.jsonl swift.jsonl --system-file prompt.txt --skip-bad
"""
from __future__ import annotations

from pathlib import Path

from data_conversion.running.cli import add_run_args, add_system_args, run_converter, system_text
from data_conversion.running.pairs import convert_pairs
from data_conversion.running.rows import Account, JsonlWriter
from review_ext.common.cli import doc_parser


def to_messages(record: dict, system: str) -> dict:
    """One row in ms-swift's ``messages`` format."""
    return {"messages": [{"role": "system", "content": system},
                         {"role": "user", "content": record["input"]},
                         {"role": "assistant", "content": record["output"]}]}


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL")
    parser.add_argument("output", type=Path, help="messages JSONL")
    add_system_args(parser)
    add_run_args(parser)
    args = parser.parse_args(argv)
    args.system_text = system_text(args, parser)
    return args


def main(argv=None) -> Account:
    args = parse_args(argv)

    def body(run):
        writer = run.output(JsonlWriter(args.output))
        convert_pairs(run, args.input, writer, lambda r: to_messages(r, args.system_text))

    return run_converter("to_swift", args, args.output, body, inputs=[args.input])

