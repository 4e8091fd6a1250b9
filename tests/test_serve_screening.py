"""The server screens every paper it reads (chat requests and PDF uploads) and returns a rated
model's [Rating]: the real tools/serve.py on 127.0.0.1 with the tiny model."""
from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from tests import paper_pdf
from tests.helpers import chat, post
from tests.serve_process import serve

ATTACK = paper_pdf.INJECTION
MAX_TOKENS = 3


@pytest.fixture(scope="module")
def head(papers):
    """A real paper's title and abstract (a short CPU prefill)."""
    return papers[0].text.split("[CAPTIONS]")[0].split("[CONTENT]")[0].rstrip()


@pytest.fixture(scope="module")
def flag_server(tiny_model):
    with serve(tiny_model) as url:
        yield url


@pytest.fixture(scope="module")
def rated_refusing_server(tiny_model, tmp_path_factory):
    """A model whose review_suite.json says it trained the [Rating] block, served with
    --injection refuse and the venue whose scale it rates on."""
    model = tmp_path_factory.mktemp("rated") / "model"
    shutil.copytree(tiny_model, model)
    (model / "review_suite.json").write_text(json.dumps({"rating": True}))
    with serve(model, "--injection", "refuse", "--venue", "NeurIPS.cc/2025/Conference",
               "--served-model-name", "tiny") as url:
        yield url


def test_a_flagged_paper_is_reviewed_and_its_finding_returned(flag_server, head):
    status, clean = post(flag_server + "/v1/chat/completions", chat(head, max_tokens=MAX_TOKENS))
    assert status == 200 and "screening" not in clean and "rating" not in clean
    status, body = post(flag_server + "/v1/chat/completions",
                        chat(f"{head} {ATTACK}", max_tokens=MAX_TOKENS))
    assert status == 200 and body["choices"][0]["message"]["content"] is not None
    assert body["screening"]["policy"] == "flag" and body["screening"]["flagged"] >= 1
    assert any("IGNORE ALL PREVIOUS" in f["text"] for f in body["screening"]["findings"])


def test_a_stream_carries_the_finding_in_its_last_chunk(flag_server, head):
    request = urllib.request.Request(
        flag_server + "/v1/chat/completions",
        json.dumps(chat(f"{head} {ATTACK}", max_tokens=MAX_TOKENS, stream=True)).encode(),
        {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        events = [line[6:] for line in response.read().decode().splitlines()
                  if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    final = [json.loads(e) for e in events[:-1] if json.loads(e)["choices"][0]["finish_reason"]]
    assert len(final) == 1 and final[0]["screening"]["flagged"] >= 1


def test_a_pdf_with_white_text_is_flagged_on_upload(flag_server):
    status, body = post(flag_server + "/v1/paper_from_pdf", paper_pdf.hidden_text_pdf("white"))
    assert status == 200 and body["paper"].startswith("[TITLE]")
    assert body["screening"]["flagged"] >= 1
    assert any(f["what"] == "hidden text" or f["page"] for f in body["screening"]["findings"])
    status, clean = post(flag_server + "/v1/paper_from_pdf", paper_pdf.hidden_text_pdf(None))
    assert status == 200 and "screening" not in clean


def test_refuse_answers_422_and_a_clean_paper_gets_its_rating(rated_refusing_server, head):
    status, body = post(rated_refusing_server + "/v1/chat/completions",
                        chat(f"{head} {ATTACK}", max_tokens=MAX_TOKENS))
    assert status == 422 and body["error"]["message"].startswith("refused: ")
    status, body = post(rated_refusing_server + "/v1/chat/completions",
                        chat(head, max_tokens=MAX_TOKENS))
    assert status == 200
    rating = body["rating"]  # random weights write no [Rating] block: it says why
    assert rating["rating"] is None and rating["venue"] == "NeurIPS 2025"
    assert rating["rating_problem"]
