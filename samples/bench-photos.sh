#!/usr/bin/env bash
# Photos a second and peak memory of redacting a folder of 100 photos of 1.5 megapixels (the first 100 images of
# ../shared/data/masks enlarged to 1448x1035, made once into out/photos-1.5mp), the photo target's measure.
#   bash samples/bench-photos.sh [REDACT OPTIONS...]      e.g. bench-photos.sh --detector yunet
set -euo pipefail
cd "$(dirname "$0")/.."
set_dir=out/photos-1.5mp
if [ ! -f "$set_dir/.complete" ]; then
  rm -rf "$set_dir" && mkdir -p "$set_dir"
  /usr/bin/python3 - "$set_dir" <<'PY'
import cv2, os, sys
src = '../shared/data/masks/images'
for name in sorted(os.listdir(src))[:100]:
    img = cv2.imread(os.path.join(src, name))
    cv2.imwrite(os.path.join(sys.argv[1], os.path.splitext(name)[0] + '.jpg'), cv2.resize(img, (1448, 1035), interpolation=cv2.INTER_CUBIC), [cv2.IMWRITE_JPEG_QUALITY, 92])
PY
  touch "$set_dir/.complete"
fi
n=$(find "$set_dir" -maxdepth 1 -name '*.jpg' | wc -l)
./redactor --version >/dev/null   # build first, outside the measurement
rm -rf out/photos-bench
/usr/bin/time -f '%e %M' -o out/.time ./redactor redact "$set_dir" -o out/photos-bench -q "$@"
read -r t m < out/.time
python3 -c "import sys; t, m, n = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); print(f'{n} photos of 1448x1035 in {t:.1f} s: {n / t:.1f} photos/s, {m / 1024:.0f} MiB peak')" "$t" "$m" "$n"
