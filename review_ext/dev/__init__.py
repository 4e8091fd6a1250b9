"""Developer-only builders of random models for tests and benchmarks; never for a real reviewer.

Everything here writes weights drawn at random: Mixtral-architecture models of any geometry
and depth (:mod:`.random_model`), peft LoRA adapters (:mod:`.random_adapter`). They stand in
for the real 46.7B-parameter checkpoint where the shapes, the memory or the speed are what is
measured, not what the model says. The scripts in ``tools/dev/`` are their command lines.

* bf16 on disk: ``random_model.write_random_model`` (``tools/dev/make_tiny_model.py``);
* nf4 on disk, any depth, no bf16 copy: ``nf4_model.write_nf4_model`` (``--nf4``);
* bf16 in GPU memory only, for benchmarks: ``random_model.random_model(mixtral_8x7b(),
  device="cuda")`` builds the 32-layer model in place (46.7B parameters, ~87 GiB).
"""
