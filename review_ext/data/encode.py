"""Token-budgeted encoding of one paper -> review sample.

``BOS + prompt(system, paper) + review + EOS <= max_length``: the review and EOS are
reserved first and the paper is trimmed to what is left (:func:`fit_paper`), section
by section: ``[CONTENT]`` from its end, then ``[CAPTIONS]``, then any unheaded text,
then ``[ABSTRACT]`` and ``[TITLE]``. Only when the review alone does not fit is its
tail cut; such a review gets no EOS, since it does not end there.

Trimming is done on the text and checked by re-encoding, so inference calling
``encode_prompt(tokenizer, fit_paper(...)[0], system, template)`` gets the training prompt ids.

With ``rating`` a row that has a rating gets the ``[Rating]`` block after its four parts and
the request for it, naming its venue's scale, in the system prompt
(:func:`review_ext.data.template.rated_system`); the block is part of the review, so the
budget keeps it whole. A row without a rating is encoded as without ``rating`` and counted.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from review_ext.data.template import (
    DEFAULT_TEMPLATE,
    encode_prompt,
    encode_review,
    prefix_ids,
    prompt_parts,
    rated_system,
    render_prompt,
)
from review_ext.formats.rating import append_block, render_rating, row_scores, venue_scales
from review_ext.formats.text import split_blocks

IGNORE_INDEX = -100  # xtuner.utils.IGNORE_INDEX (not imported: it pulls in torch)

CUT_ORDER = ("CONTENT", "CAPTIONS", "OTHER", "ABSTRACT", "TITLE")
MAX_ROUNDS = 16  # re-encode/cut rounds; each removes at least the measured excess

DROP_NOT_SINGLE_TURN = "not a single-turn conversation"
DROP_EMPTY_PAPER = "empty paper"
DROP_EMPTY_REVIEW = "empty review"
DROP_NO_ROOM = "template and system alone exceed max_length"
DROP_UNKNOWN_VENUE = "rating of a venue without a scale in the venue table"
DROP_OFF_SCALE = "rating or confidence off its venue's scale"


@dataclass
class FitInfo:
    """What :func:`fit_paper` kept: the prompt ids and token counts of the paper."""

    prompt_ids: list[int]
    paper_tokens: int
    kept_paper_tokens: int
    cut_blocks: list[str] = field(default_factory=list)

    @property
    def trimmed(self) -> bool:
        return bool(self.cut_blocks)


def _encode(tokenizer, text: str) -> tuple[list[int], list[int]]:
    """Token ids of ``text`` (no special tokens) and each token's end offset."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return enc["input_ids"], [end for _, end in enc["offset_mapping"]]


def _word_start(text: str, lo: int, cut: int, reach: int = 64) -> int:
    """Move ``cut`` back to a whitespace if it falls inside a word (within ``reach``)."""
    if cut >= len(text) or cut <= lo or text[cut].isspace() or text[cut - 1].isspace():
        return cut
    for i in range(cut - 1, max(lo, cut - reach), -1):
        if text[i].isspace():
            return i
    return cut


def _cut(paper: str, ends: list[int], shift: int, excess: int) -> tuple[str, list[str]]:
    """Remove about ``excess`` tokens from the paper in ``CUT_ORDER``; return text and cut blocks.

    ``ends`` are the token end offsets of the rendered prompt, in which the paper starts
    at character ``shift``. A block cut into its header is dropped whole.
    """
    def count(lo: int, hi: int) -> int:
        return bisect_right(ends, shift + hi) - bisect_right(ends, shift + lo)

    blocks = split_blocks(paper)
    keep_to = {i: end for i, (_, _, _, end) in enumerate(blocks)}
    cut_names = []
    for name in CUT_ORDER:
        for i in reversed(range(len(blocks))):
            kind, start, body, end = blocks[i]
            if excess <= 0 or kind != name:
                continue
            cut_names.append(name)
            body_tokens = count(body, end)
            if excess >= body_tokens:
                del keep_to[i]
                excess -= count(start, end)
                continue
            last = bisect_right(ends, shift + body) + body_tokens - excess - 1
            keep_to[i] = _word_start(paper, body, ends[last] - shift)
            excess = 0
    kept = (paper[blocks[i][1]:stop].rstrip() for i, stop in sorted(keep_to.items()))
    return "\n\n".join(k for k in kept if k), cut_names


