"""EvaluateChatHook on real papers, rendered with the training template."""
from __future__ import annotations

from pathlib import Path

from xtuner.engine.hooks import EvaluateChatHook
from xtuner.registry import BUILDER

from review_ext.data.template import DEFAULT_SYSTEM, DEFAULT_TEMPLATE, get_template, rated_system
from review_ext.data.test_rows import TestRow, read_test_rows


def read_rows(path: str | Path, limit: int, rating: bool = False) -> list[TestRow]:
    """The first ``limit`` reviewable rows of a test file (any format ``tools/infer.py`` reads).

    ``rating``: only rows of the first row's venue, so that one system prompt (which names
    that venue's scale) serves them all.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: evaluation paper file not found; set `evaluation_file` in the config's "
            "PART 1 or pass --cfg-options custom_hooks.1.paper_file=PATH"
        )
    rows = [row for row in read_test_rows(path) if row.error is None]
    if rating and rows:
        rows = [row for row in rows if row.venue == rows[0].venue]
    return rows[:limit]


class ReviewChatHook(EvaluateChatHook):
    """Generate reviews for ``num_papers`` papers of ``paper_file`` every N iterations.

    Papers are trimmed as training trims them, to ``max_length - max_new_tokens``,
    and XTuner's hook tokenises ``SYSTEM + INSTRUCTION`` of the named ``template``
    (the recipe's ``prompt_template``), so the ids equal the training prompt's.
    ``rating`` (the recipe's): the system prompt asks for the ``[Rating]`` block on the
    papers' venue scale, as training does for a rated row (a paper without a venue: no ask).
    """

    def __init__(self, tokenizer, paper_file, num_papers=1, system=DEFAULT_SYSTEM, max_length=None,
                 max_new_tokens=600, template=DEFAULT_TEMPLATE, rating=False, **kwargs):
        rows = read_rows(paper_file, num_papers, rating)
        system = rated_system(system, rows[0].venue if rating and rows else None)
        template = get_template(template)
        papers = [row.paper for row in rows]
        if max_length:
            from review_ext.data.encode import fit_paper

            tok = BUILDER.build(tokenizer) if isinstance(tokenizer, dict) else tokenizer
            budget = max_length - max_new_tokens
            papers = [fit_paper(tok, p, system, budget, template)[0] for p in papers]
        super().__init__(
            tokenizer=tokenizer,
            evaluation_inputs=papers,
            system=system,
            prompt_template=template.xtuner(),
            # XTuner's default list is shared and grows
            stop_words=list(kwargs.pop("stop_words", [])),
            max_new_tokens=max_new_tokens,
            **kwargs,
        )
