"""Rating check: SmolLM2-135M-Instruct trained with the [Rating] block on the NeurIPS 2025
corpus slice, its ratings scored against the human reviewers beside the baselines.

End to end through the real tools on a CPU: the corpus rows of
``../shared/data/neurips_2025_corpus/`` (300 papers, 1,212 reviews), their scores given the
converter's current field names (``rating``, ``confidence``, ``venue``), split by paper id
(``--test-papers`` held out, seed 0), one review per training paper (drawn with the seed),
``xtuner_configs/smollm2_135m.py`` with ``rating=True`` at ``--max-length`` tokens (the
review and its block kept whole, the paper trimmed to what is left) for one epoch through
``xtuner train``, ``tools/pth_to_hf.py``, ``tools/infer.py`` (greedy) on one prompt per
held-out paper, ``tools/compliance.py --model`` (four parts and the block) and
``tools/rating_agreement.py`` (the model's row beside the constant, TF-IDF and human rows).

Everything stays in ``--keep`` for later runs (the injection shift reuses ``split/``,
``test.jsonl`` and ``adapter/``): ``rows.jsonl``, ``split/``, ``train.json``,
``test.jsonl``, ``train/`` (xtuner's work dir), ``adapter/``, ``infer/``,
``compliance.json``, ``agreement/`` and ``result.json``.

Usage (repo root; ~3 h on 2 cores: ~70 min training, ~100 min generation; in the background):
    python benchmarks/rating_check.py --keep build/rating_check [--train-papers 240]
    python benchmarks/rating_check.py --keep build/rating_check --train-only  # ~67 min: the adapter
"""
from __future__ import annotations

import argparse
import json
import lzma
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from learning_check import CONFIG, ROOT, losses, recipe_model_folder, run  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "neurips_2025_corpus" / "rows.jsonl.xz"
VENUE = "NeurIPS.cc/2025/Conference"  # the venue table's key for the corpus's conference
# the corpus was converted before the fields were named as the converter names them now
RENAMED = {"recommendation": "rating", "reviewer_confidence": "confidence"}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:  # line by line as written
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> int:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return len(rows)


