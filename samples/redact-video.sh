#!/usr/bin/env bash
# Redacts a pan-zoom test video with the default blur, and once more with a magenta fill that
# ../shared/tools/leakscore.py can score. Outputs go to ./out/.
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-../shared/data/panzoom/wider-720p.mp4}"
mkdir -p out
./redactor redact "$video" -o out/blurred.mp4 --overwrite
./redactor redact "$video" -o out/magenta.mp4 --style fill --color ff00ff --overwrite
/usr/bin/python3 ../shared/tools/leakscore.py video out/magenta.mp4 "$video.gt.jsonl" | tail -1
