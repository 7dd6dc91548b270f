#!/usr/bin/python3
"""Recall benchmark for photos: redacts each shared image set with a magenta fill, scores it with
../shared/tools/leakscore.py, and prints leak rate by face size, over-redaction and milliseconds per megapixel
(end to end: decode, detect, redact, encode). Writes docs/recall.svg (recall by face size) and docs/recall.md.

  samples/recall-bench.py [--sets dlib-faces wider-416 masks] [-- extra redactor options]
  samples/recall-bench.py --compare     # every detector and a few thresholds; writes docs/models.md
"""
import argparse, glob, json, os, subprocess, sys, time
import cv2

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.environ.get('REDACTOR_SHARED', os.path.join(os.path.dirname(root), 'shared'))
ap = argparse.ArgumentParser()
ap.add_argument('--sets', nargs='+', default=['dlib-faces', 'wider-416', 'masks'])
ap.add_argument('--label', default='default settings')
ap.add_argument('--compare', action='store_true', help='compare detectors and thresholds on wider-416 and masks')
ap.add_argument('extra', nargs='*')
a = ap.parse_args()

subprocess.run([os.path.join(root, 'redactor'), '--version'], check=True, stdout=subprocess.DEVNULL)  # build outside the timing
sizes = ['10-16', '16-32', '32-64', '64+']

def run_set(name, extra):
    images = os.path.join(shared, 'data', name, 'images')
    out = os.path.join(root, 'out', 'recall', name)
    subprocess.run(['rm', '-rf', out], check=True)
    start = time.time()
    done = subprocess.run([os.path.join(root, 'redactor'), 'redact', images, '-o', out, '--style', 'fill', '--color', 'ff00ff', '-q', *extra])
    if done.returncode != 0:
        sys.exit(f'recall-bench: redactor failed on {name} with {" ".join(extra) or "default options"} (exit {done.returncode})')
    seconds = time.time() - start
    mp = sum(img.shape[0] * img.shape[1] for img in (cv2.imread(p) for p in glob.glob(os.path.join(images, '*'))) if img is not None) / 1e6
    score = subprocess.run(['/usr/bin/python3', os.path.join(shared, 'tools', 'leakscore.py'), 'images', out, os.path.join(shared, 'data', name, 'gt.txt')],
                           check=True, capture_output=True, text=True).stdout
    stats = json.loads(score[:score.rindex('}') + 1])
    buckets = {k: tuple(int(x) for x in v.split()[0].split('/')) for k, v in stats['buckets'].items()}
    return (name, stats['leak_rate_pct'], buckets, stats['over_redacted_pct'], 1000 * seconds / mp)

def cells(b):
    return ' | '.join(f'{b[s][0]}/{b[s][1]}' if b[s][1] else '-' for s in sizes)

