"""The grouped MoE block equals transformers' Mixtral block: outputs, router logits, gradients."""
import copy

import pytest
import torch
from transformers import MixtralConfig
from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

from review_ext.train import moe, patches
from review_ext.train.grouped_mm import grouped_mm, loop_mm

HF_FORWARD = getattr(MixtralSparseMoeBlock.forward, "hf_forward", MixtralSparseMoeBlock.forward)


def _block(lora: bool, seed=0):
    """A 4-expert top-2 block whose expert 3 is never chosen (its gate row points away from the
    inputs)."""
    torch.manual_seed(seed)
    config = MixtralConfig(
        hidden_size=32, intermediate_size=48, num_local_experts=4, num_experts_per_tok=2
    )
    block = MixtralSparseMoeBlock(config)
    with torch.no_grad():
        block.gate.weight.abs_()
        block.gate.weight[3] = -1.0
    if lora:
        from peft import LoraConfig, inject_adapter_in_model

        block = inject_adapter_in_model(
            LoraConfig(r=4, lora_alpha=8, target_modules=["w1", "w2", "w3"]), block
        )
        for name, p in block.named_parameters():
            p.requires_grad_("lora_" in name)
            if "lora_B" in name:
                torch.nn.init.normal_(
                    p, std=0.1
                )  # peft starts B at zero: gradients of A would be zero
    return block


def _inputs(tokens=23):
    return torch.rand(1, tokens, 32).requires_grad_()  # positive: expert 3's logit is always lowest


def _run(forward, block, x):
    out, logits = forward(block, x)
    out.pow(2).sum().backward()
    grads = {n: p.grad.clone() for n, p in block.named_parameters() if p.grad is not None}
    return out.detach(), logits.detach(), x.grad.clone(), grads


@pytest.mark.parametrize("lora", [True, False])
def test_grouped_block_equals_hf_block_with_idle_experts(lora):
    block = _block(lora)
    assert moe.supports(block)
    x = _inputs()
    _, chosen = moe.route(block.gate(x.view(-1, 32)), 2, x.dtype)
    assert (
        3 not in chosen.flatten().tolist() and len(set(chosen.flatten().tolist())) >= 2
    )  # expert 3 idle
    ours = _run(moe.moe_forward, block, x)
    ref_block, ref_x = copy.deepcopy(block), x.detach().clone().requires_grad_()
    theirs = _run(HF_FORWARD, ref_block, ref_x)
    for a, b in zip(ours[:3], theirs[:3]):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    assert set(ours[3]) == set(theirs[3]) and ours[3]
    if lora:
        assert any("lora_A" in n for n in ours[3]) and any("lora_B" in n for n in ours[3])
        assert all(
            ours[3][n].abs().sum() == 0 for n in ours[3] if ".3." in n
        )  # idle expert: no gradient
    else:
        assert set(ours[3]) > {"gate.weight"}
    for name in ours[3]:
        torch.testing.assert_close(ours[3][name], theirs[3][name], rtol=1e-4, atol=1e-5, msg=name)


def test_grouped_block_bf16_within_tolerance():
    block = _block(lora=True).to(torch.bfloat16)
    x = _inputs(40).detach().to(torch.bfloat16).requires_grad_()
    ours = _run(moe.moe_forward, block, x)
    theirs = _run(HF_FORWARD, copy.deepcopy(block), x.detach().clone().requires_grad_())
    for a, b in zip(ours[:3], theirs[:3]):
        assert ((a.float() - b.float()).norm() / b.float().norm()) < 1e-2
    for name in ours[3]:
        a, b = ours[3][name].float(), theirs[3][name].float()
        assert (a - b).norm() <= 2e-2 * b.norm(), name  # idle experts: both exactly zero


def test_grouped_mm_matches_per_group_matmuls():
    x = torch.randn(11, 6)
    w = torch.randn(3, 5, 6)
    offs = torch.tensor([4, 4, 11], dtype=torch.int32)  # group 1 empty
    y = grouped_mm(x, w, offs)
    torch.testing.assert_close(y, torch.cat([x[:4] @ w[0].T, x[4:] @ w[2].T]))
    torch.testing.assert_close(loop_mm(x, w, offs), y)


def test_patch_swaps_the_class_forward_and_model_logits_stay(tiny_model):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype=torch.float32)
    ids = torch.randint(3, 32000, (2, 30))
    before = model(ids).logits
    patches.grouped_moe()
    assert patches.grouped_moe() is False  # once
    assert MixtralSparseMoeBlock.forward.hf_forward is HF_FORWARD
    torch.testing.assert_close(model(ids).logits, before, rtol=1e-4, atol=1e-5)


def test_full_fine_tune_with_grouped_block_follows_hf_block_and_loss_falls():
    """v3's case (every weight trainable): eight AdamW steps give the loss curve of transformers'
    block."""
    import types

    from transformers import MixtralForCausalLM

    config = MixtralConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, num_local_experts=4,
                           num_experts_per_tok=2, max_position_embeddings=64)
    torch.manual_seed(0)
    ids = torch.randint(0, 64, (2, 24))
    curves = []
    for forward in (moe.moe_forward, HF_FORWARD):
        torch.manual_seed(1)
        model = MixtralForCausalLM(config)
        for block in model.modules():
            if isinstance(block, MixtralSparseMoeBlock):
                block.forward = types.MethodType(forward, block)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
        losses = []
        for _ in range(8):
            loss = model(ids, labels=ids).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        curves.append(losses)
    torch.testing.assert_close(curves[0], curves[1], rtol=1e-4, atol=1e-4)
    assert curves[0][-1] < curves[0][0] - 0.5
