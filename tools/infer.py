"""Review every paper of a test set with the fine-tuned reviewer: batched, resumable, shardable.

Reads XTuner's test format (``system`` + ``input``, JSONL, ``id`` kept), input/output
records or conversations. Each paper is trimmed and rendered exactly as training did
(``review_ext.infer.prompting``), decoded longest-first in batches that halve on CUDA
out-of-memory, and written to ``predictions.jsonl`` as soon as its batch ends (one
flushed line per paper), so ``--resume`` skips what is done. At the end the output
folder also holds ``replies.csv`` (system, input, reply), ``updated_conversations.json``,
``summary.json``, ``run.json`` and ``infer.log``. Rows that cannot be reviewed get an
error record.

Without --model (and --adapter), the model is the last one the pipeline wrote
(work_dirs/last_model.json, recorded by tools/pth_to_hf.py and tools/merge_bf16.sh).
Settings come from the flag, else the model's review_suite.json, else the row, else the
default (review_ext.infer.settings). --resume refuses an output folder made with
another model, template, system prompt, decoding settings or papers (run.json). The
output folder is locked while a run writes it. The exit code is non-zero when no paper
got a reply, or fewer than --min-success of them.

examples:
    # the model the pipeline just produced (work_dirs/last_model.json)
    python tools/infer.py --test data/test.jsonl
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

import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.generate.args import add_engine_args
from review_ext.infer.settings import add_prompt_args

log = logging.getLogger("infer")


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("--test", required=True, type=Path, help="test set: JSONL (or a JSON list)")
    p.add_argument("--output-dir", type=Path, default=Path("infer_out"))
    p.add_argument("--resume", action="store_true", help="keep finished papers of an earlier run")
    p.add_argument("--overwrite", action="store_true", help="discard an earlier run's results")
    p.add_argument("--limit", type=int, help="only the first N rows (a smoke test)")
    p.add_argument("--min-success", type=float, default=0.0, metavar="FRACTION",
                   help="exit 1 when fewer rows than this share got a reply (default 0: fail "
                        "only when none did)")
    add_engine_args(p)
    g = p.add_argument_group("batching (local backend)")
    g.add_argument("--batch-size", type=int, default=8,
                   help="largest batch; halves on CUDA out-of-memory")
    g.add_argument("--gpus-per-replica", type=int, default=1, help="GPUs one model copy spans "
                   "(torchrun: one process per replica, --nproc-per-node GPUs/N)")
    g = p.add_argument_group("prompt")
    add_prompt_args(g, rows=True)
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
    if not 0 <= args.min_success <= 1:
        p.error("--min-success must be a fraction in [0, 1]")
    try:
        sampling_params(args)
    except ValueError as error:
        p.error(str(error))
    return args


def sampling_params(args):
    from review_ext.generate.engine import SamplingParams

    return SamplingParams(
        max_new_tokens=args.max_new_tokens, min_new_tokens=args.min_new_tokens,
        do_sample=args.do_sample, temperature=args.temperature, top_p=args.top_p, top_k=args.top_k,
        repetition_penalty=args.repetition_penalty, seed=args.seed,
    )


def resolve_settings(args):
    """The run's settings (flag > review_suite.json > row > default), logged with their sources."""
    from review_ext.infer.settings import NoModel, resolve

    try:
        settings = resolve(args.model, args.adapter, args.system, args.max_length, args.template,
                           need_model=args.backend == "local")
    except NoModel as error:
        raise SystemExit(str(error)) from None
    log.info("settings: %s", settings.describe())
    return settings


def system_of(settings):
    """row -> the resolved system prompt text it is reviewed with."""
    from review_ext.data.template import resolve_system

    return lambda row: resolve_system(settings.system_for(row.system))


def build_jobs(rows, tokenizer, budget, settings, sink, stats) -> list:
    """``(key, Prompt)`` for the rows that can be reviewed; error records for the others."""
    from review_ext.infer.prompting import PromptTooLong, build_prompt
    from review_ext.infer.run_folder import error_record

    jobs = []
    for row in rows:
        if row.error:
            sink.put(row.key, error_record(row, row.error, "row"))
            stats["row_errors"] += 1
            continue
        try:
            prompt = build_prompt(tokenizer, row.paper, settings.system_for(row.system), budget,
                                  settings.template)
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


def open_backend(args, settings, world: int, local_rank: int):
    from review_ext.infer.backends import local_backend, remote_backend

    t_load = time.time()
    if args.backend == "openai":
        backend = remote_backend(args, sampling_params(args), settings.model)
    else:
        backend = local_backend(args, sampling_params(args), settings.model, world, local_rank,
                                settings.template)
    log.info("backend ready in %.1f s", time.time() - t_load)
    return backend


