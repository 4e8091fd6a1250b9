"""Learning check: does SmolLM2-135M-Instruct, trained with this suite, write four-part reviews
for unseen papers?

End to end through the real tools on real data: the NeurIPS 2025 and PeerRead reviews of
``../shared/data`` converted by ``data_conversion``, split by paper id (``--test-papers``
held out), the ``xtuner_configs/smollm2_135m.py`` recipe trained with the real ``xtuner
train`` CLI on a CPU, ``tools/pth_to_hf.py``, ``tools/infer.py`` (greedy, the training
template read from the adapter's metadata) on the held-out papers, and
``tools/compliance.py`` on its replies.

Sized for 2 CPU cores: each part of a review is cut to its first point with at most
``--point-words`` words (the converted reviews run to 1,800 tokens; a 1,024-token sample
keeps a short review whole and leaves the paper room), so generation of a few hundred
tokens can hold all four parts. Targets (benchmarks/RESULTS.md): >= 95% of held-out
papers with the four headed parts in order; no repetition loops; no copied paper text;
the loss falls. The result is printed as JSON and written to ``--out``.

Usage (repo root, shared data beside the checkout; ~25 min on 2 busy cores):
    python benchmarks/learning_check.py [--shared-data ../shared/data] [--epochs 1] [--keep DIR]
        [--out R.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from review_ext.formats.text import REVIEW_HEADINGS
from review_ext.train.mmengine_log import latest_scalars, train_records

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "xtuner_configs" / "smollm2_135m.py"


def recipe_model_folder() -> Path:
    """The folder the recipe trains from and ``tools/make_smollm2.py`` writes (the recipe's
    ``pretrained_model_name_or_path`` line), under the repo root."""
    from review_ext.checkpoint.smollm2 import recipe_folder

    return ROOT / recipe_folder(CONFIG)


def run(*args, log: Path | None = None, program: str = sys.executable) -> str:
    """Run ``python ARGS`` (or ``program ARGS``) from the repo root on the CPU; fail loudly with
    its output."""
    env = dict(
        os.environ, CUDA_VISIBLE_DEVICES="", PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false"
    )
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [program, *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if log:
        log.write_text(proc.stdout + proc.stderr)
    if proc.returncode or "Traceback (most recent call last)" in proc.stderr:
        raise SystemExit(
            f"failed: {' '.join(map(str, args))}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    return proc.stdout


def first_points(review: str, words: int) -> str:
    """Each of the four parts cut to its first point (title and explanation), at most ``words``
    words."""
    spans = [(review.find(h), h) for h in REVIEW_HEADINGS]
    parts = []
    for i, (start, heading) in enumerate(spans):
        end = min([s for s, _ in spans[i + 1:] if s > start] or [len(review)])
        body = review[start + len(heading):end].strip() if start >= 0 else ""
        point = (body.split("\n<")[0] if body else "<None> No point given.").split()
        parts.append(f"{heading}\n{' '.join(point[:words])}")
    return "\n\n".join(parts)


def shorten(src: Path, dst: Path, words: int) -> int:
    with open(dst, "w") as f:
        rows = [json.loads(line) for line in src.read_text().splitlines() if line.strip()]
        for row in rows:
            f.write(json.dumps({**row, "output": first_points(row["output"], words)}) + "\n")
    return len(rows)


def prepare(shared: Path, work: Path, test_papers: int, words: int) -> dict:
    """Converted real reviews, split by paper id, reviews shortened; test prompts one per paper."""
    run("-m", "data_conversion.from_openreview", shared / "neurips_2025", work / "neurips.jsonl")
    run("-m", "data_conversion.from_peerread", shared / "peerread", work / "peerread.jsonl")
    (work / "all.jsonl").write_text(
        (work / "neurips.jsonl").read_text() + (work / "peerread.jsonl").read_text()
    )
    run(
        "-m",
        "data_conversion.split",
        work / "all.jsonl",
        work / "split",
        "--test-papers",
        test_papers,
        "--seed",
        0,
    )
    counts = {name: shorten(work / "split" / f"{name}.jsonl", work / f"{name}_short.jsonl", words)
              for name in ("train", "test")}
    run(
        "-m",
        "data_conversion.to_xtuner",
        work / "train_short.jsonl",
        work / "train.json",
        "--system",
        "v2",
    )
    run(
        "-m",
        "data_conversion.to_xtuner",
        work / "test_short.jsonl",
        work / "test_all.jsonl",
        "--system",
        "v2",
        "--test",
    )
    papers = {}
    with (work / "test_all.jsonl").open(encoding="utf-8") as f:  # line by line as written
        for line in f:
            row = json.loads(line)
            papers.setdefault(row["id"].split(":")[0], {**row, "id": row["id"].split(":")[0]})
    (work / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in papers.values()))
    return {
        "train_reviews": counts["train"],
        "test_reviews": counts["test"],
        "held_out_papers": len(papers),
    }


def losses(work_dir: Path) -> list[float]:
    return [record["loss"] for record in train_records(latest_scalars(work_dir))]


def train(model: Path, work: Path, iters: int, max_length: int) -> Path:
    options = run(
        "-m",
        "review_ext.train.overrides",
        CONFIG,
        "--model",
        model,
        "--data",
        work / "train.json",
        "--eval-file",
        work / "test.jsonl",
        "--max-length",
        max_length,
        "--cpu",
        "--iters",
        iters,
    ).split()
    out = work / "train"
    run(
        "train",
        CONFIG,
        "--work-dir",
        out,
        "--cfg-options",
        *options,
        "default_hooks.logger.interval=5",
        log=work / "train.log",
        program="xtuner",
    )
    ckpt = out / f"iter_{iters}.pth"
    if not ckpt.exists():
        raise SystemExit(f"training wrote no {ckpt.name}: see {work / 'train.log'}")
    return ckpt


def in_order(review: str) -> bool:
    positions = [review.find(h) for h in REVIEW_HEADINGS]
    return min(positions) >= 0 and positions == sorted(positions)


def learning_check(args, work: Path) -> dict:
    started = time.time()
    result = prepare(args.shared_data, work, args.test_papers, args.point_words)
    model = args.model
    run(ROOT / "tools" / "make_smollm2.py", model)
    iters = args.epochs * result["train_reviews"]
    ckpt = train(model, work, iters, args.max_length)
    trained = time.time()
    run(ROOT / "tools" / "pth_to_hf.py", work / "train" / CONFIG.name, ckpt, work / "adapter")
    run(
        ROOT / "tools" / "infer.py",
        "--test",
        work / "test.jsonl",
        "--adapter",
        work / "adapter",
        "--dtype",
        "float32",
        "--max-new-tokens",
        args.new_tokens,
        "--repetition-penalty",
        args.repetition_penalty,
        "--batch-size",
        result["held_out_papers"],
        "--output-dir",
        work / "infer",
        "--no-progress",
    )
    run(
        ROOT / "tools" / "compliance.py",
        work / "infer" / "predictions.jsonl",
        "--papers",
        work / "test.jsonl",
        "--out",
        work / "compliance.jsonl",
        "--summary",
        work / "compliance.json",
    )
    with (work / "infer" / "predictions.jsonl").open(encoding="utf-8") as f:
        replies = [json.loads(line) for line in f]  # line by line as written
    loss = losses(work / "train")
    k = max(1, len(loss) // 5)
    result.update(
        iters=iters, max_length=args.max_length, new_tokens=args.new_tokens,
        repetition_penalty=args.repetition_penalty, point_words=args.point_words,
        four_parts_in_order=sum(in_order(r.get("reply") or "") for r in replies) / len(replies),
        loss_first_fifth=sum(loss[:k]) / k, loss_last_fifth=sum(loss[-k:]) / k,
        compliance=json.loads((work / "compliance.json").read_text()),
        train_s=round(trained - started), total_s=round(time.time() - started),
        replies={r["id"]: r.get("reply") for r in replies})
    return result


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Usage" + __doc__.split("Usage")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--shared-data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument(
        "--model",
        type=Path,
        default=recipe_model_folder(),
        help="the SmolLM2 folder (default: the recipe's, written by tools/make_smollm2.py)",
    )
    p.add_argument("--test-papers", type=int, default=5)
    p.add_argument("--point-words", type=int, default=30)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-length", type=int, default=768)
    p.add_argument("--new-tokens", type=int, default=300)
    p.add_argument(
        "--repetition-penalty", type=float, default=1.1, help="greedy decoding's (1: none)"
    )
    p.add_argument("--keep", type=Path, help="work here instead of a temporary folder")
    p.add_argument("--out", type=Path, help="write the result JSON here")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        result = learning_check(args, work)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    print(
        f"{result['four_parts_in_order']:.0%} of {result['held_out_papers']} held-out papers: "
        f"four parts in order (target 95%); loss {result['loss_first_fifth']:.3f} -> "
        f"{result['loss_last_fifth']:.3f}; {result['total_s']} s"
    )
    return 0 if result["four_parts_in_order"] >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
