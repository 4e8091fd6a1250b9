"""Dataset build time and padding waste: ``build_review_dataset`` vs XTuner's stock pipeline.

Converts the sample papers (``../shared/data``: PeerRead + NeurIPS 2025) with
``data_conversion`` into XTuner conversation JSON, then for each ``max_length`` builds
the packed training set twice from a cold ``datasets`` cache:

- ours: ``review_ext.data.dataset.build_review_dataset`` (budgeted encode, whole-sample bins);
- stock: ``xtuner.dataset.process_hf_dataset`` with ``template_map_fn`` of
  ``PROMPT_TEMPLATE.mixtral`` and XTuner's ``Packer`` (``encode_fn`` + fixed windows).

Reported per side: build seconds (median of ``--repeat``), samples kept, supervised
tokens, padding waste, and for stock what its traps cost (samples dropped, reviews cut,
samples split across windows, supervised tokens in a window without their sample's start,
and ``kept_tokens - packed_tokens``: the tail each ``Packer`` holds back and never emits).

Usage::

    .venv/bin/python benchmarks/bench_dataset.py
    .venv/bin/python benchmarks/bench_dataset.py --max-length 8192 32768 --num-proc 4 --repeat 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="examples:" + __doc__.split("Usage::", 1)[1])
    parser.add_argument(
        "--data",
        type=Path,
        default=SHARED_DATA,
        help="shared data folder (peerread/, neurips_2025/)",
    )
    parser.add_argument("--max-length", type=int, nargs="+", default=[8192, 16384, 32768])
    parser.add_argument("--num-proc", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--system", default="v2")
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    return parser.parse_args(argv)


def make_records(data: Path, system: str, workdir: Path) -> Path:
    """Shared papers -> data_conversion JSONL -> XTuner conversation JSON."""
    from data_conversion import from_openreview, from_peerread
    from review_ext.data.template import resolve_system

    rows = []
    for module, folder in (
        (from_peerread, data / "peerread"),
        (from_openreview, data / "neurips_2025"),
    ):
        out = workdir / f"{folder.name}.jsonl"
        module.main([str(folder), str(out)])
        rows += [json.loads(line) for line in out.read_text().splitlines()]
    records = [
        {
            "conversation": [
                {"system": resolve_system(system), "input": r["input"], "output": r["output"]}
            ]
        }
        for r in rows
    ]
    path = workdir / "train.json"
    path.write_text(json.dumps(records))
    return path


def timed(build, repeat: int, workdir: Path):
    """Median seconds of ``build()`` over ``repeat`` cold-cache runs, and the last result."""
    import datasets

    times = []
    for i in range(repeat):
        datasets.config.HF_DATASETS_CACHE = str(
            Path(tempfile.mkdtemp(dir=workdir, prefix=f"cache{i}_"))
        )
        start = time.perf_counter()
        result = build()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def stock_trap_costs(path: Path, tokenizer, max_length: int) -> dict:
    """What XTuner's encode_fn + Packer do to these samples, sample by sample (no shuffle)."""
    from xtuner.dataset.map_fns import template_map_fn
    from xtuner.dataset.utils import encode_fn
    from xtuner.utils import PROMPT_TEMPLATE

    def supervised(sample):
        return sum(label >= 0 for label in sample["labels"])

    full, kept, review_cut = [], [], 0
    for rec in json.loads(path.read_text()):
        rec = template_map_fn(rec, PROMPT_TEMPLATE.mixtral)
        full.append(supervised(encode_fn(rec, tokenizer, max_length=10**9)))
        cut = encode_fn(rec, tokenizer, max_length)
        if supervised(cut):
            kept.append(cut)
            review_cut += supervised(cut) < full[-1]
    split = orphan = pos = 0
    for sample in kept:  # Packer concatenates kept samples and cuts max_length windows
        n = len(sample["input_ids"])
        if pos // max_length != (pos + n - 1) // max_length:
            split += 1
            first_window_end = (pos // max_length + 1) * max_length - pos
            orphan += sum(label >= 0 for label in sample["labels"][first_window_end:])
        pos += n
    return dict(
        kept=len(kept),
        kept_tokens=sum(len(s["input_ids"]) for s in kept),
        dropped=len(full) - len(kept),
        review_cut=review_cut,
        split=split,
        orphan_supervised=orphan,
        supervised=sum(map(supervised, kept)),
        supervised_full=sum(full),
    )


def bench(path: Path, tokenizer, max_length: int, args, workdir: Path) -> dict:
    from datasets import load_dataset
    from xtuner.dataset import process_hf_dataset
    from xtuner.dataset.map_fns import template_map_fn_factory
    from xtuner.utils import PROMPT_TEMPLATE

    from review_ext.data.dataset import build_review_dataset

    ours_s, ours = timed(
        lambda: build_review_dataset(str(path), tokenizer, max_length, num_proc=args.num_proc),
        args.repeat,
        workdir,
    )
    stock_s, stock = timed(
        lambda: process_hf_dataset(
            dataset=load_dataset("json", data_files=str(path), split="train"),
            tokenizer=tokenizer,
            max_length=max_length,
            template_map_fn=dict(type=template_map_fn_factory, template=PROMPT_TEMPLATE.mixtral),
            split=None,
            pack_to_max_length=True,
            map_num_proc=args.num_proc,
        ),
        args.repeat,
        workdir,
    )
    stock_tokens = sum(stock["length"])
    costs = stock_trap_costs(path, tokenizer, max_length)
    return dict(
        max_length=max_length,
        ours=dict(
            seconds=ours_s,
            bins=len(ours),
            **ours.account,
            padding_waste=ours.packing["padding_waste"],
            supervised=sum(sum(label >= 0 for label in labels) for labels in ours["labels"]),
        ),
        stock=dict(
            seconds=stock_s,
            bins=len(stock),
            padding_waste=1 - stock_tokens / (len(stock) * max_length),
            packed_tokens=stock_tokens,
            **costs,
        ),
    )


def main(argv=None):
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    args = parse_args(argv)
    tokenizer = load_mixtral_tokenizer()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = make_records(args.data, args.system, workdir)
        results = [bench(path, tokenizer, n, args, workdir) for n in args.max_length]
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    print(markdown(results))
    return results


def markdown(results: list[dict]) -> str:
    """The results as the table of benchmarks/results_dataset.md."""
    lines = [
        "| max_length | pipeline | build s | samples kept / dropped | reviews cut "
        "| supervised tokens | bins | padding waste "
        "| split samples (supervised tokens cut off their paper) | tokens never emitted |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        o, s = r["ours"], r["stock"]
        lines.append(
            f"| {r['max_length']} | ours | {o['seconds']:.1f} "
            f"| {o['kept']} / {o['records'] - o['kept']} "
            f"| {o['review_trimmed']} | {o['supervised']} | {o['bins']} "
            f"| {o['padding_waste']:.1%} | 0 (0) | 0 |"
        )
        lines.append(
            f"| {r['max_length']} | stock | {s['seconds']:.1f} | {s['kept']} / {s['dropped']} "
            f"| {s['review_cut']} | {s['supervised']} | {s['bins']} | {s['padding_waste']:.1%} "
            f"| {s['split']} ({s['orphan_supervised']}) | {s['kept_tokens'] - s['packed_tokens']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
