"""Rendered prompts sent to any OpenAI-compatible server (vLLM, LMDeploy, tools/serve.py).

``/v1/completions`` gets the raw prompt text (the server adds BOS, so it decodes
from exactly the training ids); a server that offers only chat gets the system
prompt and the paper as messages instead (``tools/serve.py`` wraps them in the
training template; a foreign server applies its own chat template).
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Iterator, Sequence

from review_ext.common.chat_client import ChatClient, ChatError, post_json
from review_ext.generate.engine import SamplingParams
from review_ext.infer.prompting import Prompt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteOptions:
    """The server to send prompts to, and how."""

    base_url: str  # e.g. http://127.0.0.1:8000/v1
    model_name: str  # the server's name of the model
    api: str = "auto"  # auto (completions, else chat), completions or chat
    concurrency: int = 8  # requests in flight
    api_key: str | None = None
    request_timeout: float = 3600.0  # seconds per request


@dataclass
class RemoteReply:
    text: str
    finish_reason: str
    generated_tokens: int
    prompt_tokens: int = 0


def request_params(params: SamplingParams) -> dict:
    """OpenAI request fields for ``params``; vLLM's extra fields only when not default."""
    body = {"max_tokens": params.max_new_tokens}
    if params.do_sample:
        body.update(temperature=params.temperature, top_p=params.top_p)
        if params.top_k:
            body["top_k"] = params.top_k
    else:
        body["temperature"] = 0.0
    if params.min_new_tokens:
        body["min_tokens"] = params.min_new_tokens
    if params.repetition_penalty != 1.0:
        body["repetition_penalty"] = params.repetition_penalty
    if params.seed is not None:
        body["seed"] = params.seed
    return body


class _Client(ChatClient):
    """ChatClient's retries and backoff, for either endpoint, returning text and usage."""

    def __init__(self, base_url: str, model: str, endpoint: str, **kwargs):
        super().__init__(base_url, model, **kwargs)
        self.endpoint = endpoint
        self.url = base_url.rstrip("/") + "/" + endpoint

    def _post(self, prompt: Prompt) -> RemoteReply:
        if self.endpoint == "completions":
            body = {"prompt": prompt.text}
        else:
            body = {"messages": [{"role": "system", "content": prompt.system},
                                 {"role": "user", "content": prompt.paper}]}
        payload = post_json(
            self.url, {"model": self.model, **body, **self.params}, self.api_key, self.timeout
        )
        choice = payload["choices"][0]
        text = choice["text"] if self.endpoint == "completions" else choice["message"]["content"]
        usage = payload.get("usage") or {}
        return RemoteReply(text or "", choice.get("finish_reason") or "stop",
                           int(usage.get("completion_tokens") or 0),
                           int(usage.get("prompt_tokens") or 0))


class RemoteBackend:
    """``run(jobs)`` yields ``(key, RemoteReply | Exception)`` as replies arrive."""

    def __init__(self, base_url: str, model_name: str, params: SamplingParams, api: str = "auto",
                 concurrency: int = 8, api_key: str | None = None, timeout: float = 3600.0,
                 max_retries: int = 3):
        self.concurrency = max(1, concurrency)
        self.api, self.warned = api, False
        self.clients = {
            endpoint: _Client(base_url, model_name, endpoint, api_key=api_key, timeout=timeout,
                              max_retries=max_retries, **request_params(params))
            for endpoint in ("completions", "chat/completions")
        }

    def _complete(self, prompt: Prompt) -> RemoteReply:
        endpoint = "chat/completions" if self.api == "chat" else "completions"
        reply = self.clients[endpoint].complete(prompt)
        if reply.prompt_tokens and reply.prompt_tokens != len(prompt.ids) and not self.warned:
            self.warned = True
            log.warning("the server counts %d prompt tokens where the training template has %d: "
                        "it tokenises differently (BOS? tokenizer? chat template?)",
                        reply.prompt_tokens, len(prompt.ids))
        return reply

    def _probe(self, prompt: Prompt):
        """With ``api="auto"``: completions unless the server answers it 404/405."""
        if self.api != "auto":
            return self._complete(prompt)
        try:
            reply, self.api = self.clients["completions"].complete(prompt), "completions"
            return reply
        except ChatError as error:
            if not str(error).startswith(("HTTP 404", "HTTP 405")):
                raise
        log.warning("server has no /completions: sending chat messages; a server other than "
                    "tools/serve.py renders them with its own chat template, not the training one")
        self.api = "chat"
        return self._complete(prompt)

    def run(self, jobs: Sequence[tuple[object, Prompt]]) -> Iterator[tuple[object, object]]:
        jobs = list(jobs)
        if not jobs:
            return
        key, prompt = jobs[0]
        try:
            yield key, self._probe(prompt)
        except (ChatError, urllib.error.URLError) as error:
            yield key, error
        with ThreadPoolExecutor(self.concurrency) as pool:
            futures = {pool.submit(self._complete, prompt): key for key, prompt in jobs[1:]}
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except Exception as error:  # noqa: BLE001 - one failed paper is one error record
                    yield futures[future], error


def server_max_len(base_url: str, model_name: str, api_key: str | None = None,
                   timeout: float = 30.0) -> int | None:
    """The served model's context length, if ``/models`` tells it (vLLM's and ours do)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    request = urllib.request.Request(base_url.rstrip("/") + "/models", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            models = json.loads(response.read())["data"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("could not list the server's models (%s): papers are not trimmed unless "
                    "--max-length or --max-prompt-tokens is given", error)
        return None
    for model in models:
        if model.get("id") == model_name and model.get("max_model_len"):
            return int(model["max_model_len"])
    return None
