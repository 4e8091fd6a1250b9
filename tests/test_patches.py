"""The patches module: each patch does what it says, once, and only when asked."""
import torch

from review_ext.train import patches


def test_apply_is_idempotent_and_cpu_query_answers_false():
    patches.apply()
    assert patches.apply() == {name: False for name in patches.PATCHES}
    assert torch.cpu.is_bf16_supported() is False  # XTuner then keeps the config's dtype


def test_xtuner_dtype_choice_runs_on_cpu_after_patch():
    from transformers import MixtralConfig
    from mmengine.config import ConfigDict
    from xtuner.model.sft import SupervisedFinetune

    patches.apply()
    cfg = ConfigDict(pretrained_model_name_or_path="x")
    out = SupervisedFinetune._prepare_for_flash_attn(cfg, MixtralConfig())
    assert out.attn_implementation == "sdpa"


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
    dense_out, dense_logits = patches.dense_moe_forward(block, x)
    torch.testing.assert_close(dense_logits, sparse_logits)
    torch.testing.assert_close(dense_out, sparse_out, rtol=1e-5, atol=1e-6)


def test_dense_moe_for_decode_switches_by_token_count(tiny_model):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    ids = torch.randint(3, 32000, (2, 40))
    before = model(ids).logits
    assert patches.dense_moe_for_decode(model, max_tokens=16) == model.config.num_hidden_layers
    assert patches.dense_moe_for_decode(model, max_tokens=16) == 0
    torch.testing.assert_close(model(ids).logits, before)  # 80 tokens: sparse path
    one = ids[:, :1]
    model_ref = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    torch.testing.assert_close(model(one).logits, model_ref(one).logits, rtol=1e-4, atol=1e-5)


def test_dense_moe_for_decode_again_moves_the_threshold(tiny_model, monkeypatch):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    ids = torch.randint(3, 32000, (2, 40))  # 80 tokens
    dense_calls, dense = [], patches.dense_moe_forward
    monkeypatch.setattr(patches, "dense_moe_forward", lambda *a: dense_calls.append(1) or dense(*a))
    patches.dense_moe_for_decode(model, max_tokens=16)
    model(ids)
    assert dense_calls == []
    assert patches.dense_moe_for_decode(model, max_tokens=100) == 0  # wrapped already: threshold moved
    model(ids)
    assert len(dense_calls) == model.config.num_hidden_layers


def test_zero3_leaf_marks_every_moe_block(tiny_model):
    from transformers import AutoModelForCausalLM

    from review_ext.train.zero3 import mark_moe_leaf_modules

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert mark_moe_leaf_modules(model) == model.config.num_hidden_layers
    blocks = [m for m in model.modules() if type(m).__name__ == "MixtralSparseMoeBlock"]
    assert all(getattr(b, "_z3_leaf", False) for b in blocks)
