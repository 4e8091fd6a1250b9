# A torch.profiler window for benchmark runs (not for users): iterations profile_wait+2 and
# profile_wait+3 are traced (CPU and CUDA, with shapes); nothing is recorded before them.
# Set custom_hooks.N.json_trace_path with --cfg-options to keep the trace.
from mmengine.hooks import ProfilerHook

profile_wait = 14
profiler_hook = dict(
    type=ProfilerHook,
    by_epoch=False,
    profile_times=profile_wait + 3,
    activity_with_cpu=True,
    activity_with_cuda=True,
    record_shapes=True,
    schedule=dict(wait=profile_wait, warmup=1, active=2),
    json_trace_path=None,
)
