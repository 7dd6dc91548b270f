#!/usr/bin/env bash
# Leak rate of photo redaction on one of the shared image sets (dlib-faces, masks, wider-416):
# redacts every image with a magenta fill into out/SET/ and scores it with ../shared/tools/leakscore.py.
set -euo pipefail
cd "$(dirname "$0")/.."
set_name="${1:-dlib-faces}"; shift || true
rm -rf "out/$set_name"
./redactor redact "../shared/data/$set_name/images" -o "out/$set_name" --style fill --color ff00ff -q "$@" || true
/usr/bin/python3 ../shared/tools/leakscore.py images "out/$set_name" "../shared/data/$set_name/gt.txt"
