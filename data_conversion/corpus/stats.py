"""Token lengths of input/output rows with a model's tokenizer, and a histogram PNG.

Counted as training encodes a row with the recipe's tokenizer and prompt template
(``review_ext.data.template``): ``total`` = the template's prefix (BOS for ``mixtral``, none
for ``chatml``) + prompt (system turn + paper turn) + review + end of turn, exactly;
``review`` = review + end of turn; ``paper`` = the prompt less prefix, template and system
prompt. Prints percentiles and how many rows exceed ``--max-length`` (their paper gets
trimmed in training); rows whose review alone exceeds it are counted too. The tokenizer is
Mixtral-8x7B-Instruct's (v1-v3) unless ``--tokenizer`` names an HF folder.

Usage::

    python -m data_conversion.stats data/train.jsonl --max-length 8192
    python -m data_conversion.stats data/train.jsonl --system v1 --plot len.png --json len.json
    python -m data_conversion.stats data/train.jsonl --tokenizer models/SmolLM2-135M-Instruct \\
        --template chatml --max-length 1024       # a ChatML model's recipe
"""
from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
from tqdm import tqdm

from data_conversion.running.cli import (
    add_run_args,
    add_system_args,
    run_converter,
    system_text,
    write_summary,
)
from data_conversion.running.pairs import iter_pairs
from data_conversion.running.rows import Account
from review_ext.common.cli import doc_parser
from review_ext.data.template import (
    DEFAULT_TEMPLATE,
    TEMPLATES,
    encode_prompt,
    prefix_ids,
    render_prompt,
)
from review_ext.data.tokenizer import load_tokenizer

PERCENTILES = (50, 90, 95, 99)
KINDS = ("paper", "review", "total")
BATCH = 32


def template_overhead(tokenizer, system: str, template=DEFAULT_TEMPLATE) -> int:
    """Tokens of prefix + template + system around an empty paper."""
    return len(encode_prompt(tokenizer, "", system, template))


def row_lengths(tokenizer, papers: list[str], reviews: list[str], system: str, overhead: int,
                template=DEFAULT_TEMPLATE):
    """``(paper, review, total)`` token counts for a batch of rows."""
    prefix = len(prefix_ids(tokenizer, template))
    prompts = tokenizer([render_prompt(p, system, template) for p in papers],
                        add_special_tokens=False)["input_ids"]
    targets = tokenizer(reviews, add_special_tokens=False)["input_ids"]
    for p, r in zip(prompts, targets):
        prompt, review = prefix + len(p), len(r) + 1  # + the end of turn
        yield prompt - overhead, review, prompt + review


def summarize(lengths: dict[str, np.ndarray], max_length: int, overhead: int) -> dict:
    """Percentiles per kind and the counts over ``max_length``."""
    out = {"rows": int(len(lengths["total"])), "max_length": max_length,
           "template_tokens": overhead}
    for kind in KINDS:
        a = lengths[kind]
        out[kind] = ({"mean": round(float(a.mean()), 1), "min": int(a.min()),
                      **{f"p{q}": int(np.percentile(a, q)) for q in PERCENTILES},
                      "max": int(a.max())} if len(a) else {})
    out["over_max_length"] = int((lengths["total"] > max_length).sum())
    out["review_alone_over"] = int((lengths["review"] + overhead > max_length).sum())
    return out


def report(summary: dict, system_name: str) -> str:
    """The compact text report."""
    n = summary["rows"]
    cols = ["mean", "min"] + [f"p{q}" for q in PERCENTILES] + ["max"]
    lines = [f"token lengths: {n} rows, {summary['tokenizer']} tokenizer, "
             f"template {summary['template']}, "
             f"system {system_name} (template + system = {summary['template_tokens']} tokens)",
             f"{'':8}" + "".join(f"{c:>8}" for c in cols)]
    for kind in KINDS:
        row = summary[kind]
        lines.append(f"{kind:8}" + "".join(f"{row.get(c, '-'):>8}" for c in cols))
    over, share = summary["over_max_length"], summary["over_max_length"] / n if n else 0
    lines.append(f"over --max-length {summary['max_length']}: {over}/{n} rows ({share:.0%}), "
                 f"paper trimmed in training; review alone over it: "
                 f"{summary['review_alone_over']}")
    return "\n".join(lines)


