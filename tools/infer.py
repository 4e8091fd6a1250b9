"""Review every paper of a test set with the fine-tuned reviewer: batched, resumable, shardable.

Reads XTuner's test format (``system`` + ``input``, JSONL, ``id`` kept), input/output
records or conversations. Each paper is trimmed and rendered exactly as training did
(``review_ext.generate.prompting``), decoded longest-first in batches that halve on CUDA
out-of-memory, and written to ``predictions.jsonl`` as soon as its batch ends (one
flushed line per paper), so ``--resume`` skips what is done. At the end the output
folder also holds ``replies.csv`` (system, input, reply), ``updated_conversations.json``,
``summary.json`` and ``infer.log``. Rows that cannot be reviewed get an error record.

Examples:
    # a merged bf16 model (all visible GPUs via device_map=auto)
    python tools/infer.py --test data/test.jsonl --model work_dirs/v2/merged --output-dir out/v2
    # base + LoRA adapter, 4-bit; continue after a kill
    python tools/infer.py --test data/test.jsonl --model mistralai/Mixtral-8x7B-Instruct-v0.1 \\
        --adapter work_dirs/v2/hf_adapter --load-4bit --output-dir out/v2-4bit --resume
    # one model copy per GPU; each rank reviews its share, the last one done merges
    torchrun --nproc-per-node 8 tools/infer.py --test data/test.jsonl --model merged \\
        --output-dir out/v2
    # any OpenAI-compatible server (vLLM, LMDeploy, tools/serve.py), same prompts
    python tools/infer.py --test data/test.jsonl --backend openai \\
        --base-url http://127.0.0.1:8000/v1 --model-name reviewer --concurrency 32 \\
        --output-dir out/v2-vllm
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path


from review_ext.data.template import DEFAULT_SYSTEM  # noqa: E402
from review_ext.generate.engine import add_engine_args  # noqa: E402
from review_ext.generate.infer_io import (PREDICTIONS, collect_records, read_test_rows,  # noqa: E402
                                 write_outputs)

log = logging.getLogger("infer")
EPILOG = __doc__.split("Examples:")[1]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Generate reviews for a test set with the training prompt template.",
        epilog="examples:" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--test", required=True, type=Path, help="test set: JSONL (or a JSON list)")
    p.add_argument("--output-dir", type=Path, default=Path("infer_out"))
    p.add_argument("--resume", action="store_true", help="keep finished papers of an earlier run")
    p.add_argument("--overwrite", action="store_true", help="discard an earlier run's results")
    p.add_argument("--limit", type=int, help="only the first N rows (a smoke test)")
    add_engine_args(p)
    g = p.add_argument_group("batching (local backend)")
    g.add_argument("--batch-size", type=int, default=8,
                   help="largest batch; halves on CUDA out-of-memory")
    g.add_argument("--gpus-per-replica", type=int, default=1, help="GPUs one model copy spans "
                   "(torchrun: one process per replica, --nproc-per-node GPUs/N)")
    g = p.add_argument_group("prompt")
    g.add_argument("--system", help="system prompt: a preset (v1, v2) or text (default, as in "
                                    "training: review_suite.json's, else the row's, else v2)")
    g.add_argument("--max-length", type=int,
                   help="training max_length: prompt + review (default: review_suite.json, "
                        "else the server's max_model_len or the model's context)")
    g.add_argument("--max-prompt-tokens", type=int, help="trim papers to this many prompt tokens "
                                                         "(default: max_length - max_new_tokens)")
    g.add_argument("--tokenizer", help="tokenizer folder (default: --model's, else Mixtral's)")
    g = p.add_argument_group("decoding")
    g.add_argument("--max-new-tokens", type=int, default=1000)
    g.add_argument("--min-new-tokens", type=int, default=0)
    g.add_argument("--do-sample", action="store_true", help="sample instead of greedy decoding")
    g.add_argument("--temperature", type=float, default=1.0)
    g.add_argument("--top-p", type=float, default=1.0)
    g.add_argument("--top-k", type=int, default=0)
    g.add_argument("--repetition-penalty", type=float, default=1.0)
    g.add_argument("--seed", type=int)
    g = p.add_argument_group("OpenAI-compatible server (--backend openai)")
    g.add_argument("--backend", choices=["local", "openai"], default="local")
    g.add_argument("--base-url", help="e.g. http://127.0.0.1:8000/v1")
    g.add_argument("--model-name", help="the server's model name")
    g.add_argument("--api", choices=["auto", "completions", "chat"], default="auto",
                   help="auto: /completions with the rendered prompt, chat if the server lacks it")
    g.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    g.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"))
    g.add_argument("--request-timeout", type=float, default=3600.0)
    p.add_argument("--no-progress", action="store_true", help="no tqdm bar")
    args = p.parse_args(argv)
    if args.backend == "openai" and not (args.base_url and args.model_name):
        p.error("--backend openai needs --base-url and --model-name")
    if args.resume and args.overwrite:
        p.error("--resume and --overwrite exclude each other")
    try:
        sampling_params(args)
    except ValueError as error:
        p.error(str(error))
    return args


def dist_info() -> tuple[int, int, int]:
    """(rank, world size, local rank) from torchrun's environment."""
    env = os.environ
    return int(env.get("RANK", 0)), int(env.get("WORLD_SIZE", 1)), int(env.get("LOCAL_RANK", 0))


