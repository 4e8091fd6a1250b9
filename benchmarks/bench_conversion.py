"""Conversion + tokenisation throughput on the sample papers, in papers per CPU-second.

Stages, each repeated and timed by this process's CPU time (one core: the tokenizer's
thread pool is limited to one thread), so other load on the machine does not count:

- ``convert``: ``from_peerread`` / ``from_openreview --per-paper`` (read the reviews
  and parsed-PDF JSON, build the paper text and the four-part review, write JSONL);
- ``tokenise``: ``stats.measure`` on those rows (the prompt and the review with the
  real Mixtral tokenizer, exactly as training counts them);
- ``both``: the sum, per paper.

Usage::

    python benchmarks/bench_conversion.py path/to/shared/data
    python benchmarks/bench_conversion.py path/to/shared/data --repeats 5
"""
from __future__ import annotations

import os

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # before tokenizers starts its pool
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from data_conversion import from_openreview, from_peerread  # noqa: E402
from data_conversion.corpus import stats  # noqa: E402
from data_conversion.running.rows import Run  # noqa: E402
from review_ext.data.template import SYSTEM_PRESETS  # noqa: E402
from review_ext.data.tokenizer import load_mixtral_tokenizer  # noqa: E402

SOURCES = (("PeerRead ICLR 2017 (science-parse)", from_peerread, "peerread/iclr_2017"),
           ("NeurIPS 2025 (Docling)", from_openreview, "neurips_2025"))


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(fn, repeats: int) -> float:
    """Best CPU seconds of ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def bench(data: Path, repeats: int, tokenizer, out: Path) -> list[dict]:
    results = []
    for name, module, sub in SOURCES:
        rows = out / f"{module.__name__.rsplit('.', 1)[1]}.jsonl"

        def convert(module=module, sub=sub, rows=rows):
            with contextlib.redirect_stderr(io.StringIO()):
                account = module.main([str(data / sub), str(rows), "--per-paper"])
            assert account.exit_code == 0, account.error

        def tokenise(rows=rows):
            run = Run("bench", skip_bad=False, rejects_path=out / "rejects.jsonl")
            return stats.measure(run, rows, tokenizer, SYSTEM_PRESETS["v2"])

        convert_s = timed(convert, repeats)
        tokenise_s = timed(tokenise, repeats)
        lengths = tokenise()
        papers = len(lengths["total"])
        tokens = int(lengths["total"].sum())
        results.append({"source": name, "papers": papers, "tokens_per_paper": tokens // papers,
                        "convert": papers / convert_s, "tokenise": papers / tokenise_s,
                        "both": papers / (convert_s + tokenise_s),
                        "tokens_per_s": tokens / tokenise_s})
    return results


def table(results: list[dict]) -> str:
    lines = ["| sample | papers | tokens/paper | convert | tokenise | convert + tokenise | "
             "tokenizer tokens/s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['source']} | {r['papers']} | {r['tokens_per_paper']:,} | "
                     f"{r['convert']:,.0f} | {r['tokenise']:,.1f} | {r['both']:,.1f} | "
                     f"{r['tokens_per_s']:,.0f} |")
    return "\n".join(lines)


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the shared data folder (peerread/, neurips_2025/)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per stage, best kept")
    args = parser.parse_args(argv)
    tokenizer = load_mixtral_tokenizer()
    with tempfile.TemporaryDirectory() as tmp:
        results = bench(args.data, args.repeats, tokenizer, Path(tmp))
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical cores; Python "
          f"{platform.python_version()}; papers per CPU-second (one core), best of "
          f"{args.repeats}")
    print(table(results))
    return results


if __name__ == "__main__":
    main()
