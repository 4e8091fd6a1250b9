"""Inference settings, resolved in one place for ``tools/infer.py`` and ``tools/serve.py``.

Each setting comes from the first of: the command-line flag, the model's
``review_suite.json`` (what training used), the test row (the system prompt only), the
default. The model itself comes from ``--model``, else the base named in the adapter's
``review_suite.json``, else the last HF folder the pipeline wrote
(``review_ext.checkpoint.artifacts.read_last_model``). ``max_length`` is clamped to the
model's context: a longer budget would only make the engine refuse every long paper.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from review_ext.checkpoint.artifacts import (
    LAST_MODEL_FILE,
    METADATA_FILE,
    read_last_model,
    read_metadata,
)
from review_ext.common.cli import positive_int
from review_ext.common.errors import ReviewSuiteError
from review_ext.data.template import DEFAULT_SYSTEM, DEFAULT_TEMPLATE, TEMPLATES, get_template

log = logging.getLogger(__name__)


class NoModel(ReviewSuiteError, ValueError):
    """No model was named and the pipeline has not recorded one."""


@dataclass
class Settings:
    """What to load and how to prompt; each ``*_source`` says where the value came from."""

    model: str | None
    model_source: str
    adapter: str | None = None
    system: str | None = None  # None: the row's own, else DEFAULT_SYSTEM
    system_source: str = "row, else default"
    max_length: int | None = None  # None: the model's context
    max_length_source: str = "model context"
    template: str = DEFAULT_TEMPLATE
    template_source: str = "default"
    metadata: dict | None = None

    def system_for(self, row_system: str | None = None) -> str:
        """The system prompt for one row (or request): flag > metadata > row > default."""
        return self.system or row_system or DEFAULT_SYSTEM

    def max_length_for(self, context: int | None) -> int | None:
        """``max_length`` (flag > metadata > context), never above the model's ``context``."""
        wanted = self.max_length or context
        if wanted and context and wanted > context:
            log.warning("max_length %d (%s) exceeds the model's context of %d: using %d",
                        wanted, self.max_length_source, context, context)
            return context
        return wanted

    def describe(self) -> str:
        return (f"model {self.model} ({self.model_source}); system: {self.system_source}; "
                f"max_length: {self.max_length_source}; template {self.template} "
                f"({self.template_source})")


@dataclass(frozen=True)
class PromptOptions:
    """How to prompt, as given (None: not given; :func:`resolve` fills in the rest)."""

    template: str | None = None
    system: str | None = None  # a preset name (v1, v2) or the text
    max_length: int | None = None  # prompt + review, as in training
    max_prompt_tokens: int | None = None  # None: max_length - the new tokens


def add_prompt_args(group, rows: bool) -> None:
    """The flags of :class:`PromptOptions`, for ``tools/infer.py`` (``rows``: the test rows
    carry a system prompt) and ``tools/serve.py``."""
    group.add_argument(
        "--template",
        choices=sorted(TEMPLATES),
        help=f"prompt template (default: review_suite.json's, else {DEFAULT_TEMPLATE})",
    )
    group.add_argument("--system", help="system prompt: a preset (v1, v2) or text (default, as in "
                       "training: review_suite.json's, " + ("else the row's, " if rows else "")
                       + f"else {DEFAULT_SYSTEM})")
    group.add_argument("--max-length", type=positive_int,
                       help="training max_length: prompt + review (default: review_suite.json's, "
                            "else the model's context; never above the model's context)")
    group.add_argument("--max-prompt-tokens", type=positive_int, help="trim papers to this many "
                       "prompt tokens (default: max_length - the new tokens)")


def prompt_from_cli_args(args) -> PromptOptions:
    """The :class:`PromptOptions` of :func:`add_prompt_args`' flags."""
    return PromptOptions(template=args.template, system=args.system, max_length=args.max_length,
                         max_prompt_tokens=args.max_prompt_tokens)


def check_end_of_turn(engine, template: str) -> None:
    """Refuse an engine that would not stop where ``template`` ends a review (training's target)."""
    from review_ext.data.template import end_of_turn_id

    want = end_of_turn_id(engine.tokenizer, template)
    if want != engine.eos_token_id:
        raise ReviewSuiteError(
            f"template {template!r} ends a review with token id {want}, but the model stops at "
            f"its EOS id {engine.eos_token_id}: set the model folder's eos_token to the "
            "template's end of turn (as tools/make_smollm2.py does) or choose `template`")


def suite_metadata(*folders) -> tuple[Path | None, dict]:
    """The first ``review_suite.json`` among ``folders``: (its folder, its content)."""
    for folder in folders:
        if folder and Path(folder).is_dir():
            meta = read_metadata(Path(folder), missing_ok=True)
            if meta:
                return Path(folder), meta
    return None, {}


def template_name(value: str | None) -> str:
    """A name of ``review_ext.data.template.TEMPLATES`` (older names read as theirs); a template
    this suite cannot render falls back to the default, with a warning."""
    try:
        return get_template(value).name
    except ValueError:
        log.warning("the model was trained with template %r, which inference cannot render: "
                    "using %r (choose one with the template option)", value, DEFAULT_TEMPLATE)
        return DEFAULT_TEMPLATE


def last_model(pointer: Path = LAST_MODEL_FILE) -> tuple[str, str]:
    """(folder, why) from the pipeline's last-model pointer; :class:`NoModel` when there is none."""
    record = read_last_model(pointer)
    if not record or not record.get("path"):
        raise NoModel(f"no model given and {pointer} does not exist: pass `model`, or run "
                      "tools/pth_to_hf.py or tools/merge_bf16.sh first (they record the model)")
    path = str(record["path"])
    if not Path(path).is_dir():
        raise NoModel(f"{pointer} names {path}, which no longer exists: pass `model`")
    return path, f"the last model written, by {record.get('written_by', '?')}, per {pointer}"


def resolve(model: str | None = None, adapter: str | None = None, system: str | None = None,
            max_length: int | None = None, template: str | None = None, need_model: bool = True,
            pointer: Path = LAST_MODEL_FILE) -> Settings:
    """Settings from the flags given (None: not given) and the model's metadata."""
    source = "--model" if model else None
    folder, meta = suite_metadata(adapter, model)
    if not model and meta.get("base_model"):
        model, source = meta["base_model"], f"base_model in {folder / METADATA_FILE}"
    if not model and not adapter and need_model:
        model, source = last_model(pointer)
        folder, meta = suite_metadata(model)
    if not model and need_model:
        raise NoModel(f"`model` is required: {adapter}'s {METADATA_FILE} names no base model")
    where = f"{folder / METADATA_FILE}" if folder else None
    settings = Settings(model, source or "not needed", adapter=adapter, metadata=meta or None)
    meta_system = meta.get("system_prompt") or meta.get("system")
    if system or meta_system:
        settings.system = system or meta_system
        settings.system_source = "--system" if system else where
    if max_length or meta.get("max_length"):
        settings.max_length = max_length or int(meta["max_length"])
        settings.max_length_source = "--max-length" if max_length else where
    if template or meta.get("template"):
        settings.template = template_name(template or meta["template"])
        settings.template_source = "--template" if template else where
    return settings
