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

import os
import sys

from review_ext.common.cli import (
    doc_parser,
    error_line,
    flag_text,
    fraction,
    non_negative_float,
    non_negative_int,
    one_line_errors,
    positive_float,
    positive_int,
)
from review_ext.common.errors import ReviewSuiteError, one_line
from review_ext.generate.args import add_engine_args, from_cli_args
from review_ext.infer.settings import add_prompt_args, prompt_from_cli_args
from review_ext.screen.findings import DEFAULT_POLICY, POLICIES

NAME = "infer"


def build_parser():
    p = doc_parser(__doc__)
    p.add_argument("--test", required=True, help="test set: JSONL (or a JSON list)")
    p.add_argument("--output-dir", default="infer_out")
    p.add_argument("--resume", action="store_true", help="keep finished papers of an earlier run")
    p.add_argument("--overwrite", action="store_true", help="discard an earlier run's results")
    p.add_argument("--limit", type=positive_int, help="only the first N rows (a smoke test)")
    p.add_argument("--min-success", type=fraction, default=0.0, metavar="FRACTION",
                   help="exit 1 when fewer rows than this share got a reply (default 0: fail "
                        "only when none did)")
    add_engine_args(p)
    g = p.add_argument_group("batching (local backend)")
    g.add_argument("--batch-size", type=positive_int, default=8,
                   help="largest batch; halves on CUDA out-of-memory")
    g.add_argument("--gpus-per-replica", type=positive_int, default=1,
                   help="GPUs one model copy spans (torchrun: one process per replica, "
                        "--nproc-per-node GPUs/N)")
    g = p.add_argument_group("prompt")
    g.add_argument("--injection", choices=POLICIES, default=DEFAULT_POLICY,
                   help="papers with instructions to the reviewer (review_ext.screen): flag "
                        "them in the record (default), strip the flagged spans before the model "
                        "reads the paper, or refuse the paper (an error record)")
    g.add_argument("--venue", help="a rated model's venue (a key of the venue table) for rows "
                                   "that name none: the [Rating] block is read on its scale")
    add_prompt_args(g, rows=True)
    g.add_argument("--tokenizer", help="tokenizer folder (default: --model's, else Mixtral's)")
    g = p.add_argument_group("decoding")
    g.add_argument("--max-new-tokens", type=positive_int, default=1000)
    g.add_argument("--min-new-tokens", type=non_negative_int, default=0)
    g.add_argument("--do-sample", action="store_true", help="sample instead of greedy decoding")
    g.add_argument("--temperature", type=non_negative_float, default=1.0)
    g.add_argument("--top-p", type=positive_float, default=1.0)
    g.add_argument("--top-k", type=non_negative_int, default=0)
    g.add_argument("--repetition-penalty", type=positive_float, default=1.0)
    g.add_argument("--seed", type=int)
    g = p.add_argument_group("OpenAI-compatible server (--backend openai)")
    g.add_argument("--backend", choices=["local", "openai"], default="local")
    g.add_argument("--base-url", help="e.g. http://127.0.0.1:8000/v1")
    g.add_argument("--model-name", help="the server's model name")
    g.add_argument("--api", choices=["auto", "completions", "chat"], default="auto",
                   help="auto: /completions with the rendered prompt, chat if the server lacks it")
    g.add_argument("--concurrency", type=positive_int, default=8, help="requests in flight")
    g.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"))
    g.add_argument("--request-timeout", type=positive_float, default=3600.0)
    p.add_argument("--no-progress", action="store_true", help="no tqdm bar")
    return p


def options_from(args, invocation: str):
    """The typed options of the parsed flags (ValueError: a flag combination that cannot run)."""
    from pathlib import Path

    from review_ext.generate.engine import SamplingParams
    from review_ext.infer.remote import RemoteOptions
    from review_ext.infer.run import InferOptions

    if args.backend == "openai" and not (args.base_url and args.model_name):
        raise ValueError("--backend openai needs --base-url and --model-name")
    remote = RemoteOptions(args.base_url, args.model_name, api=args.api,
                           concurrency=args.concurrency, api_key=args.api_key,
                           request_timeout=args.request_timeout) \
        if args.backend == "openai" else None
    sampling = SamplingParams(
        max_new_tokens=args.max_new_tokens, min_new_tokens=args.min_new_tokens,
        do_sample=args.do_sample, temperature=args.temperature, top_p=args.top_p,
        top_k=args.top_k, repetition_penalty=args.repetition_penalty, seed=args.seed)
    return InferOptions(
        test=Path(args.test), output_dir=Path(args.output_dir), resume=args.resume,
        overwrite=args.overwrite, limit=args.limit, min_success=args.min_success,
        engine=from_cli_args(args), prompt=prompt_from_cli_args(args), sampling=sampling,
        remote=remote, tokenizer=args.tokenizer, batch_size=args.batch_size,
        gpus_per_replica=args.gpus_per_replica, injection=args.injection, venue=args.venue,
        progress=not args.no_progress,
        invocation=invocation)


def parse_args(argv=None):
    """The typed options of ``argv``; a bad flag or combination exits 2 with one line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        return parser, options_from(args, "infer.py " + " ".join(words))
    except (ValueError, ReviewSuiteError) as error:
        parser.error(flag_text(parser, one_line(error)))


def main(argv=None) -> int:
    from review_ext.infer.run import run_inference

    parser, options = parse_args(argv)
    with one_line_errors(parser, NAME):
        result = run_inference(options)
    if result.failure:
        print(error_line(parser, NAME, result.failure), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
