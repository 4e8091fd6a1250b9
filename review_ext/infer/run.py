"""An inference run: every paper of a test set reviewed, resumable, shardable over ranks.

:func:`run_inference` takes :class:`InferOptions`: it locks the output folder, logs to
``infer.log`` there, resolves the settings (``review_ext.infer.settings``), builds each
paper's prompt as training did (``review_ext.infer.prompting``), decodes them with a local
engine or a server (``review_ext.infer.backends``) and appends one record per paper as it
ends; the last rank to finish writes the outputs (``review_ext.infer.run_folder``).
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError
from review_ext.generate.engine import EngineOptions, SamplingParams
from review_ext.infer.remote import RemoteOptions
from review_ext.infer.settings import PromptOptions, Settings

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class InferOptions:
    """What to review, with what, and where the results go."""

    test: Path  # JSONL (or a JSON list) of papers
    output_dir: Path = Path("infer_out")
    resume: bool = False  # keep the finished papers of an earlier run
    overwrite: bool = False  # discard an earlier run's results
    limit: int | None = None  # only the first rows
    min_success: float = 0.0  # fail below this share of rows with a reply
    engine: EngineOptions = field(default_factory=EngineOptions)  # model None: resolved
    prompt: PromptOptions = field(default_factory=PromptOptions)
    sampling: SamplingParams = field(default_factory=SamplingParams)
    remote: RemoteOptions | None = None  # a server instead of a local engine
    tokenizer: str | None = None  # default: the model's, else Mixtral's
    batch_size: int = 8  # largest batch; halves on CUDA out-of-memory
    gpus_per_replica: int = 1
    injection: str = "flag"  # papers that talk to the reviewer: flag, strip or refuse
    venue: str | None = None  # a rated model's venue for rows that name none
    progress: bool = True  # a tqdm bar
    invocation: str = ""  # the command line, logged first

    def __post_init__(self):
        if self.resume and self.overwrite:
            raise ReviewSuiteError("`resume` and `overwrite` exclude each other")
        if not 0 <= self.min_success <= 1:
            raise ReviewSuiteError(f"`min_success` {self.min_success}: give a fraction in [0, 1]")
        from review_ext.screen import check_policy

        try:
            check_policy(self.injection)
        except ValueError as error:
            raise ReviewSuiteError(f"`injection`: {error}") from error
        for name in ("limit", "batch_size", "gpus_per_replica"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ReviewSuiteError(f"`{name}` {value}: give a positive count")


@dataclass
class InferResult:
    """Where the outputs are, and why the run failed (None: it did not, or another rank
    writes the outputs)."""

    output_dir: Path
    failure: str | None


def system_of(settings: Settings):
    """row -> the resolved system prompt text it is reviewed with."""
    from review_ext.data.template import resolve_system

    return lambda row: resolve_system(settings.system_for(row.system))


def rated(settings: Settings) -> bool:
    """Whether the model trained the ``[Rating]`` block (its ``review_suite.json``)."""
    return bool((settings.metadata or {}).get("rating"))


def build_jobs(rows, tokenizer, budget, settings: Settings, sink, stats,
               options: InferOptions) -> tuple[list, dict]:
    """``(key, Prompt)`` for the rows that can be reviewed, and their screening blocks; error
    records for the others (a paper refused by the injection policy among them)."""
    from review_ext.infer.prompting import PromptTooLong, build_prompt
    from review_ext.infer.run_folder import error_record
    from review_ext.screen import Refused, screen_paper

    jobs, screenings = [], {}
    for row in rows:
        if row.error:
            sink.put(row.key, error_record(row, row.error, "row"))
            stats["row_errors"] += 1
            continue
        try:
            paper, _, screening = screen_paper(row.paper, options.injection)
        except Refused as error:
            sink.put(row.key, {**error_record(row, f"refused: {error}", "screening"),
                               "screening": error.screening})
            stats["papers_flagged"] += 1
            stats["papers_refused"] += 1
            continue
        if screening is not None:
            screenings[row.key] = screening
            if screening["flagged"]:
                stats["papers_flagged"] += 1
                stats["papers_stripped"] += options.injection == "strip"
        venue = (row.venue or options.venue) if rated(settings) else None
        try:
            prompt = build_prompt(tokenizer, paper, settings.system_for(row.system), budget,
                                  settings.template, venue)
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
    if stats["papers_flagged"]:
        log.warning("%d papers hold instructions to the reviewer (policy %s): %d refused, "
                    "%d stripped; see their records' screening", stats["papers_flagged"],
                    options.injection, stats["papers_refused"], stats["papers_stripped"])
    return jobs, screenings


def open_backend(options: InferOptions, settings: Settings, world: int, local_rank: int):
    from review_ext.infer.backends import local_backend, remote_backend

    t_load = time.time()
    if options.remote:
        backend = remote_backend(options.remote, options.sampling,
                                 options.tokenizer or settings.model)
    else:
        backend = local_backend(replace(options.engine, model=settings.model), options.sampling,
                                settings.template, options.batch_size, options.tokenizer, world,
                                local_rank, options.gpus_per_replica)
    log.info("backend ready in %.1f s", time.time() - t_load)
    return backend


def check_resume(options: InferOptions, settings: Settings, done: dict, todo_rows) -> dict:
    """This run's record; refuses a resume over an earlier run made otherwise."""
    from review_ext.data.template import resolve_system
    from review_ext.infer import provenance

    remote = options.remote
    backend = f"openai {remote.base_url} {remote.model_name}" if remote else "local"
    system = resolve_system(settings.system) if settings.system else None
    record = provenance.run_record(backend, settings.model, options.engine.adapter,
                                   settings.template, system, options.sampling)
    record["injection"] = options.injection
    if done:
        provenance.check_resume(options.output_dir, record)
        provenance.check_papers(done, todo_rows, system_of(settings))
    return record


