#!/usr/bin/env bash
# Pack $OUT/*.log into $OUT/logs.tar.gz (a call returns at most 8 files), the repo root written
# as "." so that the logs name no machine's paths.
root=$PWD
cd "$OUT" && ls ./*.log >/dev/null 2>&1 && mkdir -p l && mv ./*.log l/ && sed -i "s#$root/#./#g" l/*.log \
  && tar czf logs.tar.gz l && rm -r l; true
