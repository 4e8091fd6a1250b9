# SmolLM2-135M-Instruct: the v1 recipe for a real 135M model that trains on a CPU in minutes.
#   make smollm2 && xtuner train xtuner_configs/smollm2_135m.py
# (on a GPU the same file trains in bf16). Only the settings that differ from v1 are set
# here, and v1's PART 2-5 are built again from them (review_ext.train.recipe).
from mmengine.config import read_base

from review_ext.train.recipe import rebuild_parts

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
accumulative_counts = 1  # small data sets: a step per sample
max_epochs = 3
lr = 1e-3  # LoRA on a small model: measured in benchmarks/RESULTS.md (learning check)
warmup_ratio = 0.1
lora_targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
save_steps = 50
save_total_limit = 2
evaluation_freq = 50
evaluation_max_new_tokens = 300

# PART 2-5: v1's, built again from the settings above (.build() imports the function now)
globals().update(rebuild_parts.build()(globals()))
# then what a 135M Llama on a CPU needs: no MoE leaves, activations fit without
# recomputation (which costs ~30% more compute), the fp32 folder as written, no quantisation
model.update(z3_leaf_moe=False, use_activation_checkpointing=False)
model["llm"].update(torch_dtype="auto")
model["llm"].pop("quantization_config")
