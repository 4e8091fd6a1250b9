"""The forward pass of a loaded HF decoder (Mixtral, Mistral, Llama layout) over a slot cache.

:class:`SlotModel` calls the model's own modules (norms, projections, rotary embedding,
MoE block) but does attention itself (:mod:`review_ext.generate.kv_attention`):
``prefill`` runs one unpadded prompt into a slot and returns the logits of its last token;
``decode`` runs one token for every slot with fixed shapes (so it can be captured as a
CUDA graph) and attends over ``kv_len`` cached positions only. Layers may sit on several
devices (a model spread by ``device_map``): hidden states follow the layers, and each
layer's cache lives beside it. MoE blocks run densely in decode steps
(``review_ext.generate.dense_moe.dense_moe_for_decode``) and sparsely in prefill.
"""
from __future__ import annotations

import sys

import torch

from review_ext.generate.dense_moe import dense_moe_for_decode
from review_ext.generate.kv_attention import (
    KV_DTYPES,
    SlotKVCache,
    decode_attention,
    length_mask,
    prefill_attention,
)


def unsupported_reason(model) -> str | None:
    """Why :class:`SlotModel` cannot run ``model`` (None when it can)."""
    inner = getattr(model, "model", None)
    if inner is None or not hasattr(inner, "layers") or not hasattr(inner, "rotary_emb"):
        return f"{type(model).__name__} has no model.layers / rotary_emb"
    attn = getattr(inner.layers[0], "self_attn", None)
    proj = getattr(attn, "q_proj", None)
    if type(proj) is not torch.nn.Linear:
        return f"q_proj is {type(proj).__name__}, not a plain Linear (quantised or adapter layers)"
    if getattr(model.config, "sliding_window", None):
        return "sliding-window attention"
    if getattr(model.config, "rope_scaling", None):
        return "scaled rotary embedding"
    return None


def _mlp(layer, x):
    out = (getattr(layer, "block_sparse_moe", None) or layer.mlp)(x)
    return out[0] if isinstance(out, tuple) else out


class SlotModel:
    """A loaded HF causal LM, run prompt by prompt (prefill) and slot-parallel (decode)."""

    def __init__(self, model, attention: str = "sdpa", dense_max_tokens: int = 256,
                 kv_dtype: str = "model"):
        reason = unsupported_reason(model)
        if reason:
            raise ValueError(f"SlotModel cannot run this model: {reason}")
        if kv_dtype not in KV_DTYPES:
            raise ValueError(f"kv_dtype must be one of {', '.join(KV_DTYPES)}, not {kv_dtype!r}")
        inner = model.model
        self.embed, self.norm, self.lm_head = inner.embed_tokens, inner.norm, model.lm_head
        self.rotary, self.layers = inner.rotary_emb, list(inner.layers)
        attn = self.layers[0].self_attn
        self.apply_rope = sys.modules[type(attn).__module__].apply_rotary_pos_emb
        self.heads = model.config.num_attention_heads
        self.kv_heads = model.config.num_key_value_heads
        self.head_dim, self.scale = attn.head_dim, attn.scaling
        self.dtype = attn.q_proj.weight.dtype
        self.devices = [layer.input_layernorm.weight.device for layer in self.layers]
        self.input_device = self.embed.weight.device
        self.attention, self.kv_dtype = attention, kv_dtype
        self.dense_blocks = dense_moe_for_decode(model, max_tokens=dense_max_tokens)
        self.cache: SlotKVCache | None = None

    def allocate(self, slots: int, length: int) -> SlotKVCache:
        """A fresh cache of ``slots`` x ``length`` tokens (the old one freed first)."""
        self.cache = None
        if self.input_device.type == "cuda":
            torch.cuda.empty_cache()
        self.cache = SlotKVCache(len(self.layers), slots, self.kv_heads, length, self.head_dim,
                                 self.dtype, self.devices, self.kv_dtype)
        return self.cache

    def _qkv(self, attn, x, cos, sin):
        """(q, k, v) as ``(batch, heads, tokens, head_dim)``, rotary applied to q and k."""
        b, n, _ = x.shape
        q = attn.q_proj(x).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        k = attn.k_proj(x).view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
        v = attn.v_proj(x).view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = self.apply_rope(q, k, cos, sin)
        return q, k, v

    def _on(self, device, cache: dict, make):
        """Per-device copies of step-wide tensors (rotary tables, masks, indices)."""
        if device not in cache:
            cache[device] = tuple(t.to(device) for t in make())
        return cache[device]

    @torch.inference_mode()
    def prefill(self, ids, slot: int):
        """Run one prompt into ``slot``'s cache; its last token's logits ``(vocab,)``, fp32."""
        x = torch.as_tensor([list(ids)], device=self.input_device)
        n = x.shape[1]
        h = self.embed(x)
        rope = self.rotary(h, torch.arange(n, device=self.input_device)[None])
        per_device = {}
        for i, layer in enumerate(self.layers):
            h = h.to(self.devices[i])
            cos, sin = self._on(self.devices[i], per_device, lambda: rope)
            attn = layer.self_attn
            q, k, v = self._qkv(attn, layer.input_layernorm(h), cos, sin)
            self.cache.write_prompt(i, slot, k[0], v[0])
            o = prefill_attention(q, k, v, self.scale).transpose(1, 2).reshape(1, n, -1)
            h = h + attn.o_proj(o)
            h = h + _mlp(layer, layer.post_attention_layernorm(h))
        return self.lm_head(self.norm(h[:, -1:]))[0, -1].float()

    @torch.inference_mode()
    def decode(self, tokens, positions, kv_len: int):
        """One token per slot at ``positions``; logits ``(slots, vocab)`` (fp32).

        ``tokens`` and ``positions`` are ``(slots,)`` tensors on the input device; every
        slot attends over cache positions ``< kv_len`` up to its own position.
        """
        h = self.embed(tokens)[:, None]
        cos, sin = self.rotary(h, positions[:, None])

        def step_tensors():
            return (cos, sin, length_mask(positions, kv_len), self.cache.step_index(positions),
                    positions)

        per_device = {}
        for i, layer in enumerate(self.layers):
            h = h.to(self.devices[i])
            cos_i, sin_i, mask, index, pos = self._on(self.devices[i], per_device, step_tensors)
            attn = layer.self_attn
            q, k, v = self._qkv(attn, layer.input_layernorm(h), cos_i, sin_i)
            self.cache.write_step(i, k[:, :, 0], v[:, :, 0], index)
            keys = self.cache.keys[i][:, :, :kv_len]
            values = self.cache.values[i][:, :, :kv_len]
            o = decode_attention(q[:, :, 0], keys, values, mask, self.scale, self.attention, pos)
            h = h + attn.o_proj(o[:, None])
            h = h + _mlp(layer, layer.post_attention_layernorm(h))
        return self.lm_head(self.norm(h))[:, 0].float()