def corpus_rows(src: Path, dst: Path) -> int:
    """The corpus rows with the scores under today's field names and the venue's table key."""
    rows = []
    with lzma.open(src, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for old, new in RENAMED.items():
                row.setdefault(new, row.get(old))
            row.setdefault("venue", VENUE)
            rows.append(row)
    return write_jsonl(dst, rows)


def one_per_paper(src: Path, dst: Path, seed: int, papers: int | None) -> int:
    """One review per training paper, drawn with ``seed``; the first ``papers`` papers of a
    seeded order when given."""
    by_paper: dict[str, list[dict]] = {}
    for row in read_jsonl(src):
        by_paper.setdefault(row["paper_id"], []).append(row)
    rng = random.Random(seed)
    ids = sorted(by_paper)
    rng.shuffle(ids)
    return write_jsonl(dst, [rng.choice(by_paper[p]) for p in ids[:papers]])


def prepare(work: Path, args) -> dict:
    rows = corpus_rows(args.corpus, work / "rows.jsonl")
    run("-m", "data_conversion.split", work / "rows.jsonl", work / "split",
        "--test-papers", args.test_papers, "--seed", args.seed)
    train_rows = one_per_paper(work / "split" / "train.jsonl", work / "train_one.jsonl",
                               args.seed, args.train_papers)
    run("-m", "data_conversion.to_xtuner", work / "train_one.jsonl", work / "train.json",
        "--system", "v2")
    run("-m", "data_conversion.to_xtuner", work / "split" / "test.jsonl", work / "test.jsonl",
        "--system", "v2", "--test")
    write_jsonl(work / "eval.jsonl", read_jsonl(work / "test.jsonl")[:2])  # the chat hook's
    return {"corpus_reviews": rows, "train_reviews": train_rows,
            "held_out_papers": len(read_jsonl(work / "test.jsonl")),
            "held_out_reviews": len(read_jsonl(work / "split" / "test.jsonl"))}


def train(model: Path, work: Path, iters: int, max_length: int) -> Path:
    """``xtuner train`` of the SmolLM2 recipe with the rating block, one sample a step."""
    options = run("-m", "review_ext.train.overrides", CONFIG, "--model", model,
                  "--data", work / "train.json", "--eval-file", work / "eval.jsonl",
                  "--max-length", max_length, "--set", "rating=True",
                  "--cpu", "--iters", iters).split()
    out = work / "train"
    run("train", CONFIG, "--work-dir", out, "--cfg-options", *options,
        "default_hooks.logger.interval=5", log=work / "train.log", program="xtuner")
    ckpt = out / f"iter_{iters}.pth"
    if not ckpt.exists():
        raise SystemExit(f"training wrote no {ckpt.name}: see {work / 'train.log'}")
    return ckpt


def review(work: Path, adapter: Path, test: Path, out: Path, args, *extra) -> Path:
    """``tools/infer.py`` on ``test`` into ``out`` (greedy; resumable)."""
    run(ROOT / "tools" / "infer.py", "--test", test, "--adapter", adapter,
        "--dtype", "float32", "--max-new-tokens", args.new_tokens,
        "--repetition-penalty", args.repetition_penalty, "--batch-size", args.batch_size,
        "--output-dir", out, "--resume", "--no-progress", *extra, log=out.with_suffix(".log"))
    return out / "predictions.jsonl"


def rating_check(args, work: Path) -> dict:
    started = time.time()
    result = prepare(work, args)
    run(ROOT / "tools" / "make_smollm2.py", args.model)
    iters = result["train_reviews"]  # one epoch, one sample a step
    ckpt = work / "train" / f"iter_{iters}.pth"
    if not ckpt.exists():
        ckpt = train(args.model, work, iters, args.max_length)
    trained = time.time()
    adapter = work / "adapter"
    if not adapter.exists():
        run(ROOT / "tools" / "pth_to_hf.py", work / "train" / CONFIG.name, ckpt, adapter)
    if args.train_only:
        return {**result, "iters": iters, "train_s": round(trained - started)}
    predictions = review(work, adapter, work / "test.jsonl", work / "infer", args)
    generated = time.time()
    run(ROOT / "tools" / "compliance.py", predictions, "--papers", work / "test.jsonl",
        "--model", adapter, "--out", work / "compliance.jsonl",
        "--summary", work / "compliance.json")
    table = run(ROOT / "tools" / "rating_agreement.py", work / "split" / "test.jsonl",
                work / "split" / "train.jsonl", "--records", predictions,
                "--model-name", "SmolLM2-135M", "--out-dir", work / "agreement")
    (work / "agreement" / "table.txt").write_text(table)
    loss = losses(work / "train")
    k = max(1, len(loss) // 5)
    result.update(
        iters=iters, max_length=args.max_length, new_tokens=args.new_tokens,
        repetition_penalty=args.repetition_penalty,
        loss_first_fifth=sum(loss[:k]) / k, loss_last_fifth=sum(loss[-k:]) / k,
        compliance=json.loads((work / "compliance.json").read_text()),
        agreement=json.loads((work / "agreement" / "agreement.json").read_text()),
        train_s=round(trained - started), generate_s=round(generated - trained),
        total_s=round(time.time() - started))
    return result


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Usage" + __doc__.split("Usage")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keep", type=Path, required=True, help="work folder (kept; resumable)")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--model", type=Path, default=recipe_model_folder(),
                   help="the SmolLM2 folder (default: the recipe's, tools/make_smollm2.py)")
    p.add_argument("--test-papers", type=int, default=60)
    p.add_argument("--train-papers", type=int, help="train on this many papers (default: all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-length", type=int, default=2048)
    p.add_argument("--new-tokens", type=int, default=1024)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--repetition-penalty", type=float, default=1.1,
                   help="greedy decoding's (1: none)")
    p.add_argument("--train-only", action="store_true",
                   help="stop once the adapter is written (injection_shift.py reviews the clean "
                        "papers it needs itself)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    args.keep.mkdir(parents=True, exist_ok=True)
    result = rating_check(args, args.keep)
    (args.keep / ("trained.json" if args.train_only else "result.json")).write_text(
        json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "agreement"}, indent=1))
    if not args.train_only:
        print((args.keep / "agreement" / "table.txt").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
