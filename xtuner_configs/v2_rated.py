# v2_rated: v2 that also rates the paper, on the venue's own scale.
#   NPROC_PER_NODE=8 xtuner train xtuner_configs/v2_rated.py --deepspeed deepspeed_zero3_offload
# Each review is followed by its [Rating] block ("Rating: 4: Borderline accept", the
# reviewer's confidence) and the system prompt names the row's venue scale, so venues with
# different scales train together. The data needs each row's rating, confidence and venue
# (data_conversion writes them); rows without a rating train the four parts alone.
from mmengine.config import read_base

from review_ext.train.recipe import rebuild_parts

with read_base():
    from .v2 import *  # noqa: F401,F403

# PART 1: what changes
rating = True

# PART 2-5: v1's, built again from the settings above (.build() imports the function now)
globals().update(rebuild_parts.build()(globals()))
