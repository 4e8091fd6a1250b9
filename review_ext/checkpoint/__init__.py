"""Checkpoint -> HF folder -> merged model: the trained tensors read safely (``training_state``),
the conversion (``convert``), metadata (``artifacts``, ``base_identity``), LoRA adapters,
streaming safetensors, the bf16 merge (``merge``), and SmolLM2's GGUF as an HF folder
(``smollm2``)."""
