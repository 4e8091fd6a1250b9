"""Developer-only builders of random models for tests and benchmarks; never for a real reviewer.

Everything here writes weights drawn at random: Mixtral-architecture models of any geometry
and depth (:mod:`.random_model`), peft LoRA adapters (:mod:`.random_adapter`). They stand in
for the real 46.7B-parameter checkpoint where the shapes, the memory or the speed are what is
measured, not what the model says. The scripts in ``tools/dev/`` are their command lines.
"""
