# SmolLM2-135M-Instruct: the v1 recipe for a real 135M model that trains on a CPU in minutes.
#   make smollm2 && xtuner train xtuner_configs/smollm2_135m.py
# (on a GPU the same file trains in bf16). Only what differs from v1 is set here; the dicts
# v1 built from a changed scalar are updated below too.
from mmengine.config import read_base

with read_base():
    from .v1 import *  # noqa: F401,F403

# PART 1: what changes
pretrained_model_name_or_path = "build/smollm2-135m-instruct"  # tools/make_smollm2.py writes here
prompt_template = "chatml"  # SmolLM2-Instruct's own chat layout
system = "v2"  # names the four headings the review must use
liger_kernels = False
# 1,024 tokens: the review is kept whole and the paper trimmed to what is left
# (title, abstract, the start of the content). LoRA fwd+bwd: ~65 tokens/s on one busy core.
max_length = 1024
pack_to_max_length = False  # one sample a step: no cross-sample attention without flash-attn
dataset_num_proc = 1
batch_size = 1
accumulative_counts = 1  # small data sets: a step per sample
max_epochs = 3
lr = 1e-3  # LoRA on a small model: measured in benchmarks/RESULTS.md (learning check)
warmup_ratio = 0.1
lora_targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
save_steps = 50
save_total_limit = 2
evaluation_freq = 50
evaluation_max_new_tokens = 300

# PART 2-5: the dicts built from those scalars
tokenizer.update(pretrained_model_name_or_path=pretrained_model_name_or_path)
# 135M parameters: activations fit without recomputation, which costs ~30% more compute
model.update(liger_kernels=liger_kernels, z3_leaf_moe=False, use_activation_checkpointing=False)
model["llm"].update(pretrained_model_name_or_path=pretrained_model_name_or_path, torch_dtype="auto")
model["llm"].pop("quantization_config")  # fp32 on a CPU, as the folder is written
model["lora"].update(target_modules=lora_targets)
train_dataset.update(max_length=max_length, system=system, template=prompt_template,
                     pack_to_max_length=pack_to_max_length, num_proc=dataset_num_proc)
train_dataloader.update(batch_size=batch_size, dataset=train_dataset)
optim_wrapper.update(accumulative_counts=accumulative_counts)
optim_wrapper["optimizer"].update(lr=lr)
param_scheduler[0].update(end=warmup_ratio * max_epochs)
param_scheduler[1].update(begin=warmup_ratio * max_epochs, end=max_epochs)
train_cfg.update(max_epochs=max_epochs)
custom_hooks[1].update(system=system, max_length=max_length, template=prompt_template,
                       every_n_iters=evaluation_freq, max_new_tokens=evaluation_max_new_tokens)
default_hooks["checkpoint"].update(interval=save_steps, max_keep_ckpts=save_total_limit)
