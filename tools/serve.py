"""Serve the reviewer over an OpenAI-compatible HTTP API (and the web page, when present).

``POST /v1/chat/completions``: the user message is a paper; it is trimmed and wrapped
in the training template with the server's system prompt (a system message in the
request overrides it). ``POST /v1/completions``: a raw prompt, used as is (BOS added).
Both stream with ``"stream": true``. ``GET /v1/models`` lists the model with its
``max_model_len`` (the training max_length). ``POST /v1/paper_from_pdf`` turns a PDF
body into paper text; ``GET /`` serves ``tools/web/index.html``; ``GET /health`` counts
queued, running and cancelled requests. Requests wait in a bounded queue and decode in
batches; ``temperature`` 0 (the default) is greedy. A request whose client disconnects,
or that runs past --request-timeout (queue and decoding together), is cancelled. A
request naming another model gets 404. The first line on stdout is the bound URL,
printed once the model is loaded. Without --model the server loads the last model the
pipeline wrote (work_dirs/last_model.json).

examples:
    python tools/serve.py --model work_dirs/v2/merged --port 8000
    python tools/serve.py --model mistralai/Mixtral-8x7B-Instruct-v0.1 \\
        --adapter work_dirs/v2/hf_adapter --load-4bit --system v1 --host 0.0.0.0 --port 8000
    curl -s http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' \\
        -d '{"messages": [{"role": "user", "content": "[TITLE]\\nA paper..."}], "max_tokens": 1000}'
    python tools/infer.py --test data/test.jsonl --backend openai \\
        --base-url http://127.0.0.1:8000/v1 --model-name merged
"""
from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.generate.args import add_engine_args
from review_ext.infer.settings import add_prompt_args

log = logging.getLogger("serve")
WEB_DIR = Path(__file__).resolve().parent / "web"


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--served-model-name", nargs="+", metavar="NAME",
                   help="the model's name(s) in the API; requests may use any, /v1/models "
                        "lists the first (default: the model or adapter folder's name)")
    add_engine_args(p)
    g = p.add_argument_group("prompt and decoding")
    add_prompt_args(g, rows=False)
    g.add_argument("--max-new-tokens", type=int, default=1000,
                   help="max_tokens when a request gives none")
    g = p.add_argument_group("capacity")
    g.add_argument("--max-batch-size", type=int, default=8, help="requests decoded together")
    g.add_argument("--max-queue", type=int, default=256, help="waiting requests before 503")
    g.add_argument("--max-request-bytes", type=int, default=4 << 20,
                   help="JSON bodies above it get 413")
    g.add_argument("--max-pdf-bytes", type=int, default=64 << 20,
                   help="PDF bodies above it get 413")
    g.add_argument("--request-timeout", type=float, default=3600.0,
                   help="seconds a request may take in all (queue and decoding); then 504 and "
                        "it is cancelled")
    return p.parse_args(argv)


def pdf_reader():
    """``data_conversion.sources.pdf.pdf_to_paper``, or None (501) when its parser is missing."""
    try:
        from data_conversion.sources.pdf import pdf_to_paper
    except ImportError as error:
        log.warning("PDF upload disabled: %s", error)
        return None
    return pdf_to_paper


def main(argv=None) -> int:
    from review_ext.serve.handler import Limits, ReviewServer
    from review_ext.serve.service import build_service

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.redirect_stdout(sys.stderr):  # stdout's first line is the URL
        service = build_service(args)
    limits = Limits(args.max_request_bytes, args.max_pdf_bytes)
    server = ReviewServer((args.host, args.port), service, limits, WEB_DIR, pdf_reader())
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.scheduler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
