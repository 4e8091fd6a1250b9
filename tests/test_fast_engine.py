"""The static-cache engine decodes exactly what the plain HF engine decodes."""
import pytest

from review_ext.generate.engine import EngineOptions, HFEngine, SamplingParams
from review_ext.generate.loading import load_hf_model


@pytest.fixture(scope="module")
def engines(tiny_model):
    from review_ext.generate.static_engine import StaticEngine

    model, tok = load_hf_model(EngineOptions(model=str(tiny_model), dtype="float32", device="cpu"))
    plain = HFEngine(model, tok)
    model2, tok2 = load_hf_model(EngineOptions(model=str(tiny_model), dtype="float32", device="cpu"))
    return plain, StaticEngine(model2, tok2, cache_len=96)


def test_static_engine_equals_hf_engine_on_unequal_prompts(engines, tokenizer):
    from review_ext.data.template import encode_prompt

    plain, static = engines
    assert static.dense_blocks == 2
    prompts = [encode_prompt(tokenizer, p, "v1") for p in ("A short paper.", "A much longer paper " * 6, "Mid paper text")]
    params = SamplingParams(max_new_tokens=12, min_new_tokens=12)
    want = plain.generate(prompts, params)
    got = static.generate(prompts, params)
    assert [c.token_ids for c in got] == [c.token_ids for c in want]
    again = static.generate(prompts[:2], params)  # cache reused for a new batch shape
    assert [c.token_ids for c in again] == [c.token_ids for c in want[:2]]
