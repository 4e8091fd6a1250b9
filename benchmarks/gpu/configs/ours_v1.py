# Benchmark twin of xtuner_configs/v1.py: the recipe unchanged plus the profiler window of
# benchmarks/configs/profiler.py (last hook), as benchmarks/configs/ours_v2.py is v2's.
# Not a recipe for users.
from mmengine.config import read_base

with read_base():
    from ....xtuner_configs.v1 import *  # noqa: F401,F403
    from ...configs.profiler import *  # noqa: F401,F403

custom_hooks = custom_hooks + [profiler_hook]  # noqa: F405
