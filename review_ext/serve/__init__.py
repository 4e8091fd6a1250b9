"""Reviews over HTTP: the service, the request handler and its routes, completions, the
OpenAI-compatible API shapes and the request scheduler."""