def plot(lengths: dict[str, np.ndarray], max_length: int, path: Path) -> None:
    """Histograms of the three lengths, with ``max_length`` marked, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    for ax, kind in zip(axes, KINDS):
        ax.hist(lengths[kind], bins=30, color="tab:blue")
        if kind != "review":
            ax.axvline(max_length, color="tab:red", linestyle="--", label="max length")
            ax.legend(fontsize=8)
        ax.set_title(f"{kind} tokens")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}k"))
    axes[0].set_ylabel("rows")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def measure(run, path, tokenizer, system: str, template=DEFAULT_TEMPLATE) -> dict[str, np.ndarray]:
    """Lengths of every good row, batch by batch (rows are not kept)."""
    overhead = template_overhead(tokenizer, system, template)
    lengths = {k: array("i") for k in KINDS}
    batch: list[dict] = []

    def flush():
        if not batch:  # a multiple of BATCH rows, or none
            return
        for values in row_lengths(tokenizer, [r["input"] for r in batch],
                                  [r["output"] for r in batch], system, overhead, template):
            for kind, v in zip(KINDS, values):
                lengths[kind].append(v)
        batch.clear()

    for _, record in tqdm(iter_pairs(run, path, check_review=False), desc="stats", unit="row",
                          disable=None):
        batch.append(record)
        run.account.written += 1
        if len(batch) == BATCH:
            flush()
    flush()
    return {k: np.asarray(v, dtype=np.int64) for k, v in lengths.items()}


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL")
    parser.add_argument("--max-length", type=int, default=8192,
                        help="training max_length to count rows against (default: 8192)")
    add_system_args(parser)
    parser.add_argument("--tokenizer", type=Path, metavar="DIR",
                        help="HF tokenizer folder of the recipe's model (default: Mixtral's)")
    parser.add_argument("--template", choices=sorted(TEMPLATES), default=DEFAULT_TEMPLATE,
                        help=f"the recipe's prompt_template (default: {DEFAULT_TEMPLATE})")
    parser.add_argument("--plot", type=Path, metavar="PNG",
                        help="histogram PNG (default: <input>.tokens.png)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers as JSON")
    add_run_args(parser)
    args = parser.parse_args(argv)
    args.system_text = system_text(args, parser)
    args.system_name = args.system_file.name if args.system_file else args.system
    if args.tokenizer is not None and not (args.tokenizer / "tokenizer_config.json").is_file():
        parser.error(f"--tokenizer {args.tokenizer}: no tokenizer_config.json there; "
                     "name an HF model or tokenizer folder")
    args.plot = args.plot or args.input.with_name(args.input.stem + ".tokens.png")
    return args


def main(argv=None, tokenizer=None) -> Account:
    """Run the report; ``tokenizer`` (an object) overrides ``--tokenizer``."""
    args = parse_args(argv)
    tokenizer = load_tokenizer(args.tokenizer) if tokenizer is None else tokenizer
    name = args.tokenizer.name if args.tokenizer else "Mixtral"

    def body(run):
        for path in filter(None, (args.plot, args.json)):
            run.claim(path)
        lengths = measure(run, args.input, tokenizer, args.system_text, args.template)
        overhead = template_overhead(tokenizer, args.system_text, args.template)
        summary = {**summarize(lengths, args.max_length, overhead), "tokenizer": name,
                   "template": args.template}
        run.account.extra["stats"] = summary
        print(report(summary, args.system_name))
        if summary["rows"]:
            plot(lengths, args.max_length, args.plot)
            print(f"histogram: {args.plot}")
        write_summary(args.json, summary)

    return run_converter("stats", args, args.input, body, inputs=[args.input], verb="measured")

