#!/usr/bin/env bash
# Pack $OUT/*.log into $OUT/logs.tar.gz (a call returns at most 8 files).
cd "$OUT" && ls ./*.log >/dev/null 2>&1 && mkdir -p l && mv ./*.log l/ && tar czf logs.tar.gz l && rm -r l; true
