"""Dense MoE decode steps: equal to Mixtral's sparse block, switched by the call's token count."""
import torch

from review_ext.generate import dense_moe


def test_dense_moe_equals_sparse_moe(tiny_model):
    from transformers import AutoModelForCausalLM
    from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    block = model.model.layers[0].block_sparse_moe
    x = torch.randn(3, 5, model.config.hidden_size)
    hf_forward = MixtralSparseMoeBlock.forward  # transformers' own, whatever ran before
    assert hf_forward.__module__ == "transformers.models.mixtral.modeling_mixtral"
    sparse_out, sparse_logits = hf_forward(block, x)
    dense_out, dense_logits = dense_moe.dense_moe_forward(block, x)
    torch.testing.assert_close(dense_logits, sparse_logits)
    torch.testing.assert_close(dense_out, sparse_out, rtol=1e-5, atol=1e-6)


def test_dense_moe_for_decode_switches_by_token_count(tiny_model):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    ids = torch.randint(3, 32000, (2, 40))
    before = model(ids).logits
    assert dense_moe.dense_moe_for_decode(model, max_tokens=16) == model.config.num_hidden_layers
    assert dense_moe.dense_moe_for_decode(model, max_tokens=16) == 0
    torch.testing.assert_close(model(ids).logits, before)  # 80 tokens: sparse path
    one = ids[:, :1]
    model_ref = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    torch.testing.assert_close(model(one).logits, model_ref(one).logits, rtol=1e-4, atol=1e-5)


def test_dense_moe_for_decode_again_moves_the_threshold(tiny_model, monkeypatch):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    ids = torch.randint(3, 32000, (2, 40))  # 80 tokens
    dense_calls, dense = [], dense_moe.dense_moe_forward
    monkeypatch.setattr(dense_moe, "dense_moe_forward",
                        lambda *a: dense_calls.append(1) or dense(*a))
    dense_moe.dense_moe_for_decode(model, max_tokens=16)
    model(ids)
    assert dense_calls == []
    # wrapped already: the threshold moved
    assert dense_moe.dense_moe_for_decode(model, max_tokens=100) == 0
    model(ids)
    assert len(dense_calls) == model.config.num_hidden_layers
