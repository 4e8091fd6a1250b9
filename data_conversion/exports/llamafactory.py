"""Input/output JSONL -> LLaMA-Factory alpaca JSON plus its ``dataset_info.json`` entry.

Writes ``<out_dir>/<name>.json`` (``instruction`` = paper, ``input`` = "", ``output`` =
review, ``system``) and adds ``<name>`` to ``<out_dir>/dataset_info.json`` (other
entries there are kept). The same rows and system prompt as ``to_xtuner``, so
LLaMA-Factory trains on identical data (``--dataset <name> --dataset_dir <out_dir>``).

Usage::

    python -m data_conversion.to_llamafactory data/train.jsonl data/llamafactory --system v2
    python -m data_conversion.to_llamafactory rows.jsonl lf_data --name paper_review_v1 --system v1
"""
from __future__ import annotations

import json
from pathlib import Path

from data_conversion.running.bad_input import BadInput
from data_conversion.running.cli import add_run_args, add_system_args, run_converter, system_text
from data_conversion.running.pairs import convert_pairs
from data_conversion.running.rows import Account, AtomicWriter, JsonArrayWriter
from review_ext.common.cli import doc_parser
from review_ext.common.jsonl import BadJson, read_json


def to_alpaca(record: dict, system: str) -> dict:
    """One row in LLaMA-Factory's alpaca format."""
    return {"instruction": record["input"], "input": "", "output": record["output"],
            "system": system}


def dataset_info_entry(file_name: str) -> dict:
    """The ``dataset_info.json`` entry describing an alpaca file with a system column."""
    return {"file_name": file_name, "formatting": "alpaca",
            "columns": {"prompt": "instruction", "query": "input", "response": "output",
                        "system": "system"}}


def updated_dataset_info(path: Path, name: str, file_name: str) -> dict:
    """The existing ``dataset_info.json`` (if any) with ``name`` set."""
    info = {}
    if path.is_file():
        try:
            info = read_json(path)
        except BadJson as e:
            raise BadInput(path, "the file", "(the file)", f"unreadable ({e.problem})",
                           "fix or remove it") from None
    return {**info, name: dataset_info_entry(file_name)}


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL")
    parser.add_argument("out_dir", type=Path, help="folder for <name>.json and dataset_info.json")
    parser.add_argument("--name", default="paper_review",
                        help="dataset name in dataset_info.json (default: paper_review)")
    add_system_args(parser)
    add_run_args(parser)
    args = parser.parse_args(argv)
    args.system_text = system_text(args, parser)
    return args


def main(argv=None) -> Account:
    args = parse_args(argv)
    file_name = f"{args.name}.json"

    def body(run):
        info_path = args.out_dir / "dataset_info.json"
        info = updated_dataset_info(info_path, args.name, file_name)
        writer = run.output(JsonArrayWriter(args.out_dir / file_name))
        convert_pairs(run, args.input, writer, lambda r: to_alpaca(r, args.system_text))
        run.output(AtomicWriter(info_path)).write(json.dumps(info, indent=2) + "\n")

    return run_converter("to_llamafactory", args, args.out_dir, body, inputs=[args.input],
                         folder=True)

