"""The patches module: each patch does what it says, once, and only when asked."""
import torch

from review_ext.train import patches


def test_apply_is_idempotent_and_cpu_query_answers_false():
    patches.apply()
    assert patches.apply() == {name: False for name in patches.PATCHES}
    assert torch.cpu.is_bf16_supported() is False  # XTuner then keeps the config's dtype


def test_xtuner_dtype_choice_runs_on_cpu_after_patch():
    from mmengine.config import ConfigDict
    from transformers import MixtralConfig
    from xtuner.model.sft import SupervisedFinetune

    patches.apply()
    cfg = ConfigDict(pretrained_model_name_or_path="x")
    out = SupervisedFinetune._prepare_for_flash_attn(cfg, MixtralConfig())
    assert out.attn_implementation == "sdpa"


def test_zero3_leaf_marks_every_moe_block(tiny_model):
    from transformers import AutoModelForCausalLM

    from review_ext.train.zero3 import mark_moe_leaf_modules

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert mark_moe_leaf_modules(model) == model.config.num_hidden_layers
    blocks = [m for m in model.modules() if type(m).__name__ == "MixtralSparseMoeBlock"]
    assert all(getattr(b, "_z3_leaf", False) for b in blocks)
