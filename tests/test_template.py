"""The system prompt presets are the published pipeline's, verbatim."""
from review_ext.data.template import SYSTEM_PRESETS, render_prompt

V1 = ("You are a professional machine learning conference reviewer who reviews a given paper and considers 4 "
      "criteria: ** importance and novelty **, ** potential reasons for acceptance **, ** potential reasons for "
      "rejection **, and ** suggestions for improvement **. The given paper is as follows.")
V2 = ("You are a professional machine learning conference reviewer who reviews a given paper and considers 4 "
      "criteria: [Significance and novelty], [Potential reasons for acceptance], [Potential reasons for "
      "rejection], and [Suggestions for improvement]. For each criterion, provide random number of supporting "
      "points derived from the paper's content. And for each supporting point, use the format: '<title of "
      "supporting point>' followed by a detailed explanation. Your response should only include your reviews "
      "only, which means always start with [Significance and novelty], dont' repeat the given paper and output "
      "things other than your reviews in required format. The paper is given as follows:")


def test_presets_are_verbatim():
    assert SYSTEM_PRESETS == {"v1": V1, "v2": V2}


def test_render_prompt_is_xtuner_mixtral_layout():
    assert render_prompt("PAPER", "v1") == f"[INST] {V1} [/INST]\n[INST] PAPER [/INST]"
    assert render_prompt("PAPER", None) == "[INST] PAPER [/INST]"
