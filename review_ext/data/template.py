"""The one prompt template: training, EvaluateChatHook and inference all render here.

The layout is XTuner's ``PROMPT_TEMPLATE.mixtral`` (a system turn, then the
paper turn)::

    <s>[INST] {system} [/INST]\\n[INST] {paper} [/INST]{review}</s>

Token ids are always built as ``[bos] + encode(prompt_text)`` so the ids a
sample trains on and the ids inference feeds the model are the same list.
"""
from __future__ import annotations

from review_ext.formats.text import REVIEW_HEADINGS  # noqa: F401  (re-exported for old imports)

SYSTEM_PRESETS = {
    "v1": (
        "You are a professional machine learning conference reviewer who reviews a given "
        "paper and considers 4 criteria: ** importance and novelty **, ** potential reasons "
        "for acceptance **, ** potential reasons for rejection **, and ** suggestions for "
        "improvement **. The given paper is as follows."
    ),
    "v2": (
        "You are a professional machine learning conference reviewer who reviews a given "
        "paper and considers 4 criteria: [Significance and novelty], [Potential reasons for "
        "acceptance], [Potential reasons for rejection], and [Suggestions for improvement]. "
        "For each criterion, provide random number of supporting points derived from the "
        "paper's content. And for each supporting point, use the format: '<title of "
        "supporting point>' followed by a detailed explanation. Your response should only "
        "include your reviews only, which means always start with [Significance and "
        "novelty], dont' repeat the given paper and output things other than your reviews in "
        "required format. The paper is given as follows:"
    ),
}

# The preset used wherever none is named (recipes v2/v3, converters, inference, the server).
DEFAULT_SYSTEM = "v2"


# Same strings as xtuner.utils.PROMPT_TEMPLATE.mixtral, so XTuner's own hooks
# (EvaluateChatHook) render exactly what ``render_prompt`` renders.
PROMPT_TEMPLATE = dict(
    SYSTEM="[INST] {system} [/INST]\n",
    INSTRUCTION="[INST] {input} [/INST]",
    SEP="\n",
)
TEMPLATE_NAME = "review_mixtral"


def resolve_system(system: str | None) -> str:
    """A preset name (``v1``/``v2``) gives its text; any other string is used as is."""
    if system is None:
        return ""
    return SYSTEM_PRESETS.get(system, system)


def render_prompt(paper: str, system: str | None = DEFAULT_SYSTEM) -> str:
    """The prompt text (no BOS) for one paper, ending where the review starts."""
    system = resolve_system(system)
    head = PROMPT_TEMPLATE["SYSTEM"].format(system=system) if system else ""
    return head + PROMPT_TEMPLATE["INSTRUCTION"].format(input=paper)


def prompt_parts(system: str | None = DEFAULT_SYSTEM) -> tuple[str, str]:
    """The prompt text before and after the paper (for budgeting the paper alone)."""
    marker = "\x00PAPER\x00"
    before, after = render_prompt(marker, system).split(marker)
    return before, after


def encode_prompt(tokenizer, paper: str, system: str | None = DEFAULT_SYSTEM) -> list[int]:
    """Prompt token ids: BOS + the rendered prompt, as training and inference use them."""
    text = render_prompt(paper, system)
    return [tokenizer.bos_token_id] + tokenizer.encode(text, add_special_tokens=False)


def encode_review(tokenizer, review: str) -> list[int]:
    """Target token ids: the review then EOS."""
    return tokenizer.encode(review, add_special_tokens=False) + [tokenizer.eos_token_id]
