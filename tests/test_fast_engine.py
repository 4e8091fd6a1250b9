"""The fast engine decodes exactly what HF ``generate`` decodes (tiny Mixtral, fp32, CPU).

Continuous batching included: fewer slots than prompts, reviews of mixed lengths (an EOS
the random model really emits), streamed tokens, and its kernels against the reference.
"""
from collections import Counter

import pytest
import torch

from review_ext.generate.engine import EngineOptions, HFEngine, SamplingParams
from review_ext.generate.loading import load_hf_model

TEXTS = ("A short paper.", "A much longer paper " * 6, "Mid paper text", "Graph networks " * 20,
         "We study X.", "Transformers " * 3)


pytestmark = pytest.mark.usefixtures("one_thread")


def load(tiny_model):
    return load_hf_model(EngineOptions(model=str(tiny_model), dtype="float32", device="cpu"))


@pytest.fixture(scope="module")
def engines(tiny_model):
    from review_ext.generate.static_engine import StaticEngine

    return HFEngine(*load(tiny_model)), StaticEngine(*load(tiny_model), bucket=64, sync_every=4)


@pytest.fixture(scope="module")
def prompts(tokenizer):
    from review_ext.data.template import encode_prompt

    return [encode_prompt(tokenizer, text, "v1") for text in TEXTS]


def set_eos(engine, eos: int) -> None:
    engine.eos_token_id = eos
    if getattr(engine, "decoder", None):
        engine.decoder.eos = eos


def one_at_a_time(engine, prompts, params):
    return [engine.generate([p], params)[0] for p in prompts]


def test_fast_engine_equals_hf_generate_on_unequal_prompts(engines, prompts):
    plain, fast = engines
    assert fast.decoder is not None and fast.dense_blocks == 2
    params = SamplingParams(max_new_tokens=12, min_new_tokens=12)
    want = plain.generate(prompts[:3], params)
    assert [c.token_ids for c in fast.generate(prompts[:3], params)] == [c.token_ids for c in want]
    again = fast.generate(prompts[:2], params)  # fewer prompts: the cache is reused, a slot idles
    assert [c.token_ids for c in again] == [c.token_ids for c in want[:2]]


@pytest.fixture(scope="module")
def mixed_eos(engines, prompts):
    """A token the model emits in some reviews at different steps and never in others."""
    plain, _ = engines
    free = one_at_a_time(plain, prompts, SamplingParams(max_new_tokens=24))
    seen = Counter(t for c in free for t in set(c.token_ids[1:]))
    for token, _ in seen.most_common():
        firsts = {c.token_ids.index(token) if token in c.token_ids else None for c in free}
        if len(firsts) >= 3 and None in firsts:
            return token
    pytest.fail("no token ends the reviews at mixed lengths")


def test_continuous_batching_with_mixed_lengths_equals_hf_generate(engines, prompts, mixed_eos):
    plain, fast = engines
    params = SamplingParams(max_new_tokens=24)
    try:
        set_eos(plain, mixed_eos)
        set_eos(fast, mixed_eos)
        want = one_at_a_time(plain, prompts, params)
        finished = list(fast.generate_sorted(list(enumerate(prompts)), params,
                                             2))  # 2 slots, 6 papers
        streamed = [[] for _ in prompts]
        together = fast.generate(prompts, params, on_token=[s.append for s in streamed])
    finally:
        set_eos(plain, plain.tokenizer.eos_token_id)
        set_eos(fast, fast.tokenizer.eos_token_id)
    lengths = {(len(c.token_ids), c.finish_reason) for c in want}
    assert {r for _, r in lengths} == {"stop", "length"} and len(lengths) >= 3
    assert sorted(keys[0] for keys, _ in finished) == list(range(len(prompts)))  # each paper once
    assert all(len(keys) == 1 for keys, _ in finished)
    got = {keys[0]: results[0] for keys, results in finished}
    assert [got[i] for i in range(len(prompts))] == want
    assert together == want
    assert streamed == [c.token_ids for c in want]