def part_name(rank: int, world: int) -> str:
    return PREDICTIONS if world == 1 else f"predictions.rank{rank}-of-{world}.jsonl"


def setup_logging(out: Path, rank: int, world: int) -> list:
    name = "infer.log" if world == 1 else f"infer.rank{rank}.log"
    tag = "" if world == 1 else f"[rank {rank}] "
    fmt = logging.Formatter(f"%(asctime)s {tag}%(levelname)s %(message)s")
    handlers = [logging.FileHandler(out / name, encoding="utf-8"),
                logging.StreamHandler(sys.stderr)]
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(fmt)
        root.addHandler(handler)
    return handlers


def sampling_params(args):
    from review_ext.generate.engine import SamplingParams

    return SamplingParams(
        max_new_tokens=args.max_new_tokens, min_new_tokens=args.min_new_tokens,
        do_sample=args.do_sample, temperature=args.temperature, top_p=args.top_p, top_k=args.top_k,
        repetition_penalty=args.repetition_penalty, seed=args.seed,
    )


def result_files(out: Path) -> list[Path]:
    """Every results file of the folder: the merged one first, then rank parts."""
    parts = sorted(p for p in out.glob("predictions.rank*-of-*.jsonl"))
    return ([out / PREDICTIONS] if (out / PREDICTIONS).is_file() else []) + parts


def prepare_output(args, out: Path, rank: int, world: int) -> dict[str, dict]:
    """Check or clear earlier results; return the records to keep (``--resume``)."""
    mine = out / part_name(rank, world)
    current = {part_name(r, world) for r in range(world)}
    stale = [p for p in result_files(out) if p == mine or p.name not in current]
    (out / f".rank{rank}-of-{world}.done").unlink(missing_ok=True)
    if args.overwrite:
        for path in stale if rank == 0 else [mine]:
            path.unlink(missing_ok=True)
        return {}
    if stale and not args.resume:
        raise SystemExit(f"{out} holds results ({stale[0].name}): pass --resume or --overwrite")
    if not args.resume:
        return {}
    records, torn = collect_records(result_files(out))
    log.info("resume: %d earlier records (%d torn lines skipped)", len(records), torn)
    return records


def is_final(record: dict) -> bool:
    """Done for good: a reply, or a row error (generation errors are retried)."""
    return record.get("error_kind") != "generation"


def error_record(row, message: str, kind: str) -> dict:
    return {"id": row.id, "index": row.index, "reply": None, "error": message, "error_kind": kind}


