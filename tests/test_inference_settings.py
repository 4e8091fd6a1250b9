"""The one resolver of inference settings that tools/infer.py and tools/serve.py share."""
from __future__ import annotations

import pytest

from review_ext.checkpoint.artifacts import record_last_model, write_metadata
from review_ext.data.template import DEFAULT_SYSTEM, resolve_system
from review_ext.infer.settings import NoModel, resolve


@pytest.fixture
def adapter(tmp_path):
    """An adapter folder whose review_suite.json records what training used."""
    folder = tmp_path / "adapter"
    folder.mkdir()
    write_metadata(folder, {"template": "review_mixtral", "system": "v1", "max_length": 600,
                            "system_prompt": resolve_system("v1"), "base_model": "the-base"})
    return folder


def test_flag_beats_metadata_beats_row_beats_default(adapter, tmp_path):
    meta = resolve(adapter=str(adapter))
    assert (meta.model, meta.system, meta.max_length, meta.template) == \
        ("the-base", resolve_system("v1"), 600, "mixtral")  # review_mixtral is mixtral
    assert "review_suite.json" in meta.model_source and "review_suite.json" in meta.system_source
    assert meta.system_for("the row's own") == resolve_system("v1")
    flags = resolve("a-model", str(adapter), system="v2", max_length=900, template="chatml")
    assert (flags.model, flags.system, flags.max_length, flags.template) == \
        ("a-model", "v2", 900, "chatml")
    assert flags.model_source == "--model" and flags.system_source == "--system"
    bare = resolve("a-model")  # no metadata anywhere
    assert bare.system_for("the row's own") == "the row's own"
    assert bare.system_for(None) == DEFAULT_SYSTEM and bare.template == "mixtral"
    assert bare.metadata is None and bare.template_source == "default"


def test_max_length_never_exceeds_the_context(adapter):
    meta = resolve(adapter=str(adapter))  # 600 from review_suite.json
    assert meta.max_length_for(None) == 600  # a server that does not say its context
    assert meta.max_length_for(32768) == 600
    assert meta.max_length_for(512) == 512  # clamped: longer prompts would all be refused
    assert resolve("m").max_length_for(4096) == 4096  # nothing asked: the model's context
    assert resolve("m", max_length=9000).max_length_for(4096) == 4096


def test_model_from_the_last_model_pointer(tmp_path, adapter):
    pointer = tmp_path / "work_dirs" / "last_model.json"
    with pytest.raises(NoModel, match="pass `model`.*tools/pth_to_hf.py"):
        resolve(pointer=pointer)
    assert resolve(need_model=False, pointer=pointer).model is None  # an OpenAI backend
    record_last_model(adapter, "merge_bf16", pointer=pointer)
    found = resolve(pointer=pointer)
    assert found.model == str(adapter.resolve())
    assert "merge_bf16" in found.model_source and str(pointer) in found.model_source
    assert found.system == resolve_system("v1")  # and its review_suite.json is read
    adapter.rename(tmp_path / "moved")
    with pytest.raises(NoModel, match="no longer exists"):
        resolve(pointer=pointer)


def test_an_engine_that_would_not_stop_where_the_template_ends_is_refused(tiny_model):
    """The tiny Mixtral's tokenizer has no ``<|im_end|>``: a chatml review would never stop."""
    from review_ext.common.errors import ReviewSuiteError
    from review_ext.generate.args import build_engine
    from review_ext.generate.engine import EngineOptions
    from review_ext.infer.settings import check_end_of_turn

    engine = build_engine("hf", EngineOptions(model=str(tiny_model), dtype="float32", device="cpu"))
    check_end_of_turn(engine, "mixtral")  # ends at the tokenizer's EOS
    with pytest.raises(ReviewSuiteError, match="ends a review with token id"):
        check_end_of_turn(engine, "chatml")