def test_top_k_1_sampling_and_repetition_penalty_match_hf(engines, prompts):
    plain, fast = engines
    greedy = plain.generate(prompts[:2], SamplingParams(max_new_tokens=8, min_new_tokens=8))
    top1 = fast.generate(
        prompts[:2],
        SamplingParams(max_new_tokens=8,
                       min_new_tokens=8,
                       do_sample=True,
                       top_k=1,
                       top_p=0.9,
                       temperature=0.7,
                       seed=3))
    assert top1 == greedy
    penalised = SamplingParams(max_new_tokens=8, min_new_tokens=8, repetition_penalty=1.3)
    assert fast.generate(prompts[:2], penalised) == plain.generate(prompts[:2],
                                                                   penalised)  # HF path


def test_too_long_prompt_is_its_own_error(engines, prompts):
    _, fast = engines
    long = list(prompts[0]) * (fast.max_context // len(prompts[0]) + 1)
    results = {
        keys[0]: res[0]
        for keys, res in fast.generate_sorted([("ok", prompts[2]), (
            "long", long)], SamplingParams(max_new_tokens=4), 2)
    }
    assert isinstance(results["long"], ValueError) and "exceeds" in str(results["long"])
    assert len(results["ok"].token_ids) == 4


@pytest.mark.parametrize("impl", ["sdpa", "matmul"])
def test_decode_attention_equals_repeated_kv_reference(impl):
    from review_ext.generate.kv_attention import decode_attention, length_mask

    torch.manual_seed(0)
    slots, heads, kv_heads, length, dim = 3, 8, 2, 40, 16
    q = torch.randn(slots, heads, dim)
    keys, values = torch.randn(slots, kv_heads, length,
                               dim), torch.randn(slots, kv_heads, length, dim)
    positions = torch.tensor([5, 39, 0])
    got = decode_attention(q, keys, values, length_mask(positions, length), dim**-0.5, impl)
    for s, p in enumerate(positions.tolist()):
        k = keys[s, :, :p + 1].repeat_interleave(heads // kv_heads, 0)  # transformers' repeat_kv
        v = values[s, :, :p + 1].repeat_interleave(heads // kv_heads, 0)
        ref = torch.softmax(q[s, :, None] @ k.transpose(-1, -2) * dim**-0.5, -1) @ v
        torch.testing.assert_close(got[s], ref.reshape(-1), rtol=1e-5, atol=1e-5)


def test_cache_step_writes_each_slot_at_its_position():
    from review_ext.generate.kv_attention import SlotKVCache

    cache = SlotKVCache(1,
                        slots=3,
                        kv_heads=2,
                        length=6,
                        head_dim=4,
                        dtype=torch.float32,
                        devices=[torch.device("cpu")])
    k = torch.arange(24, dtype=torch.float32).view(3, 2, 4)
    positions = torch.tensor([0, 5, 2])
    cache.write_step(0, k, -k, cache.step_index(positions))
    for s, p in enumerate(positions.tolist()):
        assert torch.equal(cache.keys[0][s, :, p], k[s]) and torch.equal(
            cache.values[0][s, :, p], -k[s])
    assert cache.keys[0].abs().sum() == k.abs().sum()  # nothing else written


def test_a_failing_decode_step_fails_the_papers_in_flight_and_goes_on(engines, prompts):
    _, fast = engines
    fast.decoder.model.attention = "no-such-kernel"  # prefill works, every decode step raises
    try:
        finished = list(
            fast.generate_sorted(list(enumerate(prompts)), SamplingParams(max_new_tokens=5), 2))
    finally:
        fast.decoder.model.attention = "sdpa"
    assert sorted(keys[0] for keys, _ in finished) == list(range(len(prompts)))
    assert all(
        isinstance(res[0], ValueError) and "attention must be" in str(res[0])
        for _, res in finished)
    ok = fast.generate(prompts[:1], SamplingParams(max_new_tokens=3, min_new_tokens=3))
    assert len(ok[0].token_ids) == 3  # the engine still works afterwards


def test_a_cancelled_callback_stops_its_slot_alone_as_hf_does(engines, prompts):
    from review_ext.generate.engine import Cancelled

    plain, fast = engines
    params = SamplingParams(max_new_tokens=12, min_new_tokens=12)

    def leave_after(n):
        seen = []

        def callback(token):
            if len(seen) == n:
                raise Cancelled("client_left")
            seen.append(token)

        return callback

    for n in (0, 3):
        want = plain.generate(prompts[:3], params, [None, leave_after(n), None])
        got = fast.generate(prompts[:3], params, [None, leave_after(n), None])
        assert got == want and got[1].finish_reason == "cancelled" and len(got[1].token_ids) == n