def fit_paper(tokenizer, paper: str, system: str | None, budget: int,
              template=DEFAULT_TEMPLATE) -> tuple[str, FitInfo]:
    """Trim ``paper`` so that ``len(encode_prompt(tokenizer, text, system, template)) <= budget``.

    Returns the trimmed text and a :class:`FitInfo` whose ``prompt_ids`` equal
    ``encode_prompt(tokenizer, text, system, template)``. Raises ``ValueError`` when even
    an empty paper does not fit.
    """
    shift = len(prompt_parts(system, template)[0])
    prefix = prefix_ids(tokenizer, template)
    text, cut_blocks, paper_tokens, slack = paper, [], None, 0
    for _ in range(MAX_ROUNDS):
        ids, ends = _encode(tokenizer, render_prompt(text, system, template))
        kept = bisect_right(ends, shift + len(text)) - bisect_right(ends, shift)
        paper_tokens = kept if paper_tokens is None else paper_tokens
        excess = len(prefix) + len(ids) - budget
        if excess <= 0:
            info = FitInfo(prefix + ids, paper_tokens, kept, cut_blocks)
            return text, info
        if not text:
            raise ValueError(f"the prompt without a paper needs {len(prefix) + len(ids)} "
                             f"tokens > budget {budget}")
        cut, names = _cut(text, ends, shift, excess + slack)
        # A cut of only trailing whitespace tokens leaves the text as it was: cut deeper.
        slack = 0 if len(cut) < len(text) else 2 * slack + excess
        text = cut
        cut_blocks += [n for n in names if n not in cut_blocks]
    raise ValueError(f"the paper did not fit {budget} tokens in {MAX_ROUNDS} rounds of cuts")


def encode_sample(tokenizer, paper: str, review: str, system: str | None, max_length: int,
                  template=DEFAULT_TEMPLATE) -> dict:
    """``input_ids``/``labels`` of one sample within ``max_length``, and what was cut.

    Labels are ``IGNORE_INDEX`` on the prompt; the review and EOS are supervised.
    """
    target = encode_review(tokenizer, review, template)
    empty = len(encode_prompt(tokenizer, "", system, template))
    if empty >= max_length:
        raise ValueError(DROP_NO_ROOM)
    review_cut = max(0, empty + len(target) - max_length)
    if review_cut:  # the review alone overflows: no paper, review tail (and EOS) cut
        target = target[: max_length - empty]
        text, info = fit_paper(tokenizer, paper, system, empty, template)
    else:
        text, info = fit_paper(tokenizer, paper, system, max_length - len(target), template)
    prompt = info.prompt_ids
    return dict(
        input_ids=prompt + target,
        labels=[IGNORE_INDEX] * len(prompt) + target,
        length=len(prompt) + len(target),
        paper_trimmed=info.trimmed,
        review_trimmed=review_cut > 0,
        paper_tokens_cut=info.paper_tokens - info.kept_paper_tokens,
        review_tokens_cut=review_cut,
    )


def with_rating(row: dict, review: str, system: str | None) -> tuple[str | None, str, bool]:
    """``(system, review, rated)`` of a row for a rated recipe: with a rating, the system asking
    for the block on the row's venue scale and the review followed by the block; without one,
    both unchanged. LookupError: a venue the table lacks; ValueError: a score off its scale."""
    rating, confidence, venue = row_scores(row)
    if rating is None:
        return system, review, False
    if venue is None:
        raise LookupError("a rating without its venue")
    scales = venue_scales(venue)
    block = render_rating(rating, scales.rating, confidence, scales.confidence)
    return rated_system(system, venue), append_block(review, block), True


def encode_fn(example: dict, tokenizer, max_length: int, system: str | None = None,
              template=DEFAULT_TEMPLATE, rating: bool = False) -> dict:
    """XTuner-style map function for a ``{"conversation": [{system, input, output}]}`` record.

    ``system`` (a preset name or text) overrides the record's; ``template`` names the
    prompt layout (``review_ext.data.template.TEMPLATES``); ``rating``: the recipe trains the
    ``[Rating]`` block (:func:`with_rating`). A record that cannot be encoded gets empty ids
    and its reason in ``drop_reason`` (``""`` when kept); ``rated``/``unrated`` say whether a
    kept record of a rated recipe got the block.
    """
    turns = example.get("conversation") or []
    reason, rated = "", False
    if len(turns) != 1:
        reason = DROP_NOT_SINGLE_TURN
    else:
        turn = turns[0]
        paper, review = turn.get("input") or "", turn.get("output") or ""
        reason = (
            DROP_EMPTY_PAPER
            if not paper.strip()
            else DROP_EMPTY_REVIEW
            if not review.strip()
            else ""
        )
    if not reason:
        sys_text = system if system is not None else turn.get("system") or None
        try:
            if rating:
                sys_text, review, rated = with_rating(example, review, sys_text)
        except LookupError:
            reason = DROP_UNKNOWN_VENUE
        except ValueError:
            reason = DROP_OFF_SCALE
    if not reason:
        try:
            sample = encode_sample(tokenizer, paper, review, sys_text, max_length, template)
            return dict(sample, drop_reason="", rated=rated, unrated=rating and not rated)
        except ValueError:
            reason = DROP_NO_ROOM
    return dict(input_ids=[], labels=[], length=0, paper_trimmed=False, review_trimmed=False,
                paper_tokens_cut=0, review_tokens_cut=0, drop_reason=reason, rated=False,
                unrated=False)
