"""A Mixtral-architecture model with random bf16 weights and the real tokenizer, at any geometry."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError

METADATA_FILE = "tiny_model.json"  # written beside the weights: the options and parameter count
VOCAB = 32000  # Mixtral's


class GeometryError(ReviewSuiteError, ValueError):
    """A model shape that cannot be built."""


@dataclass(frozen=True)
class Geometry:
    """The shape of a Mixtral model; the defaults make a CPU-sized test model."""

    layers: int = 2
    hidden: int = 64
    intermediate: int = 128
    experts: int = 4
    experts_per_tok: int = 2
    heads: int = 4
    kv_heads: int = 2
    max_positions: int = 32768

    def __post_init__(self):
        for name, value in asdict(self).items():
            if not isinstance(value, int) or value < 1:
                raise GeometryError(f"geometry: `{name}` must be a positive integer, got {value!r}")
        if self.hidden % self.heads or self.heads % self.kv_heads:
            raise GeometryError(f"geometry: hidden ({self.hidden}) must divide by heads "
                             f"({self.heads}) and heads by kv_heads ({self.kv_heads})")
        if self.experts_per_tok > self.experts:
            raise GeometryError(f"geometry: experts_per_tok ({self.experts_per_tok}) exceeds "
                             f"experts ({self.experts})")

    def parameters(self) -> int:
        """The model's parameter count (vocabulary 32,000, untied ``lm_head``)."""
        h, kv = self.hidden, self.hidden // self.heads * self.kv_heads
        attention = 2 * h * h + 2 * h * kv
        moe = h * self.experts + 3 * self.experts * h * self.intermediate
        return 2 * VOCAB * h + self.layers * (attention + moe + 2 * h) + h


def mixtral_8x7b(layers: int = 32) -> Geometry:
    """Mixtral-8x7B's shape (hidden 4096, 8 experts of width 14336, GQA 32/8), ``layers`` deep."""
    return Geometry(layers=layers, hidden=4096, intermediate=14336, experts=8, heads=32, kv_heads=8)


@dataclass(frozen=True)
class RandomModelOptions:
    """What :func:`write_random_model` writes: ``out`` (an HF folder) from ``geometry``."""

    out: Path
    geometry: Geometry = Geometry()
    seed: int = 0
    max_shard_size: str = "2GB"
    device: str = "cpu"  # where the weights are initialised (cuda is faster at full width)
    tokenizer: Path | None = None  # a saved tokenizer folder; None: the real one (mistral-common)


def build_config(geometry: Geometry):
    """The ``MixtralConfig`` of ``geometry``: the real vocabulary, rope base and router loss."""
    from transformers import MixtralConfig

    g = geometry
    return MixtralConfig(
        vocab_size=VOCAB, hidden_size=g.hidden, intermediate_size=g.intermediate,
        num_hidden_layers=g.layers, num_attention_heads=g.heads, num_key_value_heads=g.kv_heads,
        num_local_experts=g.experts, num_experts_per_tok=g.experts_per_tok,
        max_position_embeddings=g.max_positions, rope_theta=1e6, sliding_window=None,
        router_aux_loss_coef=0.02, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False,
        torch_dtype="bfloat16",
    )


def random_model(geometry: Geometry, device: str = "cpu", seed: int = 0):
    """``MixtralForCausalLM`` of ``geometry`` with random bf16 weights, built on ``device``."""
    import torch
    from transformers import MixtralForCausalLM

    torch.manual_seed(seed)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device(device):
            return MixtralForCausalLM(build_config(geometry))
    finally:
        torch.set_default_dtype(previous)


def save_tokenizer(out: Path, source: Path | None = None) -> None:
    """Save the real Mixtral tokenizer into ``out``: from mistral-common, or from ``source``, a
    folder it was saved to before (where mistral-common is not installed)."""
    if source is None:
        from review_ext.data.tokenizer import load_mixtral_tokenizer

        tokenizer = load_mixtral_tokenizer()
    else:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(source)
    tokenizer.save_pretrained(out)


def write_metadata(out: Path, options: dict, params: int) -> None:
    """Record how a random folder was made (and that it is random) in ``out/tiny_model.json``."""
    record = {"random_weights": True, "params": params, **options}
    (out / METADATA_FILE).write_text(json.dumps(record, default=str, indent=1))


def write_random_model(options: RandomModelOptions) -> int:
    """Write the model, its generation config, the real tokenizer and the metadata; return the
    parameter count."""
    from transformers import GenerationConfig

    model = random_model(options.geometry, options.device, options.seed)
    model.to("cpu").save_pretrained(options.out, safe_serialization=True,
                                    max_shard_size=options.max_shard_size)
    GenerationConfig(bos_token_id=1, eos_token_id=2).save_pretrained(options.out)
    save_tokenizer(options.out, options.tokenizer)
    params = sum(p.numel() for p in model.parameters())
    write_metadata(options.out, {**asdict(options.geometry), "seed": options.seed}, params)
    return params
