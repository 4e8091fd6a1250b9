# Benchmark twin of xtuner_configs/v2.py: the recipe unchanged plus the profiler window
# of profiler.py (last hook). Not a recipe for users.
from mmengine.config import read_base

with read_base():
    from ...xtuner_configs.v2 import *  # noqa: F401,F403
    from .profiler import *  # noqa: F401,F403

custom_hooks = custom_hooks + [profiler_hook]