def check_resume(args, out: Path, settings, done: dict, todo_rows) -> dict:
    """This run's record; refuses a resume over an earlier run made otherwise."""
    from review_ext.data.template import resolve_system
    from review_ext.infer import provenance

    backend = "local" if args.backend == "local" else f"openai {args.base_url} {args.model_name}"
    system = resolve_system(settings.system) if settings.system else None
    record = provenance.run_record(backend, settings.model, args.adapter, settings.template,
                                   system, sampling_params(args))
    if done:
        try:
            provenance.check_resume(out, record)
            provenance.check_papers(done, todo_rows, system_of(settings))
        except provenance.ResumeMismatch as error:
            raise SystemExit(str(error)) from None
    return record


def decode_all(args, backend, jobs, by_key, sink, stats, rank: int, world: int) -> None:
    """Decode every job, appending one record per paper to ``sink`` as it ends."""
    from tqdm import tqdm

    from review_ext.infer.provenance import paper_hash
    from review_ext.infer.run_folder import error_record

    prompts = dict(jobs)
    bar = tqdm(total=len(jobs), desc=f"rank {rank}" if world > 1 else "reviews", unit="paper",
               position=rank, disable=args.no_progress)
    for key, result in backend.decode(jobs):
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
                "system": prompt.system, "paper_sha256": paper_hash(row.paper), "error": None,
            })
            stats["replies"] += 1
            stats["generated_tokens"] += n_new
        bar.update(1)
    bar.close()


def run(args) -> int:
    from review_ext.common.jsonl_cache import JsonlCache
    from review_ext.infer import provenance, run_folder as rf
    from review_ext.data.test_rows import InputError, read_test_rows
    from review_ext.infer.prompting import prompt_budget

    rank, world, local_rank = rf.dist_info()
    out = args.output_dir
    try:
        rows = read_test_rows(args.test)[: args.limit]
    except InputError as error:
        raise SystemExit(str(error)) from None
    settings = resolve_settings(args)
    done = rf.prepare_output(out, rank, world, args.resume, args.overwrite)
    assigned = rf.shard(rows, rank, world)
    record = check_resume(args, out, settings, done, assigned)
    todo = [row for row in assigned if row.key not in done or not rf.is_final(done[row.key])]
    backend = open_backend(args, settings, world, local_rank)
    max_length = settings.max_length_for(backend.context)
    try:
        budget = prompt_budget(max_length, args.max_new_tokens, args.max_prompt_tokens)
    except ValueError as error:
        raise SystemExit(f"{error}: lower --max-new-tokens") from None
    record["prompt_budget"] = budget
    if done:
        try:
            provenance.check_resume(out, {"prompt_budget": budget})
        except provenance.ResumeMismatch as error:
            raise SystemExit(str(error)) from None
    provenance.write_run_record(out, record)
    log.info("rows: %d in file, %d for rank %d of %d, %d of them already done; "
             "prompt budget %s tokens",
             len(rows), len(assigned), rank, world, len(assigned) - len(todo), budget)
    sink = JsonlCache(out / rf.part_name(rank, world))
    stats = Counter(replies=0, generated_tokens=0)
    jobs = build_jobs(todo, backend.tokenizer, budget, settings, sink, stats)
    t0 = time.time()
    decode_all(args, backend, jobs, {row.key: row for row in todo}, sink, stats, rank, world)
    seconds = time.time() - t0
    run_summary = {"rank": rank, "world_size": world, "rows": len(assigned),
                   "skipped_done": len(assigned) - len(todo), **stats, "seconds": round(seconds, 2),
                   "papers_per_hour": rf.rate(stats["replies"], seconds, 3600),
                   "generated_tokens_per_s": rf.rate(stats["generated_tokens"], seconds)}
    log.info("rank %d done: %s", rank, json.dumps(run_summary))
    rf.mark_done(out, rank, world, run_summary)
    return rf.finish(out, rows, world, args.min_success)


def main(argv=None) -> int:
    from review_ext.infer.run_folder import dist_info, locked_output, logging_to

    args = parse_args(argv)
    rank, world, _ = dist_info()
    with locked_output(args.output_dir, rank), logging_to(args.output_dir, rank, world):
        log.info("infer.py %s", " ".join(sys.argv[1:] if argv is None else argv))
        return run(args)


if __name__ == "__main__":
    sys.exit(main())
