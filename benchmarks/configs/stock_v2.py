# Baseline for benchmarks: v2's model and optimiser on XTuner's stock data path
# (process_hf_dataset: truncating encode_fn + Packer that splits samples) and
# stock SupervisedFinetune (no ZeRO-3 MoE leaves, no grouped MoE, no packed attention:
# XTuner's varlen path needs flash-attn), plus the
# profiler window of profiler.py (last hook). Not a recipe for users.
from datasets import load_dataset
from mmengine.config import read_base
from xtuner.dataset import process_hf_dataset
from xtuner.dataset.map_fns import template_map_fn_factory
from xtuner.model import SupervisedFinetune
from xtuner.utils import PROMPT_TEMPLATE

with read_base():
    from ...xtuner_configs.v2 import *  # noqa: F401,F403
    from .profiler import *  # noqa: F401,F403

model.update(type=SupervisedFinetune, use_varlen_attn=False)
model.pop("z3_leaf_moe")
model.pop("liger_kernels")
model.pop("grouped_moe")
train_dataloader["collate_fn"].update(use_varlen_attn=False)
custom_hooks = custom_hooks[:-1] + [profiler_hook]  # v2's last hook feeds packed attention
train_dataset = dict(
    type=process_hf_dataset,
    dataset=dict(type=load_dataset, path="json", data_files=data_path),
    tokenizer=tokenizer,
    max_length=max_length,
    dataset_map_fn=None,
    template_map_fn=dict(type=template_map_fn_factory, template=PROMPT_TEMPLATE.mixtral),
    remove_unused_columns=True,
    shuffle_before_pack=True,
    pack_to_max_length=True,
    use_varlen_attn=False,
)
train_dataloader["dataset"] = train_dataset
