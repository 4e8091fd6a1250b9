"""OpenAI API shapes for ``tools/serve.py``: request validation and response objects.

Chat requests carry one paper as the user message (optionally after a system
message, which overrides the server's system prompt); completions carry a raw
prompt. Anything else is an :class:`ApiError`, answered in OpenAI's error shape.
"""
from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass

from review_ext.generate.engine import SamplingParams

API_NAMES = {"max_new_tokens": "max_tokens", "min_new_tokens": "min_tokens"}
# Below it a temperature decodes greedily, as in vLLM: logits / 1e-300 overflow to inf.
GREEDY_TEMPERATURE = 1e-5
UNSUPPORTED = ("stop", "logprobs", "top_logprobs", "echo", "best_of", "suffix", "tools",
               "functions", "logit_bias", "response_format")


@dataclass
class ApiError(Exception):
    status: int
    message: str
    param: str | None = None
    type: str = "invalid_request_error"
    close: bool = False  # answer with Connection: close (the request's body was not read)
    code: str | None = None

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param,
                          "code": self.code}}


def _number(body: dict, name: str, kind, default, lo=None):
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (isinstance(value, float) and not math.isfinite(value)) \
            or (kind is int and value != int(value)):
        what = "an integer" if kind is int else "a finite number"
        raise ApiError(400, f"'{name}' must be {what}", name)
    if lo is not None and value < lo:
        raise ApiError(400, f"'{name}' must be >= {lo}", name)
    return kind(value)


def sampling_params(body: dict, default_max_tokens: int,
                    default_temperature: float = 0.0) -> SamplingParams:
    """Decoding settings of a request; ``temperature`` 0 (the server default) means greedy."""
    for name in UNSUPPORTED:
        if body.get(name):
            raise ApiError(400, f"'{name}' is not supported by this server", name)
    for name in ("presence_penalty", "frequency_penalty"):  # accepted and unused: still numbers
        _number(body, name, float, 0.0)
    if _number(body, "n", int, 1) != 1:
        raise ApiError(400, "only n=1 is supported", "n")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    max_tokens = _number({"max_tokens": max_tokens}, "max_tokens", int, default_max_tokens, lo=1)
    temperature = _number(body, "temperature", float, default_temperature, lo=0)
    sample = temperature >= GREEDY_TEMPERATURE
    try:
        return SamplingParams(
            max_new_tokens=max_tokens,
            min_new_tokens=_number(body, "min_tokens", int, 0, lo=0),
            do_sample=sample,
            temperature=temperature if sample else 1.0,
            top_p=_number(body, "top_p", float, 1.0),
            top_k=max(0, _number(body, "top_k", int, 0)),  # vLLM's -1 means off
            repetition_penalty=_number(body, "repetition_penalty", float, 1.0),
            seed=_number(body, "seed", int, None),
        )
    except ValueError as error:  # SamplingParams names the field first
        field = str(error).split()[0]
        raise ApiError(400, str(error), API_NAMES.get(field, field)) from error


def include_usage(body: dict) -> bool:
    """``stream_options.include_usage`` of a request (checked before a stream opens)."""
    options = body.get("stream_options")
    if options is None:
        return False
    if not isinstance(options, dict) or not isinstance(options.get("include_usage", False), bool):
        raise ApiError(400, "'stream_options' must be an object whose 'include_usage' is a "
                            "boolean", "stream_options")
    return options.get("include_usage", False)


def _text(content, where: str) -> str:
    """A message's text: a string, or OpenAI's list of ``{"type": "text", "text": ...}`` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text"
                                         and isinstance(p.get("text"), str) for p in content):
        return "".join(p["text"] for p in content)
    raise ApiError(400, f"{where}.content must be a string or a list of text parts", "messages")


def parse_chat(body: dict) -> tuple[str | None, str]:
    """``(system or None, paper)`` from ``messages``: ``[system,] user`` and nothing else."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list", "messages")
    if not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
        raise ApiError(400, "each message must be an object with a 'role'", "messages")
    roles = [m["role"] for m in messages]
    if roles not in (["user"], ["system", "user"]):
        raise ApiError(400, "messages must be [system,] user: the paper in one user message "
                            f"(got roles {roles})", "messages")
    texts = [_text(m.get("content"), f"messages[{i}]") for i, m in enumerate(messages)]
    if not texts[-1].strip():
        raise ApiError(400, "the user message (the paper) is empty", "messages")
    return (texts[0] if len(texts) == 2 else None), texts[-1]


def parse_prompt(body: dict):
    """A completions ``prompt``: one string, or one list of token ids."""
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], (str, list)):
        prompt = prompt[0]
    if isinstance(prompt, str) and prompt:
        return prompt
    if isinstance(prompt, list) and prompt and all(isinstance(t, int) and t >= 0 for t in prompt):
        return prompt
    raise ApiError(400, "'prompt' must be one non-empty string or one list of token ids", "prompt")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def usage(prompt_tokens: int, completion_tokens: int) -> dict:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def completion_body(chat: bool, rid: str, model: str, text: str, finish_reason: str,
                    use: dict) -> dict:
    choice = {"index": 0, "finish_reason": finish_reason}
    if chat:
        choice["message"] = {"role": "assistant", "content": text}
    else:
        choice.update(text=text, logprobs=None)
    return {"id": rid, "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()), "model": model, "choices": [choice], "usage": use}


def chunk_body(chat: bool, rid: str, model: str, text: str | None, finish_reason: str | None = None,
               role: bool = False) -> dict:
    """One streamed chunk: a text delta, or (``finish_reason`` set) the closing one."""
    choice = {"index": 0, "finish_reason": finish_reason}
    if chat:
        delta = {"role": "assistant"} if role else {}
        if text is not None:
            delta["content"] = text
        choice["delta"] = delta
    else:
        choice.update(text=text or "", logprobs=None)
    return {"id": rid, "object": "chat.completion.chunk" if chat else "text_completion",
            "created": int(time.time()), "model": model, "choices": [choice]}


class IncrementalDecoder:
    """Token ids in, text deltas out, never splitting a character (TGI's two-offset method)."""

    def __init__(self, tokenizer):
        self.tokenizer, self.ids = tokenizer, []
        self.prefix = self.read = 0

    def _decode(self, ids) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def add(self, token: int) -> str:
        self.ids.append(token)
        before = self._decode(self.ids[self.prefix:self.read])
        after = self._decode(self.ids[self.prefix:])
        if len(after) <= len(before) or after.endswith("\ufffd"):
            return ""
        self.prefix, self.read = self.read, len(self.ids)
        return after[len(before):]

    def flush(self) -> str:
        """What is still held back at the end (a character the tokens left unfinished)."""
        before = self._decode(self.ids[self.prefix:self.read])
        after = self._decode(self.ids[self.prefix:])
        self.prefix = self.read = len(self.ids)
        return after[len(before):] if len(after) > len(before) else ""
