// The review page. Plain JavaScript, no framework and no build step; every URL is relative, so each request carries the
// server's secret token (the first path segment). The server owns the plan: every edit is posted at once and the
// answer (the item's decisions as saved) replaces the page's copy, so a reload shows exactly what the plan file holds.
// Boxes are in the item's stored pixels, as in the plan; the picture is shown at display aspect, so x and y are scaled
// separately.
'use strict';

(() => {
  const PREFETCH = 4;       // frames fetched ahead of the one shown
  const CACHE_SIZE = 48;    // frame pictures kept (as blob URLs)
  const HANDLE = 7;         // corner handle half-size, CSS pixels
  const MIN_SIDE = 3;       // smallest box drawn, stored pixels

  const $ = (id) => document.getElementById(id);
  const dom = {
    itemName: $('itemName'), saveState: $('saveState'), grid: $('grid'), gridItems: $('gridItems'),
    viewer: $('viewer'), photoNav: $('photoNav'), photoPosition: $('photoPosition'), stage: $('stage'),
    picture: $('picture'), overlay: $('overlay'), stageMessage: $('stageMessage'), videoControls: $('videoControls'),
    frameNumber: $('frameNumber'), frameCount: $('frameCount'), frameTime: $('frameTime'), scrubber: $('scrubber'),
    timeline: $('timeline'), flagHere: $('flagHere'), addBox: $('addBox'), setKey: $('setKey'),
    spanTools: $('spanTools'), spanStart: $('spanStart'), spanEnd: $('spanEnd'), coverPhoto: $('coverPhoto'),
    previewToggle: $('previewToggle'), modeHint: $('modeHint'), selection: $('selection'), lists: $('lists'),
    style: $('style'), exportButton: $('exportButton'), exportProgress: $('exportProgress'),
    exportState: $('exportState'), exportSummary: $('exportSummary'), keysDialog: $('keysDialog'),
    finishButton: $('finishButton'), finishedView: $('finishedView'), main: $('main'),
    back1s: $('back1s'), back1: $('back1'), fwd1: $('fwd1'), fwd1s: $('fwd1s'), prevFlag: $('prevFlag'),
    nextFlag: $('nextFlag'), prevPhoto: $('prevPhoto'), nextPhoto: $('nextPhoto'),
    selectionPanel: $('selectionPanel'), listsPanel: $('listsPanel'), onFrame: $('onFrame'),
  };

  const S = {
    plan: null,
    item: 0,
    frame: 0,
    view: 'video',        // 'video' | 'photo' | 'grid'
    selected: null,       // {kind: 'track'|'manual'|'uncovered', id} (uncovered: index into item.uncovered)
    mode: null,           // null | 'add' | 'key'
    draft: null,          // box being drawn or dragged: {box, region?}
    gesture: null,
    preview: false,
    spanStart: null,
    rev: 0,               // bumped by every saved edit (previews depend on it)
    shown: null,          // "item/frame" of the picture on screen
    shownKey: null,       // and what it shows (wanted())
    direction: 1,         // of the last step: frames are fetched ahead that way
    natural: null,        // its JPEG's size
    finishArmed: false,
    finished: false,
  };

  const indexes = new Map();      // item -> derived look-ups of its tracks
  let counts = null;              // covered faces per frame of the current video item

  // ---- small helpers -------------------------------------------------------------------------------------------

  function h(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'onclick') e.addEventListener('click', v);
      else if (k === 'className') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
    return e;
  }

  function button(label, title, onclick, className) {
    return h('button', { type: 'button', title, onclick, className }, label);
  }

  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const item = () => S.plan.items[S.item];
  const lastFrame = () => item().identity.frames - 1;
  const isVideo = () => item().kind === 'video';

  function fmtTime(frame, rate) {
    if (!rate) return '';
    const t = frame / rate;
    const hours = Math.floor(t / 3600), mins = Math.floor((t % 3600) / 60), secs = t % 60;
    const s = secs.toFixed(2).padStart(5, '0');
    return hours > 0 ? `${hours}:${String(mins).padStart(2, '0')}:${s}` : `${mins}:${s}`;
  }

  function span(a, b) { return a === b ? `frame ${a}` : `frames ${a}–${b}`; }

  function setStatus(kind, text) {
    dom.saveState.className = 'save ' + (kind || '');
    dom.saveState.textContent = text;
  }

  // ---- derived look-ups ----------------------------------------------------------------------------------------

  function indexOf(i) {
    let x = indexes.get(i);
    if (x) return x;
    const it = S.plan.items[i];
    const byFrame = new Map(), range = new Map(), weak = new Map(), marks = new Map();
    const push = (m, k, v) => { const a = m.get(k); if (a) a.push(v); else m.set(k, [v]); };
    for (const t of it.tracks) {
      let lo = Infinity, hi = -Infinity;
      for (const b of t.boxes) {
        push(byFrame, b[0], { track: t.id, box: [b[1], b[2], b[3], b[4]], score: b[5], source: b[6] });
        lo = Math.min(lo, b[0]);
        hi = Math.max(hi, b[0]);
      }
      if (t.boxes.length) range.set(t.id, [lo, hi]);
    }
    it.uncovered.forEach((b, n) => push(weak, b[0], { index: n, box: [b[1], b[2], b[3], b[4]], score: b[5] }));
    for (const [f, kind] of it.marks) push(marks, f, kind);
    const flagged = [...new Set(it.marks.map((m) => m[0]))].sort((a, b) => a - b);
    x = { byFrame, range, weak, marks, flagged };
    indexes.set(i, x);
    return x;
  }

  function trackState(it, id) {
    if (it.keep.includes(id)) return 'kept';
    if (it.remove.includes(id)) return 'removed';
    return 'covered';
  }

  // The box a hand-drawn region has on a frame: linear between keys, held before the first and after the last
  // (as the render computes it).
  // As PlanRegions.ManualBoxAt: linear between keys, never across a cut (the key before a cut is held up to it, the key
  // after it from the last cut on).
  function manualBox(m, f) {
    const k = m.keys;
    if (f <= k[0][0]) return k[0].slice(1, 5);
    if (f >= k[k.length - 1][0]) return k[k.length - 1].slice(1, 5);
    let i = 0;
    while (k[i + 1][0] <= f) i++;
    const a = k[i], b = k[i + 1];
    if (f === a[0]) return a.slice(1, 5);
    const cuts = item().cuts.filter((c) => c > a[0] && c <= b[0]);
    if (cuts.length) return (f >= cuts[cuts.length - 1] ? b : a).slice(1, 5);
    const t = (f - a[0]) / (b[0] - a[0]);
    return [1, 2, 3, 4].map((j) => a[j] + (b[j] - a[j]) * t);
  }

  function shotEnd(it, f) {
    let end = it.identity.frames - 1;
    for (const c of it.cuts) if (c > f && c - 1 < end) end = c - 1;
    return end;
  }

  function coverSpanAt(it, f) { return it.coverFrames.find((s) => s[0] <= f && f <= s[1]) || null; }

  function computeCounts() {
    const it = item();
    if (!isVideo()) { counts = null; return; }
    const n = it.identity.frames, c = new Uint16Array(n), x = indexOf(S.item);
    const keep = new Set(it.keep), removed = new Set(it.remove);
    for (const [f, list] of x.byFrame) {
      if (f < 0 || f >= n) continue;
      const ids = new Set();
      for (const r of list) if (!keep.has(r.track) && !removed.has(r.track)) ids.add(r.track);
      c[f] += ids.size;
    }
    for (const m of it.manual) for (let f = Math.max(0, m.start); f <= Math.min(m.end, n - 1); f++) c[f]++;
    counts = c;
  }

  // ---- pictures ------------------------------------------------------------------------------------------------

  const cache = new Map();   // key -> Promise<blob URL>, in use order (oldest first)

  function fetchPicture(key, url) {
    const had = cache.get(key);
    if (had) {
      cache.delete(key);
      cache.set(key, had);
      return had;
    }
    const p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error((await r.text()) || `the server answered ${r.status}`);
      return URL.createObjectURL(await r.blob());
    });
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    while (cache.size > CACHE_SIZE) {
      const [oldKey, oldP] = cache.entries().next().value;
      cache.delete(oldKey);
      oldP.then((u) => { if (dom.picture.src !== u) URL.revokeObjectURL(u); }, () => {});
    }
    return p;
  }

  const frameKey = (i, f) => `${i}/${f}`;
  const frameUrl = (i, f) => `api/items/${i}/frames/${f}.jpg`;

  function picture(i, f) {
    if (S.preview) {
      const style = dom.style.value;
      return fetchPicture(`p/${i}/${f}/${style}/${S.rev}`, `api/items/${i}/preview/${f}.jpg?style=${style}`);
    }
    return fetchPicture(frameKey(i, f), frameUrl(i, f));
  }

  let loading = false;
  let prefetchGen = 0;

  // What should be on screen: item, frame, and the preview's style and edit count when it is on.
  const wanted = () => `${S.item}/${S.frame}/${S.preview ? `${dom.style.value}/${S.rev}` : ''}`;

  // Shows frame f: the number at once, the picture and its boxes together once the picture is decoded (boxes of one
  // frame never sit on another's picture). One picture loads at a time: steps made meanwhile (a held key, the
  // scrubber dragged) are not queued up, the latest is loaded next.
  function show(f, direction) {
    if (!S.plan) return;
    S.frame = clamp(Math.round(f), 0, lastFrame());
    S.direction = direction || S.direction || 1;
    updateFrameText();
    drawTimeline();
    updateHash();
    if (S.shownKey === wanted()) {
      fitOverlay();
      draw();
    } else if (!loading) load();
  }

  async function load() {
    loading = true;
    try {
      while (S.plan && S.shownKey !== wanted()) {
        const key = wanted(), i = S.item, f = S.frame, preview = S.preview;
        let url, probe;
        try {
          url = await picture(i, f);
          probe = new Image();
          probe.src = url;
          await probe.decode();
        } catch (e) {
          if (key !== wanted()) continue;
          dom.saveState.dataset.picture = 'error';
          setStatus('error', `Frame ${f} could not be shown: ${e.message}`);
          draw();
          break;
        }
        // Shown even when another frame is wanted by now: the picture follows the scrubber while it moves.
        S.natural = { w: probe.naturalWidth, h: probe.naturalHeight };
        dom.picture.src = url;
        S.shownKey = key;
        S.shown = `${i}/${f}`;
        dom.stage.dataset.frame = String(f);
        dom.stage.dataset.item = String(i);
        dom.stage.dataset.preview = preview ? key.split('/')[2] : '';
        fitOverlay();
        draw();
        renderOnFrame();
        if (dom.saveState.dataset.picture === 'error') { setStatus('ok', 'Saved'); delete dom.saveState.dataset.picture; }
      }
    } finally {
      loading = false;
    }
    if (S.plan && !S.preview && isVideo()) prefetch(S.frame, S.direction);
  }

  async function prefetch(f, direction) {
    const gen = ++prefetchGen, i = S.item;
    for (let d = 1; d <= PREFETCH; d++) {
      const g = f + d * direction;
      if (g < 0 || g > lastFrame() || gen !== prefetchGen) return;
      try { await fetchPicture(frameKey(i, g), frameUrl(i, g)); } catch { return; }
    }
  }

  // ---- overlay -------------------------------------------------------------------------------------------------

  function scale() {
    const r = dom.picture.getBoundingClientRect();
    const id = item().identity;
    return { sx: r.width / id.width, sy: r.height / id.height, w: r.width, h: r.height };
  }

  // The picture fills the column (or the window's height, less the controls below it), larger or smaller than its
  // JPEG; sized here rather than in CSS so that the overlay lies exactly on it (no letterbox inside the element).
  function fitPicture() {
    if (!S.natural) return;
    const nw = S.natural.w, nh = S.natural.h;
    const below = S.view === 'video' ? 330 : 190;
    const k = Math.min(dom.viewer.clientWidth / nw, Math.max(160, window.innerHeight - below) / nh);
    dom.picture.style.width = `${Math.floor(nw * k)}px`;
    dom.picture.style.height = `${Math.floor(nh * k)}px`;
  }

  function fitOverlay() {
    fitPicture();
    const r = dom.picture.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const c = dom.overlay;
    c.style.width = `${r.width}px`;
    c.style.height = `${r.height}px`;
    const w = Math.max(1, Math.round(r.width * dpr)), hgt = Math.max(1, Math.round(r.height * dpr));
    if (c.width !== w || c.height !== hgt) { c.width = w; c.height = hgt; }
  }

  // Everything drawable on the current frame, topmost last.
  function shapes() {
    const it = item(), f = S.frame, x = indexOf(S.item), out = [];
    for (const w of x.weak.get(f) || []) out.push({ kind: 'uncovered', id: w.index, box: w.box, score: w.score });
    for (const r of x.byFrame.get(f) || []) out.push({ kind: 'track', id: r.track, box: r.box, state: trackState(it, r.track), source: r.source });
    for (const m of it.manual) {
      const inside = m.start <= f && f <= m.end;
      const sel = S.selected && S.selected.kind === 'manual' && S.selected.id === m.id;
      if (inside || sel) out.push({ kind: 'manual', id: m.id, box: manualBox(m, f), inside, key: m.keys.some((k) => k[0] === f) });
    }
    return out;
  }

  function isSelected(s) { return S.selected && S.selected.kind === s.kind && S.selected.id === s.id; }

  function draw() {
    const c = dom.overlay, ctx = c.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    dom.stageMessage.hidden = true;
    if (!S.plan || S.view === 'grid' || S.shown !== `${S.item}/${S.frame}`) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { sx, sy, w, h: hgt } = scale();
    const it = item();
    const cover = coverSpanAt(it, S.frame);
    if (S.preview) {
      dom.stageMessage.hidden = false;
      dom.stageMessage.textContent = `Redacted preview (${dom.style.value})`;
    }
    if (cover && !S.preview) {
      ctx.fillStyle = 'rgba(20, 24, 28, 0.45)';
      ctx.fillRect(0, 0, w, hgt);
      dom.stageMessage.hidden = false;
      dom.stageMessage.textContent = isVideo()
        ? `Whole frame covered (${span(cover[0], cover[1])})` : 'Whole photo covered';
    }
    // A track can have several boxes on a frame (a detection of a neighbouring frame spread here): its label is
    // drawn once, on the first.
    const labelled = new Set();
    for (const s of shapes()) {
      if (S.preview && !isSelected(s)) continue;
      const dragged = S.draft && S.draft.region === s.id && s.kind === 'manual';
      const b = dragged ? S.draft.box : s.box;
      const key = `${s.kind}/${s.id}`;
      drawShape(ctx, s, b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy, !labelled.has(key));
      labelled.add(key);
    }
    if (S.draft && S.draft.region === undefined) {
      const b = S.draft.box;
      drawBox(ctx, b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy, '#1c7ed6', 2, [6, 4]);
    }
  }

  function drawBox(ctx, x, y, w, hgt, colour, width, dash) {
    ctx.save();
    ctx.lineWidth = width + 2;
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.75)';
    ctx.setLineDash(dash || []);
    ctx.strokeRect(x, y, w, hgt);
    ctx.lineWidth = width;
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, y, w, hgt);
    ctx.restore();
  }

  function label(ctx, x, y, text, colour) {
    ctx.save();
    ctx.font = '12px system-ui, sans-serif';
    const tw = ctx.measureText(text).width + 8;
    const ty = y >= 17 ? y - 17 : y + 1;
    ctx.fillStyle = colour;
    ctx.fillRect(x, ty, tw, 16);
    ctx.fillStyle = '#fff';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x + 4, ty + 8);
    ctx.restore();
  }

  function drawShape(ctx, s, x, y, w, hgt, first) {
    const sel = isSelected(s);
    const extra = sel ? 1.5 : 0;
    if (s.kind === 'track') {
      const thin = s.source === 'spread' ? 0.5 : 0;
      if (s.state === 'kept') {
        drawBox(ctx, x, y, w, hgt, '#2b8a3e', 2 + extra - thin, [6, 4]);
        if (first) label(ctx, x, y, `#${s.id} kept`, '#2b8a3e');
      } else if (s.state === 'removed') {
        drawBox(ctx, x, y, w, hgt, '#868e96', 1.5 + extra - thin);
        if (first) label(ctx, x, y, `#${s.id} removed`, '#868e96');
      } else {
        drawBox(ctx, x, y, w, hgt, '#e03131', 2 + extra - thin);
        if (first) label(ctx, x, y, `#${s.id}`, '#e03131');
      }
    } else if (s.kind === 'uncovered') {
      drawBox(ctx, x, y, w, hgt, '#e0a800', 2 + extra, [2, 3]);
      if (first) label(ctx, x, y, `weak ${Number(s.score).toFixed(2)}`, '#9c6f00');
    } else {
      const colour = '#1c7ed6';
      drawBox(ctx, x, y, w, hgt, colour, 2 + extra, s.inside ? null : [4, 4]);
      label(ctx, x, y, s.inside ? `M${s.id}` : `M${s.id} (not covered on this frame)`, colour);
      ctx.save();
      ctx.fillStyle = sel ? colour : '#fff';
      ctx.strokeStyle = colour;
      const r = sel ? HANDLE : HANDLE - 2;
      for (const [cx, cy] of [[x, y], [x + w, y], [x, y + hgt], [x + w, y + hgt]]) {
        ctx.fillRect(cx - r / 2, cy - r / 2, r, r);
        ctx.strokeRect(cx - r / 2, cy - r / 2, r, r);
      }
      ctx.restore();
    }
  }

  // ---- pointer on the picture ----------------------------------------------------------------------------------

  function pointer(e) {
    const r = dom.overlay.getBoundingClientRect();
    const { sx, sy } = scale();
    const id = item().identity;
    const cx = e.clientX - r.left, cy = e.clientY - r.top;
    return { cx, cy, x: clamp(cx / sx, 0, id.width), y: clamp(cy / sy, 0, id.height) };
  }

  // What is under the pointer: a corner of a hand-drawn region, a region, a track box or a weak detection (the
  // smallest box wins, hand-drawn first since those are the ones to drag).
  function hit(p) {
    const { sx, sy } = scale();
    const all = shapes();
    const order = { manual: 0, track: 1, uncovered: 2 };
    let best = null;
    for (const s of all) {
      const [bx, by, bw, bh] = s.box;
      const x0 = bx * sx, y0 = by * sy, x1 = (bx + bw) * sx, y1 = (by + bh) * sy;
      if (s.kind === 'manual') {
        const corners = { nw: [x0, y0], ne: [x1, y0], sw: [x0, y1], se: [x1, y1] };
        for (const [name, [hx, hy]] of Object.entries(corners))
          if (Math.abs(p.cx - hx) <= HANDLE && Math.abs(p.cy - hy) <= HANDLE) return { shape: s, corner: name };
      }
      if (p.cx < x0 - 2 || p.cx > x1 + 2 || p.cy < y0 - 2 || p.cy > y1 + 2) continue;
      const area = bw * bh;
      if (!best || order[s.kind] < order[best.shape.kind]
        || (order[s.kind] === order[best.shape.kind] && area < best.area)) best = { shape: s, area };
    }
    return best;
  }

  function normal(ax, ay, bx, by) {
    return [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)];
  }

  dom.overlay.addEventListener('pointerdown', (e) => {
    if (!S.plan || S.finished || e.button !== 0) return;
    const p = pointer(e);
    dom.overlay.setPointerCapture(e.pointerId);
    if (S.mode) {
      S.gesture = { kind: 'draw', x0: p.x, y0: p.y };
      S.draft = { box: [p.x, p.y, 0, 0] };
      draw();
      return;
    }
    const under = hit(p);
    if (!under) {
      select(null);
      return;
    }
    const s = under.shape;
    select({ kind: s.kind, id: s.id });
    if (s.kind === 'manual' && !S.preview) {
      const [bx, by, bw, bh] = s.box;
      S.gesture = { kind: under.corner ? 'resize' : 'move', corner: under.corner, start: p, box: [bx, by, bw, bh], moved: false };
      S.draft = { box: [bx, by, bw, bh], region: s.id };
    }
  });

  dom.overlay.addEventListener('pointermove', (e) => {
    if (!S.plan || S.view === 'grid') return;
    const p = pointer(e);
    const g = S.gesture;
    if (!g) {
      hoverCursor(p);
      return;
    }
    const id = item().identity;
    if (g.kind === 'draw') {
      S.draft.box = normal(g.x0, g.y0, p.x, p.y);
    } else if (g.kind === 'move') {
      const dx = p.x - g.start.x, dy = p.y - g.start.y;
      if (Math.abs(dx) + Math.abs(dy) > 0) g.moved = true;
      const [bx, by, bw, bh] = g.box;
      S.draft.box = [clamp(bx + dx, 0, id.width - bw), clamp(by + dy, 0, id.height - bh), bw, bh];
    } else if (g.kind === 'resize') {
      g.moved = true;
      const [bx, by, bw, bh] = g.box;
      const fx = g.corner.includes('w') ? bx + bw : bx, fy = g.corner.includes('n') ? by + bh : by;
      S.draft.box = normal(fx, fy, p.x, p.y);
    }
    draw();
  });

  function endGesture() {
    const g = S.gesture, d = S.draft;
    S.gesture = null;
    S.draft = null;
    if (!g) return;
    const b = d.box.map((v) => Math.round(v * 100) / 100);
    const big = b[2] >= MIN_SIDE && b[3] >= MIN_SIDE;
    if (g.kind === 'draw') {
      const mode = S.mode;
      setMode(null);
      if (!big) { draw(); return; }
      if (mode === 'add') {
        edit({ op: 'addManual', item: S.item, frame: S.frame, box: b }).then((r) => {
          if (r && r.created) select({ kind: 'manual', id: r.created });
        });
      } else if (mode === 'key' && S.selected && S.selected.kind === 'manual') {
        edit({ op: 'setKey', item: S.item, region: S.selected.id, frame: S.frame, box: b });
      }
    } else if (g.moved && big) {
      edit({ op: 'setKey', item: S.item, region: d.region, frame: S.frame, box: b });
    }
    draw();
  }

  dom.overlay.addEventListener('pointerup', endGesture);
  dom.overlay.addEventListener('pointercancel', () => { S.gesture = null; S.draft = null; draw(); });

  function hoverCursor(p) {
    const c = dom.overlay.classList;
    c.remove('over-box', 'over-move', 'over-nwse', 'over-nesw');
    if (S.mode) return;
    const under = hit(p);
    if (!under) return;
    if (under.corner) c.add(under.corner === 'nw' || under.corner === 'se' ? 'over-nwse' : 'over-nesw');
    else if (under.shape.kind === 'manual') c.add('over-move');
    else c.add('over-box');
  }

  // ---- edits ---------------------------------------------------------------------------------------------------

  let queue = Promise.resolve();

  // Posts one edit; edits go one after another so that answers cannot overtake each other.
  function edit(body) {
    const run = async () => {
      setStatus('', 'Saving…');
      let r;
      try {
        r = await fetch('api/edit', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      } catch {
        setStatus('error', 'Not saved: the review server does not answer (was it stopped?)');
        return null;
      }
      if (!r.ok) {
        setStatus('error', `Not saved: ${(await r.text()) || r.status}`);
        draw();
        return null;
      }
      const d = await r.json();
      const it = S.plan.items[d.item];
      it.keep = d.keep;
      it.remove = d.remove;
      it.manual = d.manual;
      it.coverFrames = d.coverFrames;
      S.rev++;
      setStatus('ok', 'Saved');
      if (d.item === S.item) {
        computeCounts();
        if (S.selected && S.selected.kind === 'manual' && !it.manual.some((m) => m.id === S.selected.id)) S.selected = null;
        refresh();
        if (S.preview) show(S.frame);
      }
      return d;
    };
    const p = queue.then(run, run);
    queue = p.catch(() => null);
    return p;
  }

  // ---- panels --------------------------------------------------------------------------------------------------

  function select(sel) {
    S.selected = sel;
    refresh();
  }

  function refresh() {
    if (!S.plan) return;
    draw();
    drawTimeline();
    renderSelection();
    renderOnFrame();
    renderLists();
    updateTools();
    if (S.view === 'grid') renderGrid();
  }

  function goToFrame(f) {
    if (S.view === 'grid') return;
    show(f, f >= S.frame ? 1 : -1);
  }

  function renderSelection() {
    const box = dom.selection;
    box.replaceChildren();
    const it = item(), sel = S.selected, f = S.frame, x = indexOf(S.item);
    const video = isVideo();
    if (!sel) {
      box.append(
        h('p', { text: video
          ? 'Step through the video (← →) or jump to the flagged frames (N). Click a box to keep it visible, remove it '
            + 'or change it; Add box (A) covers a face the first pass missed.'
          : 'Click a box to keep it visible, remove it or change it; Add box (A) covers a face the first pass missed.' }),
        h('p', { className: 'muted' },
          h('span', { className: 'state covered', text: 'Red' }), ': covered. ',
          h('span', { className: 'state kept', text: 'Green dashed' }), ': kept visible. ',
          h('span', { className: 'state removed', text: 'Grey' }), ': not a face, not covered. ',
          h('span', { className: 'state manual', text: 'Blue' }), ': drawn by hand. ',
          h('span', { className: 'state weak', text: 'Yellow dotted' }), ': weak detection, not covered.'));
      return;
    }
    if (sel.kind === 'track') {
      const state = trackState(it, sel.id);
      const [a, b] = x.range.get(sel.id) || [0, 0];
      const words = { covered: 'Covered', kept: 'Kept visible (consent)', removed: 'Not a face: not covered' };
      box.append(
        h('h3', { text: video ? `Face track #${sel.id}` : `Face #${sel.id}` }),
        video ? h('p', {}, `${span(a, b)[0].toUpperCase()}${span(a, b).slice(1)}`,
          it.frameRate ? ` (${fmtTime(a, it.frameRate)} – ${fmtTime(b, it.frameRate)})` : '') : null,
        h('p', {}, h('span', { className: `state ${state}`, text: words[state] })));
      const actions = h('div', { className: 'actions' });
      if (state === 'kept') actions.append(button('Undo keep', 'Cover this face again', () => edit({ op: 'unkeep', item: S.item, track: sel.id })));
      else actions.append(button('Keep visible (consent)', 'Leave this person\'s face visible in every frame of the track: only with their consent', () => edit({ op: 'keep', item: S.item, track: sel.id })));
      if (state === 'removed') actions.append(button('Undo remove', 'Cover this box again', () => edit({ op: 'unremove', item: S.item, track: sel.id })));
      else actions.append(button('Not a face (remove)', 'This box is not a face (a sign, a hand): do not cover it in any frame of the track', () => edit({ op: 'remove', item: S.item, track: sel.id })));
      if (video) {
        actions.append(
          button('First frame', `Go to frame ${a}, the track's first`, () => goToFrame(a)),
          button('Last frame', `Go to frame ${b}, the track's last`, () => goToFrame(b)));
      }
      box.append(actions);
    } else if (sel.kind === 'manual') {
      const m = it.manual.find((r) => r.id === sel.id);
      if (!m) { S.selected = null; renderSelection(); return; }
      const keyHere = m.keys.some((k) => k[0] === f);
      box.append(h('h3', { text: `Drawn region M${m.id}` }));
      if (video) {
        box.append(
          h('p', {}, `Covers ${span(m.start, m.end)}`, it.frameRate ? ` (${fmtTime(m.start, it.frameRate)} – ${fmtTime(m.end, it.frameRate)})` : ''),
          h('p', {}, `Box set on ${m.keys.length === 1 ? 'frame' : 'frames'} ${m.keys.map((k) => k[0]).join(', ')}. `,
            h('span', { className: 'muted', text: 'Between two of them it moves in a straight line; before the first and after the last it stays.' })),
          h('p', { className: 'muted', text: 'Drag the box or its corners to set its box on this frame.' }));
      } else {
        box.append(h('p', { className: 'muted', text: 'Drag the box or its corners to change it.' }));
      }
      const actions = h('div', { className: 'actions' });
      if (video) {
        actions.append(
          button('Set start here', `Cover from frame ${f}`, () => edit({ op: 'setStart', item: S.item, region: m.id, frame: f })),
          button('Set end here', `Cover up to frame ${f}`, () => edit({ op: 'setEnd', item: S.item, region: m.id, frame: f })),
          button('Set box on this frame', 'Draw this region\'s box on this frame (K)', () => setMode('key')));
        if (keyHere && m.keys.length > 1) {
          actions.append(button('Clear box on this frame', `Forget the box set on frame ${f} (the others stay)`,
            () => edit({ op: 'deleteKey', item: S.item, region: m.id, frame: f })));
        }
      }
      actions.append(button('Delete', 'Delete this region (Delete)', () => edit({ op: 'deleteManual', item: S.item, region: m.id }), 'danger'));
      box.append(actions);
    } else if (sel.kind === 'uncovered') {
      const b = it.uncovered[sel.id];
      if (!b) { S.selected = null; renderSelection(); return; }
      const end = shotEnd(it, b[0]);
      box.append(
        h('h3', { text: 'Weak detection' }),
        h('p', {}, h('span', { className: 'state weak', text: 'Not covered' }), ` · score ${Number(b[5]).toFixed(2)}`),
        h('p', { className: 'muted', text: 'The first pass was not sure this is a face. If it is, add it: '
          + (video ? `it is covered from frame ${b[0]} to the end of the shot (frame ${end}); adjust it like any box you draw.` : 'it is covered as shown.') }),
        h('div', { className: 'actions' }, button('Add as region', 'Cover this box as if drawn by hand', () =>
          edit({ op: 'addManual', item: S.item, frame: b[0], box: [b[1], b[2], b[3], b[4]] }).then((r) => {
            if (r && r.created) select({ kind: 'manual', id: r.created });
          }))));
    }
  }

  // Every box of the frame on screen as a button: a way to select one with the keyboard, or one hidden under another.
  function renderOnFrame() {
    const box = dom.onFrame;
    box.replaceChildren();
    if (!S.plan || S.view === 'grid' || S.shown !== `${S.item}/${S.frame}`) return;
    const seen = new Set(), buttons = [];
    for (const s of shapes()) {
      const key = `${s.kind}/${s.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const name = s.kind === 'manual' ? `M${s.id}` : s.kind === 'uncovered' ? `weak ${Number(s.score).toFixed(2)}` : `#${s.id}`;
      buttons.push(button(name, 'Select this box', () => select({ kind: s.kind, id: s.id }), 'link'));
    }
    if (!buttons.length) {
      box.textContent = isVideo() ? 'No box on this frame.' : 'No box on this photo.';
      return;
    }
    box.append(isVideo() ? 'On this frame: ' : 'On this photo: ');
    buttons.forEach((b, n) => box.append(...(n ? [' ', b] : [b])));
  }

  function renderLists() {
    const box = dom.lists, it = item(), x = indexOf(S.item), video = isVideo();
    box.replaceChildren();
    const rangeText = (id) => {
      const r = x.range.get(id);
      return r && video ? ` · ${span(r[0], r[1])}` : '';
    };
    const section = (title, rows, empty) => {
      box.append(h('h3', { text: title }));
      box.append(rows.length ? h('ul', {}, ...rows) : h('p', { className: 'empty', text: empty }));
    };
    const trackRow = (id, undoOp, undoTitle) => h('li', {},
      h('span', { className: 'what' }, button(`Track #${id}`, 'Select it and go to its first frame', () => {
        const r = x.range.get(id);
        S.selected = { kind: 'track', id };
        if (r && video) goToFrame(r[0]);
        refresh();
      }, 'link'), rangeText(id)),
      button('Undo', undoTitle, () => edit({ op: undoOp, item: S.item, track: id })));
    section('Kept visible (consent)', it.keep.map((id) => trackRow(id, 'unkeep', 'Cover this track again')), 'None.');
    section('Not faces (removed)', it.remove.map((id) => trackRow(id, 'unremove', 'Cover this track again')), 'None.');
    section('Drawn by hand', it.manual.map((m) => h('li', {},
      h('span', { className: 'what' }, button(`M${m.id}`, 'Select it and go to its first frame', () => {
        S.selected = { kind: 'manual', id: m.id };
        if (video) goToFrame(m.start);
        refresh();
      }, 'link'), video ? ` · ${span(m.start, m.end)} · ${m.keys.length} ${m.keys.length === 1 ? 'box' : 'boxes'}` : ''),
      button('Delete', 'Delete this region', () => edit({ op: 'deleteManual', item: S.item, region: m.id }), 'danger'))), 'None.');
    section(video ? 'Whole frames covered' : 'Whole photo covered', it.coverFrames.map((s) => h('li', {},
      h('span', { className: 'what' }, video
        ? button(span(s[0], s[1]), 'Go to the span\'s first frame', () => goToFrame(s[0]), 'link') : 'The whole photo'),
      button('Delete', 'Uncover these frames', () => edit({ op: 'deleteCover', item: S.item, start: s[0], end: s[1] }), 'danger'))),
    'None.');
  }

  function updateFrameText() {
    const it = item();
    dom.frameNumber.textContent = String(S.frame);
    dom.frameCount.textContent = String(it.identity.frames);
    dom.frameTime.textContent = fmtTime(S.frame, it.frameRate);
    dom.scrubber.max = String(lastFrame());
    dom.scrubber.value = String(S.frame);
    const x = indexOf(S.item);
    dom.prevFlag.disabled = !x.flagged.some((g) => g < S.frame);
    dom.nextFlag.disabled = !x.flagged.some((g) => g > S.frame);
    const marks = x.marks.get(S.frame);
    const words = {
      trackStarts: 'a face track starts mid-shot: was the face there before, missed?',
      trackEnds: 'a face track ends mid-shot: is the face still there after, missed?',
      uncovered: 'a weak detection is not covered: is it a face?',
      fewerFaces: 'fewer faces than the frame before: was one missed?',
    };
    dom.flagHere.hidden = !marks || !isVideo();
    if (marks) dom.flagHere.textContent = 'Flagged here: ' + [...new Set(marks)].map((k) => words[k] || k).join(' · ');
    renderSelectionIfFrameDependent();
    renderOnFrame();
  }

  function renderSelectionIfFrameDependent() {
    if (S.selected && S.selected.kind === 'manual') renderSelection();
  }

  function setMode(mode) {
    if (mode === 'key' && !(S.selected && S.selected.kind === 'manual')) {
      setStatus('error', 'Select a region drawn by hand first (click its blue box).');
      mode = null;
    }
    S.mode = mode;
    dom.overlay.classList.toggle('drawing', !!mode);
    updateTools();
  }

  function updateTools() {
    const it = item(), video = isVideo();
    dom.addBox.classList.toggle('active', S.mode === 'add');
    dom.setKey.classList.toggle('active', S.mode === 'key');
    dom.setKey.disabled = !(S.selected && S.selected.kind === 'manual') || !video;
    dom.setKey.hidden = !video;
    dom.spanTools.hidden = !video;
    dom.coverPhoto.hidden = video;
    dom.coverPhoto.disabled = it.coverFrames.length > 0;
    dom.spanStart.classList.toggle('active', S.spanStart !== null);
    let hint = '';
    if (S.mode === 'add') {
      hint = video
        ? `Drag on the picture to draw a box. It covers from this frame to the end of the shot (frame ${shotEnd(it, S.frame)}); `
          + 'then set its box on other frames (K) where the face moves. Esc cancels.'
        : 'Drag on the picture to draw a box to cover. Esc cancels.';
    } else if (S.mode === 'key') {
      hint = `Drag on the picture to draw region M${S.selected.id}'s box on frame ${S.frame}. Esc cancels.`;
    } else if (S.spanStart !== null) {
      hint = `Covering whole frames from frame ${S.spanStart}: go to the last frame to cover and press "Cover to here" ( ] ). Esc cancels.`;
    }
    dom.modeHint.hidden = !hint;
    dom.modeHint.textContent = hint;
  }

  // ---- timeline ------------------------------------------------------------------------------------------------

  function drawTimeline() {
    const c = dom.timeline;
    if (!S.plan || !isVideo() || S.view !== 'video') return;
    const it = item(), n = it.identity.frames, x = indexOf(S.item);
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth, hgt = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const px = (f) => (f + 0.5) / n * w;
    const top = 10, bottom = hgt - 12, barH = bottom - top;
    // Faces covered per frame: the most in each column (a column can hold many frames).
    if (counts) {
      let most = 1;
      for (const v of counts) if (v > most) most = v;
      ctx.fillStyle = '#9fb3c8';
      const cols = Math.max(1, Math.floor(w));
      for (let col = 0; col < cols; col++) {
        const f0 = Math.floor(col / cols * n), f1 = Math.max(f0 + 1, Math.floor((col + 1) / cols * n));
        let v = 0;
        for (let f = f0; f < f1 && f < n; f++) if (counts[f] > v) v = counts[f];
        if (v > 0) {
          const bh = Math.max(2, v / most * barH);
          ctx.fillRect(col, bottom - bh, 1, bh);
        }
      }
    }
    ctx.fillStyle = '#1f2933';
    for (const cut of it.cuts) ctx.fillRect(Math.floor(px(cut) - 0.5), 0, 1.5, hgt);
    for (const [f, kind] of it.marks) {
      ctx.fillStyle = kind === 'uncovered' ? '#e0a800' : '#f08c00';
      ctx.fillRect(Math.floor(px(f)) - 1, 0, 2.5, 8);
    }
    ctx.fillStyle = '#1c7ed6';
    for (const m of it.manual) ctx.fillRect(px(m.start) - 0.5, hgt - 11, Math.max(2, px(m.end) - px(m.start) + 1), 4);
    ctx.fillStyle = '#343a40';
    for (const s of it.coverFrames) ctx.fillRect(px(s[0]) - 0.5, hgt - 6, Math.max(2, px(s[1]) - px(s[0]) + 1), 5);
    if (S.spanStart !== null) {
      ctx.fillStyle = 'rgba(52, 58, 64, 0.35)';
      const a = Math.min(S.spanStart, S.frame), b = Math.max(S.spanStart, S.frame);
      ctx.fillRect(px(a), 0, Math.max(2, px(b) - px(a)), hgt);
    }
    ctx.fillStyle = '#c92a2a';
    ctx.fillRect(Math.round(px(S.frame)) - 1, 0, 2, hgt);
  }

  function timelineFrame(e) {
    const r = dom.timeline.getBoundingClientRect();
    return clamp(Math.floor((e.clientX - r.left) / r.width * item().identity.frames), 0, lastFrame());
  }

  let timelineDrag = false;
  dom.timeline.addEventListener('pointerdown', (e) => {
    if (!S.plan) return;
    timelineDrag = true;
    dom.timeline.setPointerCapture(e.pointerId);
    goToFrame(timelineFrame(e));
  });
  dom.timeline.addEventListener('pointermove', (e) => { if (timelineDrag) goToFrame(timelineFrame(e)); });
  dom.timeline.addEventListener('pointerup', () => { timelineDrag = false; });

  // ---- photos --------------------------------------------------------------------------------------------------

  function renderGrid() {
    dom.gridItems.replaceChildren();
    S.plan.items.forEach((it, i) => {
      const covered = it.tracks.filter((t) => trackState(it, t.id) === 'covered').length + it.manual.length;
      const edited = it.keep.length + it.remove.length + it.manual.length + it.coverFrames.length > 0;
      const card = h('button', { type: 'button', className: 'thumb', title: `Open ${it.path}` },
        h('img', { src: frameUrl(i, 0), alt: it.path, loading: 'lazy' }),
        h('span', { className: 'path', text: it.path }),
        h('span', { className: 'count' },
          it.uncovered.length ? h('span', { className: 'badge weak', text: `${it.uncovered.length} weak` }) : null,
          edited ? h('span', { className: 'badge edited', text: 'edited' }) : null,
          it.coverFrames.length ? 'whole photo covered' : `${covered} ${covered === 1 ? 'face' : 'faces'} covered`));
      card.addEventListener('click', () => openItem(i));
      dom.gridItems.append(card);
    });
  }

  // ---- views ---------------------------------------------------------------------------------------------------

  function openGrid() {
    S.view = 'grid';
    S.selected = null;
    setMode(null);
    dom.grid.hidden = false;
    dom.viewer.hidden = true;
    dom.selectionPanel.hidden = true;
    dom.listsPanel.hidden = true;
    dom.itemName.textContent = `${S.plan.items.length} photos`;
    updateHash();
    refresh();
  }

  function openItem(i, frame) {
    S.item = i;
    S.selected = null;
    S.spanStart = null;
    setMode(null);
    const it = item();
    S.view = it.kind === 'video' ? 'video' : 'photo';
    dom.grid.hidden = true;
    dom.viewer.hidden = false;
    dom.selectionPanel.hidden = false;
    dom.listsPanel.hidden = false;
    dom.videoControls.hidden = S.view !== 'video';
    dom.photoNav.hidden = S.view !== 'photo' || S.plan.items.length < 2;
    dom.photoPosition.textContent = `Photo ${i + 1} of ${S.plan.items.length}`;
    dom.prevPhoto.disabled = i === 0;
    dom.nextPhoto.disabled = i === S.plan.items.length - 1;
    dom.itemName.textContent = it.path;
    computeCounts();
    refresh();
    show(frame || 0, 1);
  }

  function updateHash() {
    const hash = S.view === 'grid' ? '#photos' : `#item=${S.item}&frame=${S.frame}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  // ---- keyboard and buttons ------------------------------------------------------------------------------------

  function step(d) {
    if (S.view === 'photo') { if (S.item + Math.sign(d) >= 0 && S.item + Math.sign(d) < S.plan.items.length) openItem(S.item + Math.sign(d)); return; }
    if (S.view === 'video') show(S.frame + d, d >= 0 ? 1 : -1);
  }

  const second = () => Math.max(1, Math.round(item().frameRate || 1));

  function flag(dir) {
    const x = indexOf(S.item);
    const next = dir > 0 ? x.flagged.find((g) => g > S.frame) : [...x.flagged].reverse().find((g) => g < S.frame);
    if (next !== undefined) show(next, dir);
  }

  function markSpan(which) {
    if (S.view !== 'video') return;
    if (which === 'start') {
      S.spanStart = S.frame;
      updateTools();
      drawTimeline();
      return;
    }
    if (S.spanStart === null) {
      setStatus('error', 'Press "Cover from here" ( [ ) on the first frame to cover first.');
      return;
    }
    const a = Math.min(S.spanStart, S.frame), b = Math.max(S.spanStart, S.frame);
    S.spanStart = null;
    updateTools();
    edit({ op: 'addCover', item: S.item, start: a, end: b });
  }

  function deleteSelected() {
    if (S.selected && S.selected.kind === 'manual') edit({ op: 'deleteManual', item: S.item, region: S.selected.id });
  }

  function togglePreview(on) {
    S.preview = on;
    dom.previewToggle.checked = on;
    if (S.view !== 'grid') show(S.frame);
  }

  function toggleKeys() {
    if (dom.keysDialog.open) dom.keysDialog.close();
    else dom.keysDialog.showModal();
  }

  document.addEventListener('keydown', (e) => {
    if (!S.plan || S.finished || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && t.type === 'text')) return;
    if (dom.keysDialog.open) {
      if (e.key === '?') { e.preventDefault(); toggleKeys(); }
      return;
    }
    const k = e.key;
    let handled = true;
    if (k === 'ArrowRight') step(e.shiftKey ? second() : 1);
    else if (k === 'ArrowLeft') step(e.shiftKey ? -second() : -1);
    else if (k === 'n' || k === 'N') flag(1);
    else if (k === 'p' || k === 'P') flag(-1);
    else if (k === 'a' || k === 'A') { if (S.view !== 'grid') setMode(S.mode === 'add' ? null : 'add'); }
    else if (k === 'k' || k === 'K') { if (S.view === 'video') setMode(S.mode === 'key' ? null : 'key'); }
    else if (k === 'Delete' || k === 'Backspace') deleteSelected();
    else if (k === '[') markSpan('start');
    else if (k === ']') markSpan('end');
    else if (k === 'v' || k === 'V') { if (S.view !== 'grid') togglePreview(!S.preview); }
    else if (k === '?') toggleKeys();
    else if (k === 'Escape') {
      if (S.mode) setMode(null);
      else if (S.spanStart !== null) { S.spanStart = null; updateTools(); drawTimeline(); }
      else select(null);
    } else handled = false;
    if (handled) e.preventDefault();
  });

  dom.back1s.addEventListener('click', () => step(-second()));
  dom.back1.addEventListener('click', () => step(-1));
  dom.fwd1.addEventListener('click', () => step(1));
  dom.fwd1s.addEventListener('click', () => step(second()));
  dom.prevFlag.addEventListener('click', () => flag(-1));
  dom.nextFlag.addEventListener('click', () => flag(1));
  dom.scrubber.addEventListener('input', () => goToFrame(Number(dom.scrubber.value)));
  dom.addBox.addEventListener('click', () => setMode(S.mode === 'add' ? null : 'add'));
  dom.setKey.addEventListener('click', () => setMode(S.mode === 'key' ? null : 'key'));
  dom.spanStart.addEventListener('click', () => markSpan('start'));
  dom.spanEnd.addEventListener('click', () => markSpan('end'));
  dom.coverPhoto.addEventListener('click', () => edit({ op: 'addCover', item: S.item, start: 0, end: 0 }));
  dom.previewToggle.addEventListener('change', () => togglePreview(dom.previewToggle.checked));
  dom.style.addEventListener('change', () => { if (S.preview) show(S.frame); });
  $('keysButton').addEventListener('click', toggleKeys);
  $('keysClose').addEventListener('click', () => dom.keysDialog.close());
  $('backToGrid').addEventListener('click', openGrid);
  dom.prevPhoto.addEventListener('click', () => step(-1));
  dom.nextPhoto.addEventListener('click', () => step(1));
  window.addEventListener('resize', () => { fitOverlay(); draw(); drawTimeline(); });

  // ---- export and finish ---------------------------------------------------------------------------------------

  let polling = null;

  function renderExport(st) {
    const running = st.state === 'running';
    dom.exportButton.disabled = running || S.finished;
    dom.exportProgress.hidden = st.state === 'idle';
    dom.exportProgress.value = st.progress || 0;
    dom.exportSummary.replaceChildren();
    const words = {
      idle: null,
      running: `Exporting (${st.style}): ${Math.round((st.progress || 0) * 100)}%`,
      done: `Exported (${st.style}).`,
      failed: `Export failed: ${st.error || 'unknown error'}`,
      cancelled: 'Export cancelled.',
    };
    if (words[st.state]) {
      dom.exportState.textContent = words[st.state];
      dom.exportState.className = st.state === 'failed' ? 'save error' : 'muted';
    }
    for (const line of st.summary || []) dom.exportSummary.append(h('li', { text: line }));
    for (const out of st.outputs || []) dom.exportSummary.append(h('li', {}, 'Written: ', h('span', { className: 'out', text: out })));
    dom.exportSummary.dataset.state = st.state;
    if (running && !polling) polling = setInterval(pollExport, 500);
    if (!running && polling) { clearInterval(polling); polling = null; }
  }

  async function pollExport() {
    try {
      const r = await fetch('api/export');
      if (r.ok) renderExport(await r.json());
    } catch {
      clearInterval(polling);
      polling = null;
    }
  }

  dom.exportButton.addEventListener('click', async () => {
    dom.exportButton.disabled = true;
    try {
      const r = await fetch('api/export', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ style: dom.style.value }) });
      if (!r.ok) {
        setStatus('error', `Export not started: ${await r.text()}`);
        dom.exportButton.disabled = false;
        return;
      }
      renderExport(await r.json());
    } catch {
      setStatus('error', 'Export not started: the review server does not answer');
      dom.exportButton.disabled = false;
    }
  });

  dom.finishButton.addEventListener('click', async () => {
    if (dom.exportSummary.dataset.state === 'running' && !S.finishArmed) {
      S.finishArmed = true;
      setStatus('error', 'An export is running: finishing the review stops it. Press "Finish review" again to finish anyway.');
      return;
    }
    try {
      const r = await fetch('api/finish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (!r.ok) { setStatus('error', `Could not finish: ${await r.text()}`); return; }
    } catch {
      setStatus('error', 'Could not finish: the review server does not answer');
      return;
    }
    S.finished = true;
    if (polling) { clearInterval(polling); polling = null; }
    dom.main.hidden = true;
    dom.finishedView.hidden = false;
    setStatus('ok', 'Finished');
  });

  // ---- start ---------------------------------------------------------------------------------------------------

  async function start() {
    let plan;
    try {
      const r = await fetch('api/plan');
      if (!r.ok) throw new Error(await r.text());
      plan = await r.json();
    } catch (e) {
      setStatus('error', `The plan could not be loaded: ${e.message}`);
      return;
    }
    S.plan = plan;
    setStatus('ok', 'Saved');
    const m = /^#item=(\d+)&frame=(\d+)$/.exec(location.hash);
    const onlyVideo = plan.items.length === 1 && plan.items[0].kind === 'video';
    if (m && Number(m[1]) < plan.items.length) {
      const i = Number(m[1]);
      openItem(i, Math.min(Number(m[2]), plan.items[i].identity.frames - 1));
    } else if (onlyVideo || plan.items.length === 1) openItem(0, 0);
    else openGrid();
    try {
      const r = await fetch('api/export');
      if (r.ok) {
        const st = await r.json();
        // The style chosen on the command line, until the person picks another (or an export ran with one).
        if (st.defaultStyle) dom.style.value = st.style || st.defaultStyle;
        renderExport(st);
      }
    } catch { /* shown when Export is pressed */ }
    document.body.dataset.ready = 'true';
  }

  start();
})();
