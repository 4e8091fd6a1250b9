"""Merged model -> tokens: the engines that decode reviews.

``engine`` (the interface and the HF engine, the reference), ``loading``, ``batching``
(out-of-memory backoff), ``args`` (command-line options and the engines by name),
``static_engine`` (the fast engine: ``kv_attention``, ``slot_forward``, ``dense_moe``,
``decode_graphs``, ``sampling``, ``continuous`` batching), ``replicas`` (a model copy
spread over several GPUs).
"""
