#!/usr/bin/env bash
# Faces left visible by face height: redacts a pan-zoom test video (with its .gt.jsonl beside it) with a magenta
# fill, scores it with ../shared/tools/leakscore.py --dump, and prints the share of face-frames left visible at
# 10-16, 16-24 and 24+ px, and overall. Extra arguments go to redact.
#   bash samples/leak-by-size.sh [VIDEO [REDACT OPTIONS...]]
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-../shared/data/panzoom/wider-720p.mp4}"
shift || true
mkdir -p out
name="$(basename "$video" .mp4)"
./redactor redact "$video" -o "out/$name.fill.mp4" --style fill --color ff00ff --overwrite -q "$@"
/usr/bin/python3 ../shared/tools/leakscore.py video "out/$name.fill.mp4" "$video.gt.jsonl" --dump "out/$name.dump.jsonl" > "out/$name.score.json"
/usr/bin/python3 - "out/$name.dump.jsonl" "out/$name.score.json" "$name" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def share(sel):
    n = len(sel); k = sum(1 for r in sel if r["leaked"])
    return f"{100 * k / n:.1f}% of {n}" if n else "-"
bands = [("10-16 px", 10, 16), ("16-24 px", 16, 24), ("24+ px", 24, 1e9)]
cells = [share([r for r in rows if lo <= r["h"] < hi]) for _, lo, hi in bands]
score = open(sys.argv[2]).read()
summary = json.loads(score[:score.rfind("}") + 1])
print(f"{sys.argv[3]}: " + ", ".join(f"{b[0]} {c}" for b, c in zip(bands, cells))
      + f"; all {summary['leak_rate_pct']}%; faces visible in some frame {summary['faces_exposed_pct']}%"
      + f"; over-redaction {summary['over_redacted_pct']}%")
PY
