"""What the server serves: one engine behind a batch scheduler, with the training prompt.

:func:`build_service` loads the model named by the settings resolver
(``review_ext.infer.settings``: option > ``review_suite.json`` > default) and raises
:class:`ServeError` when it cannot; a chat request's system message overrides the
server's system prompt. The prompt methods tokenize: the server calls them off its
event loop.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError
from review_ext.data.template import DEFAULT_TEMPLATE
from review_ext.serve.openai_api import ApiError, parse_chat, parse_prompt
from review_ext.serve.options import ServeOptions

log = logging.getLogger(__name__)


@dataclass
class ReviewService:
    """What a request needs: the engine's queue, the tokenizer and the prompt defaults."""

    engine: object
    scheduler: object
    names: list[str]  # the model's names in the API; the first is the one listed
    system: str
    max_length: int
    max_new_tokens: int
    max_prompt_tokens: int | None
    timeout: float  # a request's whole time: queue and decoding
    template: str = DEFAULT_TEMPLATE  # a name of review_ext.data.template.TEMPLATES
    injection: str = "flag"  # papers that talk to the reviewer: flag, strip or refuse
    rated: bool = False  # the model trained the [Rating] block (its review_suite.json)
    venue: str | None = None  # a rated model's venue: the scale it is asked for and read on
    # one fast tokenizer shared by request threads: encode under a lock
    tokenizer_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def tokenizer(self):
        return self.engine.tokenizer

    def check_model(self, body: dict) -> None:
        """404 for a request that names another model (none named: this one)."""
        model = body.get("model")
        if model is not None and model not in self.names:
            raise ApiError(404, f"model {model!r} does not exist; this server serves "
                                f"{self.name!r}", "model", type="not_found_error")

    def screen(self, paper: str, pdf: bytes | None = None) -> tuple[str, dict | None]:
        """The paper the model reads under the server's injection policy, and the screening
        block (None: no findings); 422 under ``refuse`` when a finding is flagged."""
        from review_ext.screen import Refused, screen_paper

        try:
            paper, _, found = screen_paper(paper, self.injection, pdf)
        except Refused as error:
            raise ApiError(422, f"refused: {error}", "messages",
                           type="invalid_request_error") from error
        return paper, found

    def chat_prompt(self, body: dict, params) -> tuple[list[int], int, dict]:
        """Prompt ids for a chat request, the paper tokens trimmed away, and what the response
        carries besides the review (the paper's ``screening``)."""
        from review_ext.infer.prompting import PromptTooLong, build_prompt, prompt_budget

        system, paper = parse_chat(body)
        system = self.system if system is None else system
        paper, found = self.screen(paper)
        try:
            budget = prompt_budget(self.max_length, params.max_new_tokens, self.max_prompt_tokens)
            with self.tokenizer_lock:
                prompt = build_prompt(self.tokenizer, paper, system, budget, self.template,
                                      self.venue if self.rated else None)
        except (PromptTooLong, ValueError) as error:
            raise ApiError(400, f"input too long: {error}", "messages") from error
        return prompt.ids, prompt.dropped_tokens, {"screening": found} if found else {}

    def reply_fields(self, token_ids) -> dict:
        """A rated model's ``rating`` (its ``[Rating]`` block read on the venue's scale)."""
        from review_ext.formats.rating import rating_fields

        if not self.rated:
            return {}
        text = self.tokenizer.decode(token_ids, skip_special_tokens=True)
        return {"rating": rating_fields(text, self.venue)}

    def completion_prompt(self, body: dict, params) -> tuple[list[int], int, dict]:
        """A raw prompt's ids (BOS + text, as vLLM does), used as is (a rendered prompt, not a
        paper: clients such as ``tools/infer.py`` screen the paper before rendering it)."""
        prompt = parse_prompt(body)
        if isinstance(prompt, str):
            with self.tokenizer_lock:
                prompt = self.tokenizer.encode(prompt)
        vocab = len(self.tokenizer)
        if max(prompt) >= vocab:
            raise ApiError(400, f"token id {max(prompt)} is outside the vocabulary "
                                f"(0..{vocab - 1})", "prompt")
        context = self.engine.max_context
        if len(prompt) + params.max_new_tokens > context:
            raise ApiError(400, f"prompt ({len(prompt)} tokens) + max_tokens "
                                f"({params.max_new_tokens}) exceeds the context of {context}",
                           "prompt")
        return prompt, 0, {}

    def models(self) -> dict:
        model = {"id": self.name, "object": "model", "created": 0, "owned_by": "review-suite",
                 "max_model_len": self.max_length}
        return {"object": "list", "data": [model]}


class ServeError(ReviewSuiteError):
    """The server cannot start: no model, a model that does not load, an address in use."""


def build_service(options: ServeOptions) -> ReviewService:
    """Load the engine and resolve the prompt settings of ``options``."""
    from review_ext.generate.args import load_engine
    from review_ext.infer.settings import check_end_of_turn, resolve
    from review_ext.serve.scheduler import BatchScheduler

    engine_options = options.engine
    try:
        settings = resolve(engine_options.model, engine_options.adapter, options.system,
                           options.max_length, options.template)
        log.info("settings: %s", settings.describe())
        engine_options = replace(engine_options, model=settings.model)
        engine = load_engine(engine_options)
        check_end_of_turn(engine, settings.template)
    except ReviewSuiteError as error:
        raise ServeError(str(error)) from error
    names = list(options.names) or [Path(engine_options.adapter or settings.model).name]
    system = settings.system_for(None)
    max_length = settings.max_length_for(engine.max_context)
    log.info("serving %s as %r: system %r..., max_length %d", settings.model, names[0],
             system[:40], max_length)
    scheduler = BatchScheduler(engine, options.max_batch_size, options.max_queue)
    return ReviewService(engine, scheduler, names, system, max_length, options.max_new_tokens,
                         options.max_prompt_tokens, options.request_timeout, settings.template,
                         options.injection, bool((settings.metadata or {}).get("rating")),
                         options.venue)
