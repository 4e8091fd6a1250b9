"""Serve the reviewer over an OpenAI-compatible HTTP API (and the web page).

``POST /v1/chat/completions``: the user message is a paper; it is trimmed and wrapped
in the training template with the server's system prompt (a system message in the
request overrides it). ``POST /v1/completions``: a raw prompt, used as is (BOS added).
Both stream with ``"stream": true``. ``GET /v1/models`` lists the model with its
``max_model_len`` (the training max_length). ``POST /v1/paper_from_pdf`` turns a PDF
body into paper text; ``GET /`` serves the web page; ``GET /health`` counts queued,
running and cancelled requests. Requests wait in a bounded queue and decode in
batches; ``temperature`` 0 (the default) is greedy. A request whose client disconnects,
or that runs past --request-timeout (queue and decoding together), is cancelled. A
request naming another model gets 404. The first line on stdout is the bound URL,
printed once the model is loaded. Without --model the server loads the last model the
pipeline wrote (work_dirs/last_model.json).

Access: with --api-key (or the environment variable REVIEW_SERVE_API_KEY) every /v1/
route needs "Authorization: Bearer KEY", which OpenAI clients send from their api_key
(OPENAI_API_KEY); the page asks for the key. Bound beyond loopback without a key, the
server warns loudly. Bound to loopback it answers only Host names of this machine (more
with --allowed-host), and it refuses a browser request from another site's page.
Limits: a head must arrive within --header-timeout, a body within --body-timeout, a body
above its size limit gets 413 before it is read, and beyond --max-connections open
connections a new one gets 503. Every error is a JSON body.

examples:
    python tools/serve.py --model work_dirs/v2/merged --port 8000
    REVIEW_SERVE_API_KEY=$(openssl rand -hex 16) python tools/serve.py \\
        --model mistralai/Mixtral-8x7B-Instruct-v0.1 --adapter work_dirs/v2/hf_adapter \\
        --load-4bit --system v1 --host 0.0.0.0 --port 8000
    curl -s http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' \\
        -H "Authorization: Bearer $REVIEW_SERVE_API_KEY" \\
        -d '{"messages": [{"role": "user", "content": "[TITLE]\\nA paper..."}], "max_tokens": 1000}'
    OPENAI_API_KEY=$REVIEW_SERVE_API_KEY python tools/infer.py --test data/test.jsonl \\
        --backend openai --base-url http://127.0.0.1:8000/v1 --model-name merged
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys

from review_ext.common.cli import doc_parser
from review_ext.generate.args import add_engine_args, from_cli_args
from review_ext.infer.settings import add_prompt_args
from review_ext.screen.findings import DEFAULT_POLICY, POLICIES
from review_ext.serve.options import Access, Limits, ServeOptions

API_KEY_ENV = "REVIEW_SERVE_API_KEY"
DEFAULT_LIMITS = Limits()
LIMIT_FLAGS = (  # (flag, Limits field, help)
    ("--max-request-bytes", "request_bytes", "JSON bodies above it get 413, before they are read"),
    ("--max-pdf-bytes", "pdf_bytes", "PDF bodies above it get 413, before they are read"),
    ("--header-timeout", "header_timeout", "seconds for a request's line and headers, from its "
                                           "first byte; then 408 and the connection closes"),
    ("--body-timeout", "body_timeout", "seconds for a request's body, after its headers; "
                                       "then 408"),
    ("--keep-alive-timeout", "keep_alive_timeout", "seconds an idle kept-alive connection "
                                                   "stays open"),
    ("--max-connections", "max_connections", "open connections; one more gets 503 and is "
                                             "closed"),
)


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (0.0.0.0: every "
                   "interface; set an API key then)")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--served-model-name", nargs="+", metavar="NAME",
                   help="the model's name(s) in the API; requests may use any, /v1/models "
                        "lists the first (default: the model or adapter folder's name)")
    add_engine_args(p)
    g = p.add_argument_group("prompt and decoding")
    add_prompt_args(g, rows=False)
    g.add_argument("--max-new-tokens", type=int, default=1000,
                   help="max_tokens when a request gives none")
    g.add_argument("--injection", choices=POLICIES, default=DEFAULT_POLICY,
                   help="papers with instructions to the reviewer (review_ext.screen): flag them "
                        "in the response (default), strip the flagged spans before the model "
                        "reads the paper, or refuse the request (422)")
    g.add_argument("--venue", help="a rated model's venue (a key of the venue table): the "
                                   "[Rating] block is asked for and read on its scale")
    g = p.add_argument_group("access")
    g.add_argument("--api-key", default=os.environ.get(API_KEY_ENV) or None,
                   help=f"the key /v1/ routes require as 'Authorization: Bearer KEY' (default: "
                        f"${API_KEY_ENV}; the variable keeps it out of the process list)")
    g.add_argument("--allowed-host", action="append", metavar="NAME",
                   help="a Host name to answer besides the loopback names (repeatable; '*': "
                        "any; default: loopback names when bound to loopback, else any)")
    g = p.add_argument_group("capacity and limits")
    g.add_argument("--max-batch-size", type=int, default=8, help="requests decoded together")
    g.add_argument("--max-queue", type=int, default=256, help="waiting requests before 503")
    g.add_argument("--request-timeout", type=float, default=3600.0,
                   help="seconds a request may take in all (queue and decoding); then 504 and "
                        "it is cancelled")
    for flag, name, help_text in LIMIT_FLAGS:
        default = getattr(DEFAULT_LIMITS, name)
        g.add_argument(flag, dest=name, type=type(default), default=default,
                       metavar="SECONDS" if isinstance(default, float) else "N",
                       help=f"{help_text} (default: {default})")
    return p.parse_args(argv)


def options_from_args(args) -> ServeOptions:
    """The typed options of ``args`` (raises ValueError for a value out of range)."""
    limits = Limits(**{name: getattr(args, name) for _, name, _ in LIMIT_FLAGS})
    access = Access(api_key=args.api_key,
                    allowed_hosts=tuple(args.allowed_host) if args.allowed_host else None)
    return ServeOptions(
        engine=from_cli_args(args),
        names=tuple(args.served_model_name or ()), system=args.system,
        max_length=args.max_length, template=args.template,
        max_prompt_tokens=args.max_prompt_tokens, max_new_tokens=args.max_new_tokens,
        injection=args.injection, venue=args.venue,
        max_batch_size=args.max_batch_size, max_queue=args.max_queue,
        request_timeout=args.request_timeout, host=args.host, port=args.port,
        access=access, limits=limits)


def main(argv=None) -> int:
    from review_ext.serve.server import serve
    from review_ext.serve.service import ServeError

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    stdout = sys.stdout
    try:
        options = options_from_args(args)
        with contextlib.redirect_stdout(sys.stderr):  # stdout's only line is the URL
            serve(options, ready=lambda url: print(url, file=stdout, flush=True))
    except (ServeError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
