#!/usr/bin/env bash
# Wall time and peak memory of redacting a video, side by side with a plain ffmpeg transcode of the same file
# at the same encoder settings (the floor), and their ratio.
#   bash samples/bench-video.sh [VIDEO [REDACT OPTIONS...]]     e.g. bench-video.sh out/wider-1080p.mp4 --fast
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-../shared/data/panzoom/wider-720p.mp4}"
shift || true
mkdir -p out
./redactor --version >/dev/null   # build first, outside the measurement
measure() { /usr/bin/time -f '%e %M' -o out/.time "$@" >/dev/null 2>out/.stderr; cat out/.time; }
read -r t_ff m_ff < <(measure ffmpeg -y -nostdin -i "$video" -map 0:v -map 0:a -map_metadata -1 -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -c:a copy out/transcode.mp4)
read -r t_rd m_rd < <(measure ./redactor redact "$video" -o out/bench.mp4 --overwrite "$@")
# Each pass's last progress line (stderr is a file here, so progress comes as plain lines).
stages=$(grep -E ': (detect|redact) [0-9]+/[0-9]+ \(100%\)' out/.stderr | sed -E 's/^.*: (detect|redact) /\1 pass: /' || true)
frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$video")
python3 - "$t_ff" "$m_ff" "$t_rd" "$m_rd" "$frames" <<'PY'
import sys
tf, mf, tr, mr, n = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"transcode: {tf:.1f} s, {mf/1024:.0f} MiB peak")
print(f"redact:    {tr:.1f} s, {mr/1024:.0f} MiB peak, {n/tr:.1f} frames/s")
print(f"ratio redact/transcode: {tr/tf:.2f}")
PY
[ -z "$stages" ] || printf '%s\n' "$stages"
