"""Inference prompts: a paper trimmed as training trims it, rendered with the one template.

``infer.py`` and ``serve.py`` both build prompts here, so the ids a test paper is
decoded from equal the ids the same paper trained on (``encode_prompt``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from review_ext.common.errors import ReviewSuiteError
from review_ext.data.template import (
    DEFAULT_TEMPLATE,
    encode_prompt,
    rated_system,
    render_prompt,
)

log = logging.getLogger(__name__)


class PromptTooLong(ReviewSuiteError, ValueError):
    """The prompt does not fit its token budget even after trimming the paper."""


@dataclass
class Prompt:
    # the template's prefix ids (BOS for mixtral) + render_prompt(...): what the model sees
    ids: list[int]
    # render_prompt(paper, system, template) without that prefix: what a completions server gets
    text: str
    system: str  # the resolved system prompt text (with the rating ask for a venue)
    paper: str  # the (possibly trimmed) paper
    dropped_tokens: int = 0  # paper tokens cut to fit the budget


def build_prompt(tokenizer, paper: str, system: str | None, budget: int | None = None,
                 template: str = DEFAULT_TEMPLATE, venue: str | None = None) -> Prompt:
    """The prompt for one paper in the named ``template``, trimmed by
    ``review_ext.data.encode.fit_paper`` to ``budget`` tokens; ``venue`` (a rated model's):
    the system asks for the ``[Rating]`` block on that venue's scale, as training did."""
    system = rated_system(system, venue)
    if budget is None:
        ids = encode_prompt(tokenizer, paper, system, template)
        return Prompt(ids, render_prompt(paper, system, template), system, paper)
    from review_ext.data.encode import fit_paper

    try:
        paper, info = fit_paper(tokenizer, paper, system, budget, template)
    except ValueError as error:
        raise PromptTooLong(str(error)) from error
    return Prompt(info.prompt_ids, render_prompt(paper, system, template), system, paper,
                  dropped_tokens=info.paper_tokens - info.kept_paper_tokens)


def prompt_budget(max_length: int | None, max_new_tokens: int,
                  max_prompt_tokens: int | None = None) -> int | None:
    """Tokens left for the prompt: ``max_prompt_tokens``, else ``max_length - max_new_tokens``."""
    if max_prompt_tokens:
        return max_prompt_tokens
    if max_length:
        if max_length <= max_new_tokens:
            raise ValueError(f"max_length {max_length} leaves no room for the prompt beside "
                             f"{max_new_tokens} new tokens")
        return max_length - max_new_tokens
    return None
