"""A token callback that raises Cancelled stops its own prompt; the batch's others go on
unchanged."""

from __future__ import annotations

import pytest

from review_ext.data.template import encode_prompt
from review_ext.generate.engine import Cancelled, EngineOptions, HFEngine, SamplingParams
from review_ext.generate.loading import load_hf_model

pytestmark = pytest.mark.slow  # generates with the test model


def test_cancelled_row_stops_and_the_others_decode_as_before(tiny_model, tokenizer):
    engine = HFEngine(*load_hf_model(EngineOptions(model=str(tiny_model), dtype="float32",
                                                   device="cpu")))
    prompts = [encode_prompt(tokenizer, p, "v1") for p in ("A paper.", "Another, longer paper.")]
    params = SamplingParams(max_new_tokens=12, min_new_tokens=12)
    whole = engine.generate(prompts, params)
    seen: list[int] = []

    def leave_after_three(token: int) -> None:
        if len(seen) == 3:
            raise Cancelled("client_left")
        seen.append(token)

    got = engine.generate(prompts, params, [leave_after_three, None])
    assert got[0].finish_reason == "cancelled" and got[0].token_ids == seen == \
        whole[0].token_ids[:3]
    assert got[1].token_ids == whole[1].token_ids and got[1].finish_reason == "length"
    everyone_left = engine.generate(prompts, params, [leave_after_three, leave_after_three])
    assert [(c.finish_reason, c.token_ids) for c in everyone_left] == [("cancelled", [])] * 2
