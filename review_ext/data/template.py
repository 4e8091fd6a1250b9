"""The named prompt templates: training, EvaluateChatHook and inference all render here.

A recipe names one in PART 1 (``prompt_template``); the HF folders it writes record the
name in ``review_suite.json`` (key ``template``). ``mixtral`` is XTuner's
``PROMPT_TEMPLATE.mixtral`` (a system turn, then the paper turn)::

    <s>[INST] {system} [/INST]\\n[INST] {paper} [/INST]{review}</s>

``chatml`` is the ChatML layout of SmolLM2, Qwen and others (no BOS; the turn ends with
``<|im_end|>``)::

    <|im_start|>system\\n{system}<|im_end|>\\n<|im_start|>user\\n{paper}<|im_end|>\\n<|im_start|>assistant\\n{review}<|im_end|>

A rated recipe (``rating = True``) asks for the ``[Rating]`` block in the system prompt,
naming the row's venue scale (:func:`rated_system`), so rows of venues with different
scales train together.

Token ids are always built as ``prefix + encode(prompt_text)`` (prefix: BOS where the
template has one) so the ids a sample trains on and the ids inference feeds the model
are the same list. A new template (``llama3``: BOS, ``<|start_header_id|>`` turns, ends
with ``<|eot_id|>``) is one more :class:`Template` in ``TEMPLATES`` and a test against
its tokenizer's chat template.
"""
from __future__ import annotations

from dataclasses import dataclass

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



@dataclass(frozen=True)
class Template:
    """One prompt layout. ``system``/``instruction`` are XTuner ``PROMPT_TEMPLATE`` strings."""

    name: str
    system: str  # with {system}
    instruction: str  # with {input}; ends where the review starts
    bos: bool  # prompt ids open with the tokenizer's BOS
    end_of_turn: str | None = None  # the token closing the review; None: the tokenizer's EOS

    def xtuner(self) -> dict:
        """The ``prompt_template`` dict XTuner's hooks render (same strings as
        :func:`render_prompt`)."""
        stops = [self.end_of_turn] if self.end_of_turn else []
        return dict(SYSTEM=self.system, INSTRUCTION=self.instruction, SEP="\n", STOP_WORDS=stops)


TEMPLATES = {
    "mixtral": Template(
        "mixtral",
        system="[INST] {system} [/INST]\n",
        instruction="[INST] {input} [/INST]",
        bos=True,
    ),
    "chatml": Template(
        "chatml",
        system="<|im_start|>system\n{system}<|im_end|>\n",
        instruction="<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n",
        bos=False,
        end_of_turn="<|im_end|>",
    ),
}
DEFAULT_TEMPLATE = "mixtral"
# Names older review_suite.json files carry for a template of TEMPLATES.
LEGACY_NAMES = {
    "review_mixtral": "mixtral",
    "xtuner.mixtral": "mixtral",
}  # XTuner's renders the same


def get_template(template: str | Template | None = DEFAULT_TEMPLATE) -> Template:
    """A :class:`Template` from its name (or a legacy name); None gives the default."""
    if isinstance(template, Template):
        return template
    name = LEGACY_NAMES.get(template or DEFAULT_TEMPLATE, template or DEFAULT_TEMPLATE)
    if name not in TEMPLATES:
        raise ValueError(f"unknown prompt template {template!r}: use one of {', '.join(TEMPLATES)} "
                         "(prompt_template in the config's PART 1)")
    return TEMPLATES[name]


def resolve_system(system: str | None) -> str:
    """A preset name (``v1``/``v2``) gives its text; any other string is used as is."""
    if system is None:
        return ""
    return SYSTEM_PRESETS.get(system, system)


def rated_system(system: str | None, venue: str | None = None) -> str:
    """The system prompt text: the preset resolved (:func:`resolve_system`) and, given a venue
    (a rated recipe's row), the request for the ``[Rating]`` block on that venue's scale.

    The one place a rated prompt is rendered: training, the chat hook and inference call it.
    Raises LookupError for a venue without a rating scale in the venue table.
    """
    text = resolve_system(system)
    if venue is None:
        return text
    from review_ext.formats.rating import instruction, venue_scales

    ask = instruction(venue_scales(venue))
    return f"{text}\n\n{ask}" if text else ask


def render_prompt(
    paper: str, system: str | None = DEFAULT_SYSTEM, template=DEFAULT_TEMPLATE
) -> str:
    """The prompt text (no BOS) for one paper, ending where the review starts."""
    t = get_template(template)
    system = resolve_system(system)
    head = t.system.format(system=system) if system else ""
    return head + t.instruction.format(input=paper)


def prompt_parts(system: str | None = DEFAULT_SYSTEM, template=DEFAULT_TEMPLATE) -> tuple[str, str]:
    """The prompt text before and after the paper (for budgeting the paper alone)."""
    marker = "\x00PAPER\x00"
    before, after = render_prompt(marker, system, template).split(marker)
    return before, after


def prefix_ids(tokenizer, template=DEFAULT_TEMPLATE) -> list[int]:
    """The ids before the rendered prompt: ``[BOS]`` for templates that open with it, else none."""
    return [tokenizer.bos_token_id] if get_template(template).bos else []


def encode_prompt(
    tokenizer, paper: str, system: str | None = DEFAULT_SYSTEM, template=DEFAULT_TEMPLATE
) -> list[int]:
    """Prompt token ids: the prefix + the rendered prompt, as training and inference use them."""
    text = render_prompt(paper, system, template)
    return prefix_ids(tokenizer, template) + tokenizer.encode(text, add_special_tokens=False)


def end_of_turn_id(tokenizer, template=DEFAULT_TEMPLATE) -> int:
    """The id that ends a review: the template's end-of-turn token, else the tokenizer's EOS."""
    token = get_template(template).end_of_turn
    return tokenizer.eos_token_id if token is None else tokenizer.convert_tokens_to_ids(token)


def encode_review(tokenizer, review: str, template=DEFAULT_TEMPLATE) -> list[int]:
    """Target token ids: the review then the end of the turn."""
    return tokenizer.encode(review, add_special_tokens=False) + [
        end_of_turn_id(tokenizer, template)
    ]