def decode_all(options: InferOptions, backend, jobs, by_key, sink, stats, rank: int,
               world: int, settings: Settings, screenings: dict) -> None:
    """Decode every job, appending one record per paper to ``sink`` as it ends."""
    from tqdm import tqdm

    from review_ext.formats.rating import rating_fields
    from review_ext.infer.provenance import paper_hash
    from review_ext.infer.run_folder import error_record

    prompts = dict(jobs)
    bar = tqdm(total=len(jobs), desc=f"rank {rank}" if world > 1 else "reviews", unit="paper",
               position=rank, disable=not options.progress)
    for key, result in backend.decode(jobs):
        row, prompt = by_key[key], prompts[key]
        if isinstance(result, Exception):
            log.error("%s: %s", row.id, result)
            sink.put(key, error_record(row, f"{type(result).__name__}: {result}", "generation"))
            stats["generation_errors"] += 1
        else:
            text, finish_reason, n_new = result
            record = {
                "id": row.id, "index": row.index, "reply": text.strip(),
                "finish_reason": finish_reason, "prompt_tokens": len(prompt.ids),
                "generated_tokens": n_new, "paper_tokens_dropped": prompt.dropped_tokens,
                "system": prompt.system, "paper_sha256": paper_hash(row.paper), "error": None,
            }
            if rated(settings):
                record.update(rating_fields(text, row.venue or options.venue))
            if key in screenings:
                record["screening"] = screenings[key]
            sink.put(key, record)
            stats["replies"] += 1
            stats["generated_tokens"] += n_new
        bar.update(1)
    bar.close()


def read_rows(options: InferOptions):
    from review_ext.common.jsonl import RowsFileError
    from review_ext.data.test_rows import read_test_rows

    try:
        return read_test_rows(options.test)[: options.limit]
    except RowsFileError as error:
        raise ReviewSuiteError(str(error)) from error


def resolve_settings(options: InferOptions) -> Settings:
    """The run's settings (option > review_suite.json > row > default), logged with sources."""
    from review_ext.infer.settings import resolve

    prompt = options.prompt
    settings = resolve(options.engine.model, options.engine.adapter, prompt.system,
                       prompt.max_length, prompt.template, need_model=options.remote is None)
    log.info("settings: %s", settings.describe())
    return settings


def review(options: InferOptions, rank: int, world: int, local_rank: int) -> str | None:
    """This rank's share of the papers; the run's failure (see ``run_folder.finish``)."""
    from review_ext.common.jsonl_cache import JsonlCache
    from review_ext.infer import provenance
    from review_ext.infer import run_folder as rf
    from review_ext.infer.prompting import prompt_budget

    out = options.output_dir
    rows = read_rows(options)
    settings = resolve_settings(options)
    done = rf.prepare_output(out, rank, world, options.resume, options.overwrite)
    assigned = rf.shard(rows, rank, world)
    record = check_resume(options, settings, done, assigned)
    todo = [row for row in assigned if row.key not in done or not rf.is_final(done[row.key])]
    backend = open_backend(options, settings, world, local_rank)
    max_length = settings.max_length_for(backend.context)
    new_tokens = options.sampling.max_new_tokens
    try:
        budget = prompt_budget(max_length, new_tokens, options.prompt.max_prompt_tokens)
    except ValueError as error:
        raise ReviewSuiteError(f"{error}: lower `max_new_tokens`") from error
    record["prompt_budget"] = budget
    if done:
        provenance.check_resume(out, {"prompt_budget": budget})
    provenance.write_run_record(out, record)
    log.info("rows: %d in file, %d for rank %d of %d, %d of them already done; "
             "prompt budget %s tokens",
             len(rows), len(assigned), rank, world, len(assigned) - len(todo), budget)
    sink = JsonlCache(out / rf.part_name(rank, world))
    stats = Counter(replies=0, generated_tokens=0)
    jobs, screenings = build_jobs(todo, backend.tokenizer, budget, settings, sink, stats, options)
    t0 = time.time()
    decode_all(options, backend, jobs, {row.key: row for row in todo}, sink, stats, rank, world,
               settings, screenings)
    seconds = time.time() - t0
    run_summary = {"rank": rank, "world_size": world, "rows": len(assigned),
                   "skipped_done": len(assigned) - len(todo), **stats, "seconds": round(seconds, 2),
                   "papers_per_hour": rf.rate(stats["replies"], seconds, 3600),
                   "generated_tokens_per_s": rf.rate(stats["generated_tokens"], seconds)}
    log.info("rank %d done: %s", rank, json.dumps(run_summary))
    rf.mark_done(out, rank, world, run_summary)
    return rf.finish(out, rows, world, options.min_success)


def run_inference(options: InferOptions) -> InferResult:
    """Review the test set of ``options`` (this process's rank of a ``torchrun``, if any).

    Errors that stop the run (an unreadable test file, no model, a refused resume, a model
    that does not load, a busy output folder) are :class:`ReviewSuiteError`; papers that fail
    get error records and count against ``min_success``.
    """
    from review_ext.infer.run_folder import dist_info, locked_output, logging_to

    rank, world, local_rank = dist_info()
    out = options.output_dir
    with locked_output(out, rank), logging_to(out, rank, world):
        log.info("%s", options.invocation or f"reviewing {options.test} into {out}")
        return InferResult(out, review(options, rank, world, local_rank))
