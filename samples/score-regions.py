#!/usr/bin/python3
"""Scores the regions of `redactor detect VIDEO --json OUT` against a pan-zoom ground truth without rendering a video,
and splits the background covered (over-redaction) by region source, and by whether a region overlaps an annotated
face at all. The masks and the rules are copies of the product's (ellipse, x1.6 + 4 px, faces 40 px or taller x1.6 x 1.05, centre 10% lower) and of
../shared/tools/leakscore.py's (a face is covered when 90% of the ellipse in its box is; the mask may reach the box
scaled 2x). Pixel rounding differs from the rendered video's, so figures agree with leakscore's on the output only
roughly (wider-720p: leak 4.50 vs 4.55%, over 9.00 vs 8.90%, one face more or fewer exposed). For analysis;
leakscore on the output is the measure.

  /usr/bin/python3 samples/score-regions.py REGIONS.json GT.jsonl
"""
import collections, json, sys
import numpy as np

SCALE, MARGIN, DROP = 1.6, 4.0, 0.1
LARGE_HEIGHT, LARGE_GROWTH = 40.0, 1.05   # RedactionOptions.LargeFaceHeight, DefaultLargeFaceGrowth


def iou(a, b):
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])); iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    i = ix * iy
    return i / (a[2] * a[3] + b[2] * b[3] - i + 1e-9)


def ellipse(M, x, y, w, h, sc, m, drop):
    H, W = M.shape
    cx, cy = x + w / 2, y + h / 2 + drop * h
    if h >= LARGE_HEIGHT: sc *= LARGE_GROWTH
    ax, ay = (w * sc + 2 * m) / 2, (h * sc + 2 * m) / 2
    x0, x1 = max(0, int(np.floor(cx - ax))), min(W, int(np.ceil(cx + ax)))
    y0, y1 = max(0, int(np.floor(cy - ay))), min(H, int(np.ceil(cy + ay)))
    if x1 <= x0 or y1 <= y0: return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    M[y0:y1, x0:x1] |= ((xx + 0.5 - cx) / ax) ** 2 + ((yy + 0.5 - cy) / ay) ** 2 <= 1


def main():
    d = json.load(open(sys.argv[1]))['files'][0]
    W, H = d['width'], d['height']
    gt = [json.loads(l) for l in open(sys.argv[2])]
    faces = leaked = 0; exposed = {}; over = collections.Counter(); px = 0
    for g, f in zip(gt, d['frames']):
        boxes = [b[:4] for b in g['boxes']]
        masks = collections.defaultdict(lambda: np.zeros((H, W), bool))
        for r in f['regions']:
            box = (r['x'], r['y'], r['w'], r['h'])
            on = 'on a face' if max((iou(box, b) for b in boxes), default=0) > 0.05 else 'on no face'
            ellipse(masks[(r.get('source', 'detected'), on)], *box, SCALE, MARGIN, DROP)
        M = np.zeros((H, W), bool)
        for m in masks.values(): M |= m
        allowed = np.zeros((H, W), bool)
        for x, y, w, h, fid in g['boxes']:
            cx, cy = x + w / 2, y + h / 2
            allowed[int(max(0, cy - h)):int(min(H, cy + h)), int(max(0, cx - w)):int(min(W, cx + w))] = True
            if h < 10: continue
            x0, y0, x1, y1 = int(max(0, x)), int(max(0, y)), int(min(W, x + w + 0.999)), int(min(H, y + h + 0.999))
            if x1 <= x0 or y1 <= y0: continue
            yy, xx = np.mgrid[y0:y1, x0:x1]
            inside = ((xx + 0.5 - (x + w / 2)) / (w / 2)) ** 2 + ((yy + 0.5 - (y + h / 2)) / (h / 2)) ** 2 <= 1
            cov = M[y0:y1, x0:x1][inside].mean() if inside.any() else 1.0
            faces += 1; leaked += cov < 0.9; exposed[fid] = exposed.get(fid, False) or cov < 0.9
        rest = M & ~allowed
        for key in sorted(masks):   # each background pixel counted once, for the first source covering it
            c = masks[key] & rest; over[key] += int(c.sum()); rest &= ~c
        px += W * H
    print(f"leak {100 * leaked / max(1, faces):.2f}%  faces exposed {100 * sum(exposed.values()) / max(1, len(exposed)):.2f}%  "
          f"over-redaction {100 * sum(over.values()) / max(1, px):.2f}%")
    for (src, on), n in sorted(over.items(), key=lambda kv: -kv[1]):
        print(f"  {src:13s} {on:11s} {100 * n / px:5.2f} points")


if __name__ == '__main__':
    main()
