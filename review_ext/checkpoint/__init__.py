"""Checkpoint -> HF folder -> merged model: metadata, LoRA adapters, streaming safetensors, the bf16 merge."""
