"""Input/output JSONL -> XTuner single-turn conversation JSON, with a system prompt.

Training rows become ``{"conversation": [{"system", "input", "output"}]}`` in one JSON
array (what ``xtuner_configs`` read as ``data_path``). With ``--test`` the rows are
for inference: JSONL with ``system`` and ``input`` (and ``id`` when the row has one),
one row per paper: rows of a ``paper_id`` already written (its other reviews) are counted
as merged and the row's ``id`` becomes the paper id. ``output`` is not needed then.
The system prompt is a preset of ``review_ext.data.template.SYSTEM_PRESETS``
(``--system v1|v2``) or a text file. A training row carries the review's ``rating``,
``confidence`` and ``venue`` beside ``conversation`` (for the ``[Rating]`` block), a test
row the paper's ``venue``, when the input rows have them (from_openreview, from_peerread).
Rows of papers that screening flagged (a ``screening`` block) are counted in the account.

Usage::

    python -m data_conversion.to_xtuner data/train.jsonl data/train.json --system v2
    python -m data_conversion.to_xtuner data/test.jsonl data/test.jsonl --test --system v2
    python -m data_conversion.to_xtuner rows.jsonl train.json --system-file prompt.txt --skip-bad
"""
from __future__ import annotations

from pathlib import Path

from data_conversion.running.cli import add_run_args, add_system_args, run_converter, system_text
from data_conversion.running.pairs import convert_pairs
from data_conversion.running.rows import Account, JsonArrayWriter, JsonlWriter
from review_ext.common.cli import doc_parser

RATING_FIELDS = ("rating", "confidence", "venue")  # what the [Rating] block is rendered from
TEST_FIELDS = ("venue",)  # a test row stands for its paper: its venue, not one review's scores


def carried(record: dict, names) -> dict:
    """The fields of ``names`` that ``record`` has (rows without them stay as they were)."""
    return {k: record[k] for k in names if k in record}


def to_conversation(record: dict, system: str) -> dict:
    """One training row in XTuner's conversation format, with the review's ``rating``,
    ``confidence`` and ``venue`` beside the conversation when the row has them."""
    return {"conversation": [{"system": system, "input": record["input"],
                              "output": record["output"]}], **carried(record, RATING_FIELDS)}


def to_test_record(record: dict, system: str) -> dict:
    """One inference row: ``id`` (when present), ``system``, ``input`` and the ``venue`` (when
    the row has one: the scale a rating is asked on)."""
    head = {"id": record["id"]} if "id" in record else {}
    return {**head, "system": system, "input": record["input"], **carried(record, TEST_FIELDS)}


def one_per_paper(system: str):
    """``to_test_record`` that returns None for a ``paper_id`` already written."""
    seen = set()

    def make(record: dict) -> dict | None:
        paper = record.get("paper_id")
        if paper is None:
            return to_test_record(record, system)
        if paper in seen:
            return None
        seen.add(paper)
        return to_test_record({**record, "id": paper}, system)

    return make


FLAGGED = "rows of papers screening flagged (kept: convert them with the refuse policy to leave "\
    "them out)"


def counting_flagged(account, make):
    """``make`` that also counts the rows whose ``screening`` block has a flagged finding."""
    def counted(record: dict):
        screening = record.get("screening")
        if isinstance(screening, dict) and screening.get("flagged"):
            account.noted[FLAGGED] += 1
        return make(record)

    return counted


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL")
    parser.add_argument("output", type=Path, help="XTuner JSON (or JSONL with --test)")
    add_system_args(parser)
    parser.add_argument("--test", action="store_true",
                        help="write inference rows (system + input, JSONL) instead")
    add_run_args(parser)
    args = parser.parse_args(argv)
    args.system_text = system_text(args, parser)
    return args


def main(argv=None) -> Account:
    args = parse_args(argv)
    if args.test:
        make = one_per_paper(args.system_text)
    else:
        make = lambda r: to_conversation(r, args.system_text)  # noqa: E731

    def body(run):
        writer = run.output((JsonlWriter if args.test else JsonArrayWriter)(args.output))
        convert_pairs(run, args.input, writer, counting_flagged(run.account, make),
                      need_output=not args.test)

    return run_converter("to_xtuner", args, args.output, body, inputs=[args.input])