def load_backend(args, rank: int, world: int, local_rank: int):
    """(tokenizer, decode, metadata, context length) for the chosen backend.

    ``decode(jobs)`` yields ``(key, (text, finish_reason, new_tokens))`` or ``(key, exception)``.
    """
    from review_ext.generate.prompting import suite_defaults

    meta = suite_defaults(args.adapter, args.model)
    params = sampling_params(args)
    if args.backend == "openai":
        from review_ext.generate.remote import RemoteBackend, server_max_len

        tokenizer = load_tokenizer(args.tokenizer or args.model)
        backend = RemoteBackend(args.base_url, args.model_name, params, api=args.api,
                                concurrency=args.concurrency, api_key=args.api_key,
                                timeout=args.request_timeout)

        def decode(jobs):
            for key, reply in backend.run(jobs):
                yield (key, reply) if isinstance(reply, Exception) else (
                    key, (reply.text, reply.finish_reason, reply.generated_tokens))

        return tokenizer, decode, meta, server_max_len(args.base_url, args.model_name, args.api_key)

    from review_ext.generate.engine import build_engine, engine_options, generate_sorted

    model = args.model or meta.get("base_model")
    if not model:
        raise SystemExit("--model is required (no review_suite.json names a base model)")
    options = engine_options(args, model)
    if world > 1 or args.gpus_per_replica > 1:
        from review_ext.generate.replicas import place_replica

        place_replica(options, local_rank, args.gpus_per_replica)
    engine = build_engine(args.engine, options)
    batches = getattr(engine, "generate_sorted", None)  # continuous batching when the engine has it
    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else engine.tokenizer

    def decode(jobs):
        ids = [(key, prompt.ids) for key, prompt in jobs]
        run = batches or (lambda *a: generate_sorted(engine, *a))
        for keys, results in run(ids, params, args.batch_size):
            for key, result in zip(keys, results):
                yield (key, result) if isinstance(result, Exception) else (key, (
                    tokenizer.decode(result.token_ids, skip_special_tokens=True),
                    result.finish_reason, len(result.token_ids)))

    return tokenizer, decode, meta, engine.max_context


def load_tokenizer(path: str | None):
    if path:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(path)
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    return load_mixtral_tokenizer()


def shard(rows, rank: int, world: int):
    """This rank's rows: longest papers dealt round-robin, so ranks get equal work."""
    order = sorted(rows, key=lambda row: len(row.paper or ""), reverse=True)
    return sorted(order[rank::world], key=lambda row: row.index)


def build_jobs(rows, tokenizer, budget, args, meta, sink, stats) -> list:
    """``(key, Prompt)`` for the rows that can be reviewed; error records for the others."""
    from review_ext.generate.prompting import PromptTooLong, build_prompt

    jobs = []
    for row in rows:
        if row.error:
            sink.put(row.key, error_record(row, row.error, "row"))
            stats["row_errors"] += 1
            continue
        system = args.system or meta.get("system") or row.system or DEFAULT_SYSTEM  # training's precedence
        try:
            prompt = build_prompt(tokenizer, row.paper, system, budget)
        except PromptTooLong as error:
            sink.put(row.key, error_record(row, f"too long: {error}", "row"))
            stats["row_errors"] += 1
            continue
        if prompt.dropped_tokens:
            stats["papers_trimmed"] += 1
            stats["paper_tokens_dropped"] += prompt.dropped_tokens
        jobs.append((row.key, prompt))
    if stats["papers_trimmed"]:
        log.info("trimmed %d papers to the budget (%d paper tokens dropped)",
                 stats["papers_trimmed"], stats["paper_tokens_dropped"])
    return jobs


def rate(count: float, seconds: float, per: float = 1.0):
    return round(count * per / seconds, 1) if seconds > 0 else None


