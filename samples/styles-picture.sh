#!/usr/bin/env bash
# Makes docs/styles.png, the README's before/after picture: one frame of Intel's sample video
# face-demographics-walking (CC BY 4.0, ../shared/data/videos), as it is and redacted in each style.
# Needs what samples/setup.sh installs (ffmpeg, python3-opencv) and the models.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${REDACTOR_SHARED:-../shared}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ffmpeg -v error -ss 1 -i "$shared/data/videos/intel_face-demographics-walking_preview.mp4" -frames:v 1 "$work/frame.png"
for style in blur pixelate fill; do
  ./redactor redact "$work/frame.png" -o "$work/$style.png" --style "$style" -q --models "${REDACTOR_MODELS:-$shared/models}"
done
/usr/bin/python3 - "$work" docs/styles.png <<'PY'
import sys, cv2, numpy as np
work, out = sys.argv[1], sys.argv[2]
panels = []
for name, label in [("frame", "input"), ("blur", "blur (default)"), ("pixelate", "pixelate"), ("fill", "fill")]:
    img = cv2.imread(f"{work}/{name}.png")[40:270, 190:370]
    band = np.full((26, img.shape[1], 3), 255, np.uint8)
    cv2.putText(band, label, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    panels.append(cv2.vconcat([img, band]))
    panels.append(np.full((256, 4, 3), 255, np.uint8))
cv2.imwrite(out, cv2.hconcat(panels[:-1]), [cv2.IMWRITE_PNG_COMPRESSION, 9])
PY
echo "wrote docs/styles.png"
