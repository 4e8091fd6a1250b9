#!/usr/bin/env bash
# Merge a LoRA adapter into its base as bf16 safetensors, streaming (see --help).
#   tools/merge_bf16.sh [BASE] ADAPTER OUT [--force]
# PYTHON picks the interpreter (default: python on PATH).
set -euo pipefail
exec "${PYTHON:-python}" "$(dirname "${BASH_SOURCE[0]}")/merge_bf16.py" "$@"
