"""Packed attention: the logits of a packed bin equal those of each sample run alone."""
import pytest
import torch
from mmengine import MessageHub

from review_ext.train import attention, patches


@pytest.fixture
def packed_hub():
    hub = MessageHub.get_instance("varlen_attn_args")

    def put(cumulative):
        hub.update_info("cumulative_len_rank_0", torch.tensor(cumulative, dtype=torch.int32))
        hub.update_info("max_seqlen_rank_0", max(b - a for a, b in zip(cumulative, cumulative[1:])))

    yield put
    hub.update_info("cumulative_len_rank_0", None)
    hub.update_info("max_seqlen_rank_0", None)


def test_packed_bin_logits_equal_each_sample_alone(tiny_model, packed_hub):
    from transformers import AutoModelForCausalLM

    from review_ext.data.packing import concat_bin

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(
        tiny_model, torch_dtype=torch.float32, attn_implementation="sdpa"
    )
    samples = [torch.randint(3, 32000, (n,)).tolist() for n in (7, 12, 5)]
    item = concat_bin(samples, samples, use_varlen_attn=True)
    ids = torch.tensor([item["input_ids"]])
    positions = torch.tensor([item["position_ids"]])
    alone = torch.cat([model(torch.tensor([s])).logits[0] for s in samples])
    patches.packed_attention()  # False when an earlier test applied it already
    from transformers.models.mixtral import modeling_mixtral
    assert hasattr(modeling_mixtral.MixtralAttention.forward, "hf_forward")
    unpacked = model(ids, position_ids=positions, use_cache=False).logits[
        0
    ]  # hub empty: transformers' forward
    assert not torch.allclose(
        unpacked, alone, atol=1e-3
    )  # samples 2 and 3 see the ones before them
    packed_hub(item["cumulative_len"])
    packed = model(ids, position_ids=positions, use_cache=False).logits[0]  # as in training
    torch.testing.assert_close(packed, alone, rtol=1e-4, atol=1e-4)


def test_per_sample_attention_gradients_stay_within_samples():
    q = torch.randn(10, 4, 8, requires_grad=True)
    k, v = torch.randn(10, 2, 8), torch.randn(10, 2, 8)
    out = attention.packed_attention(q, k, v, torch.tensor([0, 6, 10]), 6, 8 ** -0.5)
    out[7:].sum().backward()  # second sample only
    assert q.grad[:6].abs().sum() == 0 and q.grad[6:].abs().sum() > 0


def test_one_sample_bin_takes_one_sdpa_call_equal_to_transformers(
    tiny_model, packed_hub, monkeypatch
):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(
        tiny_model, torch_dtype=torch.float32, attn_implementation="sdpa"
    )
    ids = torch.randint(3, 32000, (1, 19))
    reference = model(ids, use_cache=False).logits  # hub empty: transformers' forward
    patches.packed_attention()
    calls, sdpa = [], attention.causal_sdpa
    monkeypatch.setattr(
        attention, "packed_attention", lambda *a: calls.append("packed")
    )  # must not be reached
    monkeypatch.setattr(attention, "causal_sdpa", lambda *a: calls.append("sdpa") or sdpa(*a))
    packed_hub([0, 19])
    packed = model(ids, position_ids=torch.arange(19)[None], use_cache=False).logits
    assert calls == ["sdpa"] * model.config.num_hidden_layers
    torch.testing.assert_close(packed, reference, rtol=1e-5, atol=1e-5)


def test_sdpa_padded_to_a_bucket_equals_unpadded():
    torch.manual_seed(2)
    q0 = torch.randn(1, 4, 13, 8)
    k0, v0 = torch.randn(1, 2, 13, 8), torch.randn(1, 2, 13, 8)
    results = []
    for bucket in (1, 8):
        q, k, v = (t.clone().requires_grad_() for t in (q0, k0, v0))
        out = attention.causal_sdpa(q, k, v, 8 ** -0.5, bucket)
        assert out.shape == (1, 4, 13, 8)
        (out * torch.arange(13.0)[:, None]).sum().backward()
        results.append((out, q.grad, k.grad, v.grad))
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
