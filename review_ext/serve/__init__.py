"""Reviews over HTTP: the OpenAI-compatible API shapes and the request scheduler."""