def run(args) -> int:
    rank, world, local_rank = dist_info()
    out = args.output_dir
    done = prepare_output(args, out, rank, world)
    rows = read_test_rows(args.test)[: args.limit]
    assigned = shard(rows, rank, world)
    todo = [row for row in assigned if row.key not in done or not is_final(done[row.key])]
    t_load = time.time()
    tokenizer, decode, meta, context = load_backend(args, rank, world, local_rank)
    log.info("backend ready in %.1f s", time.time() - t_load)

    from review_ext.common.jsonl_cache import JsonlCache
    from review_ext.generate.prompting import prompt_budget

    max_length = args.max_length or meta.get("max_length") or context
    budget = prompt_budget(max_length, args.max_new_tokens, args.max_prompt_tokens)
    log.info("rows: %d in file, %d for rank %d of %d, %d of them already done; "
             "prompt budget %s tokens",
             len(rows), len(assigned), rank, world, len(assigned) - len(todo), budget)
    sink = JsonlCache(out / part_name(rank, world))
    stats = Counter(replies=0, generated_tokens=0)
    jobs = build_jobs(todo, tokenizer, budget, args, meta, sink, stats)
    prompts, by_key = dict(jobs), {row.key: row for row in todo}

    from tqdm import tqdm

    t0 = time.time()
    bar = tqdm(total=len(jobs), desc=f"rank {rank}" if world > 1 else "reviews", unit="paper",
               position=rank, disable=args.no_progress)
    for key, result in decode(jobs):
        row, prompt = by_key[key], prompts[key]
        if isinstance(result, Exception):
            log.error("%s: %s", row.id, result)
            sink.put(key, error_record(row, f"{type(result).__name__}: {result}", "generation"))
            stats["generation_errors"] += 1
        else:
            text, finish_reason, n_new = result
            sink.put(key, {
                "id": row.id, "index": row.index, "reply": text.strip(),
                "finish_reason": finish_reason, "prompt_tokens": len(prompt.ids),
                "generated_tokens": n_new, "paper_tokens_dropped": prompt.dropped_tokens,
                "system": prompt.system, "error": None,
            })
            stats["replies"] += 1
            stats["generated_tokens"] += n_new
        bar.update(1)
    bar.close()
    seconds = time.time() - t0
    run_summary = {"rank": rank, "world_size": world, "rows": len(assigned),
                   "skipped_done": len(assigned) - len(todo), **stats, "seconds": round(seconds, 2),
                   "papers_per_hour": rate(stats["replies"], seconds, 3600),
                   "generated_tokens_per_s": rate(stats["generated_tokens"], seconds)}
    log.info("rank %d done: %s", rank, json.dumps(run_summary))
    (out / f".rank{rank}-of-{world}.done").write_text(json.dumps(run_summary))
    return finish(out, rows, world)


def finish(out: Path, rows, world: int) -> int:
    """If every rank is done: merge results, write the pipeline outputs and the summary."""
    markers = [out / f".rank{r}-of-{world}.done" for r in range(world)]
    if not all(m.is_file() for m in markers):
        log.info("other ranks still running; the last one to finish merges")
        return 0
    records, torn = collect_records(result_files(out))
    write_outputs(out, rows, records)
    final = [records.get(row.key) for row in rows]
    errors = Counter(r["error"].split(":")[0] for r in final if r and r.get("error"))
    ranks = [json.loads(m.read_text()) for m in markers]
    seconds = max(r["seconds"] for r in ranks)
    replies_run = sum(r["replies"] for r in ranks)
    tokens_run = sum(r["generated_tokens"] for r in ranks)
    summary = {
        "rows": len(rows),
        "replies": sum(1 for r in final if r and not r.get("error")),
        "errors": sum(errors.values()),
        "missing": sum(1 for r in final if r is None),
        "errors_by_reason": dict(errors),
        "torn_lines_skipped": torn,
        "this_run": {"replies": replies_run, "generated_tokens": tokens_run, "seconds": seconds,
                     "papers_per_hour": rate(replies_run, seconds, 3600),
                     "generated_tokens_per_s": rate(tokens_run, seconds)},
        "ranks": ranks,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    log.info("summary: %d rows = %d replies + %d errors + %d missing; this run %s papers/hour, "
             "%s generated tokens/s; outputs in %s", summary["rows"], summary["replies"],
             summary["errors"], summary["missing"], summary["this_run"]["papers_per_hour"],
             summary["this_run"]["generated_tokens_per_s"], out)
    return 1 if summary["missing"] else 0


def main(argv=None) -> int:
    args = parse_args(argv)
    rank, world, _ = dist_info()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    handlers = setup_logging(args.output_dir, rank, world)
    try:
        log.info("infer.py %s", " ".join(sys.argv[1:] if argv is None else argv))
        return run(args)
    finally:
        for handler in handlers:
            logging.getLogger().removeHandler(handler)
            handler.close()


if __name__ == "__main__":
    sys.exit(main())