if a.compare:
    configs = [('combined (default: yunet + retinaface and yolov5n-face over the whole frame)', []),
               ('combined --fast (yunet + retinaface)', ['--fast']), ('yunet', ['--detector', 'yunet']),
               ('yunet, threshold 0.35', ['--detector', 'yunet', '--threshold', '0.35']),
               ('yunet, --mask-scale 1.3 --mask-margin 0', ['--detector', 'yunet', '--mask-scale', '1.3', '--mask-margin', '0']),
               ('yunetn', ['--detector', 'yunetn']), ('retinaface', ['--detector', 'retinaface']),
               ('ultraface', ['--detector', 'ultraface']), ('ensemble (yunet + retinaface)', ['--detector', 'ensemble']),
               # These need the converted models installed with `redactor models install --from ../shared/models`.
               ('yolo (YOLOv5n-face alone)', ['--detector', 'yolo']), ('yolosmall (YOLOv5n-0.5-face alone)', ['--detector', 'yolosmall']),
               ('yunetyolo (yunet + YOLOv5n-face over the whole frame)', ['--detector', 'yunetyolo']),
               ('scrfd (SCRFD-1G alone; non-commercial weights)', ['--detector', 'scrfd'])]
    lines = ['| detector / options | set | leak rate | ' + ' | '.join(f'leaked {s} px' for s in sizes) + ' | over-redaction | ms/MP |',
             '|---|---|---|' + '---|' * len(sizes) + '---|---|']
    for label, extra in configs:
        for name in ['wider-416', 'masks']:
            n, leak, b, over, msmp = run_set(name, extra)
            lines.append(f'| {label} | {n} | {leak:.1f}% | {cells(b)} | {over:.2f}% | {msmp:.0f} |')
            print(lines[-1], flush=True)
    with open(os.path.join(root, 'docs', 'models.md'), 'w') as f:
        f.write('# Detectors compared\n\nEvery row is `redactor redact SET/images --style fill --color ff00ff` with the options shown, '
                'scored by `../shared/tools/leakscore.py` (a face is covered when 90 % of the ellipse in its box is redacted; '
                'leak counts are faces left visible / faces of that height). ms/MP is end to end (read, detect, redact, write) '
                'on 2 cores. Made by `samples/recall-bench.py --compare`.\n\n' + '\n'.join(lines) + '\n')
    sys.exit(0)

rows = [run_set(name, a.extra) for name in a.sets]
lines = [f'Recall benchmark ({a.label}; options: {" ".join(a.extra) or "none"})', '',
         '| set | leak rate | ' + ' | '.join(f'leaked {s} px' for s in sizes) + ' | over-redaction | ms/MP |',
         '|---|---|' + '---|' * len(sizes) + '---|---|']
for name, leak, b, over, msmp in rows:
    lines.append(f'| {name} | {leak:.1f}% | {cells(b)} | {over:.2f}% | {msmp:.0f} |')
text = '\n'.join(lines)
print(text)
os.makedirs(os.path.join(root, 'docs'), exist_ok=True)
with open(os.path.join(root, 'docs', 'recall.md'), 'w') as f:
    f.write(text + '\n\nMade by `samples/recall-bench.py`; leak counts are faces left visible / faces of that height.\n')

# Recall (share of faces covered) by face height, one group of bars per size, one bar per set.
W, H, left, bottom, top = 640, 360, 50, 40, 30
colours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759']
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<text x="{W/2}" y="18" text-anchor="middle">Faces covered by face height (px), {a.label}</text>']
plot_h = H - bottom - top
for pct in range(0, 101, 25):
    y = top + plot_h * (1 - pct / 100)
    svg.append(f'<line x1="{left}" y1="{y}" x2="{W-10}" y2="{y}" stroke="#ddd"/><text x="{left-6}" y="{y+4}" text-anchor="end">{pct}%</text>')
group_w = (W - left - 10) / len(sizes)
bar_w = group_w * 0.8 / max(1, len(rows))
for g, s in enumerate(sizes):
    x0 = left + g * group_w + group_w * 0.1
    svg.append(f'<text x="{left + g*group_w + group_w/2}" y="{H-bottom+16}" text-anchor="middle">{s}</text>')
    for i, (name, _, b, _, _) in enumerate(rows):
        leaked, total = b[s]
        if total == 0: continue
        recall = 1 - leaked / total
        h = plot_h * recall
        svg.append(f'<rect x="{x0 + i*bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w-2:.1f}" height="{h:.1f}" fill="{colours[i % 4]}"><title>{name}: {recall:.0%} of {total}</title></rect>')
for i, (name, *_rest) in enumerate(rows):
    svg.append(f'<rect x="{left + 10 + i*130}" y="{H-14}" width="10" height="10" fill="{colours[i % 4]}"/><text x="{left + 24 + i*130}" y="{H-5}">{name}</text>')
svg.append('</svg>')
with open(os.path.join(root, 'docs', 'recall.svg'), 'w') as f:
    f.write('\n'.join(svg) + '\n')
