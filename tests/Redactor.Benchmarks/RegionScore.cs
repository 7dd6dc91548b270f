using System.Text.Json.Nodes;
using Redactor;

/// <summary>
/// Scores a video's regions against a pan-zoom ground truth (../shared/data/panzoom/*.gt.jsonl) by the rules of
/// ../shared/tools/leakscore.py, without encoding a video: each frame's regions are filled by the product's own
/// <see cref="FrameRedactor"/> (default mask, fill), a face counts as covered when 90% of the ellipse inscribed in its box
/// is, faces under 10 px are not counted, and over-redaction is what is covered outside every face's box scaled 2×. The
/// rendered video's figures differ a little (x264 blurs the fill's edge). For analysis: leakscore on the output is the
/// measure. Also splits the background by region source and by track, and lists the faces left visible.
/// </summary>
internal sealed class RegionScore
{
    internal static readonly Rgb Sentinel = new(255, 0, 255);

    public long FaceFrames, Leaked, OverPixels, Pixels;
    public readonly Dictionary<int, bool> Exposed = [];
    /// <summary>Leaked face-frames per face id.</summary>
    public readonly Dictionary<int, List<(int Frame, float Height, float Cover)>> Leaks = [];
    /// <summary>Background pixels by the first region (in frame order) covering them: by source, and by track.</summary>
    public readonly Dictionary<string, long> OverBySource = [];
    public readonly Dictionary<int, long> OverByTrack = [];
    /// <summary>Per track: its detected regions, and how many of them overlap an annotated face (IoU over 0.1, or half of the smaller box inside the other).</summary>
    public readonly Dictionary<int, (int Detected, int OnFace)> FaceHits = [];

    public double LeakRate => 100.0 * Leaked / Math.Max(1, FaceFrames);
    public double ExposedRate => 100.0 * Exposed.Values.Count(v => v) / Math.Max(1, Exposed.Count);
    public double OverRate => 100.0 * OverPixels / Math.Max(1, Pixels);

    public static RegionScore Compute(IReadOnlyList<IReadOnlyList<Region>> regions, int width, int height, string gtPath, RedactionOptions? mask = null)
    {
        var options = mask ?? new RedactionOptions(RedactionStyle.Fill, color: Sentinel);
        var redactor = new FrameRedactor(options);
        var score = new RegionScore();
        var frame = new Frame(width, height);
        var covered = new bool[width * height];
        var allowed = new bool[width * height];
        var claimed = new bool[width * height];
        int f = 0;
        foreach (var line in File.ReadLines(gtPath))
        {
            if (f >= regions.Count) break;
            var gt = JsonNode.Parse(line)!["boxes"]!.AsArray()
                .Select(b => (X: F(b![0]), Y: F(b[1]), W: F(b[2]), H: F(b[3]), Id: b.AsArray().Count > 4 ? b[4]!.GetValue<int>() : -1)).ToList();
            Array.Clear(frame.Pixels);
            var own = regions[f].ToList();
            redactor.Apply(frame, own);
            var px = frame.Pixels;
            for (int i = 0; i < covered.Length; i++) covered[i] = px[3 * i] == Sentinel.B && px[3 * i + 1] == Sentinel.G && px[3 * i + 2] == Sentinel.R;
            Array.Clear(allowed);
            foreach (var b in gt)
            {
                float cx = b.X + b.W / 2, cy = b.Y + b.H / 2;
                // leakscore: int() of the bounds, the box scaled 2x around its centre.
                int ax0 = (int)Math.Max(0, cx - b.W), ax1 = (int)Math.Min(width, cx + b.W), ay0 = (int)Math.Max(0, cy - b.H), ay1 = (int)Math.Min(height, cy + b.H);
                for (int y = ay0; y < ay1; y++) Array.Fill(allowed, true, y * width + ax0, Math.Max(0, ax1 - ax0));
                if (b.H < 10) continue;
                int x0 = (int)Math.Max(0, b.X), y0 = (int)Math.Max(0, b.Y), x1 = (int)Math.Min(width, b.X + b.W + 0.999f), y1 = (int)Math.Min(height, b.Y + b.H + 0.999f);
                if (x1 <= x0 || y1 <= y0) continue;
                long inside = 0, hit = 0;
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++)
                    {
                        float u = (x + 0.5f - cx) / (b.W / 2), v = (y + 0.5f - cy) / (b.H / 2);
                        if (u * u + v * v > 1) continue;
                        inside++;
                        if (covered[y * width + x]) hit++;
                    }
                float cover = inside == 0 ? 1 : (float)hit / inside;
                bool leaked = cover < 0.9f;
                score.FaceFrames++;
                if (leaked)
                {
                    score.Leaked++;
                    if (!score.Leaks.TryGetValue(b.Id, out var list)) score.Leaks[b.Id] = list = [];
                    list.Add((f, b.H, cover));
                }
                score.Exposed[b.Id] = score.Exposed.GetValueOrDefault(b.Id) || leaked;
            }
            foreach (var r in own)
            {
                if (r.TrackId is not int tid || r.Source != RegionSource.Detected) continue;
                bool on = gt.Any(b =>
                {
                    var g = new Box(b.X, b.Y, b.W, b.H);
                    float inter = g.IntersectionArea(r.Box);
                    return g.IoU(r.Box) > 0.1f || inter > 0.5f * Math.Min(g.Area, r.Box.Area);
                });
                var c = score.FaceHits.GetValueOrDefault(tid);
                score.FaceHits[tid] = (c.Detected + 1, c.OnFace + (on ? 1 : 0));
            }
            long over = 0;
            for (int i = 0; i < covered.Length; i++) if (covered[i] && !allowed[i]) over++;
            score.OverPixels += over;
            score.Pixels += covered.Length;
            if (over > 0) Attribute(score, own, options, width, height, covered, allowed, claimed);
            f++;
        }
        return score;
    }

    /// <summary>Each background pixel to the first region whose grown ellipse holds it (close to, not exactly, the painted mask).</summary>
    private static void Attribute(RegionScore score, List<Region> own, RedactionOptions options, int width, int height, bool[] covered, bool[] allowed, bool[] claimed)
    {
        Array.Clear(claimed);
        foreach (var r in own)
        {
            var m = options.MaskFor(r.Box);
            var rect = PixelRect.Cover(m, width, height);
            float cx = m.CenterX, cy = m.CenterY, ax = m.Width / 2, ay = m.Height / 2;
            long n = 0;
            for (int y = rect.Y; y < rect.Bottom; y++)
                for (int x = rect.X; x < rect.Right; x++)
                {
                    int i = y * width + x;
                    if (claimed[i] || !covered[i] || allowed[i]) continue;
                    float u = (x + 0.5f - cx) / ax, v = (y + 0.5f - cy) / ay;
                    if (u * u + v * v > 1) continue;
                    claimed[i] = true;
                    n++;
                }
            if (n == 0) continue;
            string key = r.Source.ToString().ToLowerInvariant();
            score.OverBySource[key] = score.OverBySource.GetValueOrDefault(key) + n;
            int track = r.TrackId ?? -1;
            score.OverByTrack[track] = score.OverByTrack.GetValueOrDefault(track) + n;
        }
    }

    public void Print(TextWriter o, IReadOnlyList<IReadOnlyList<Region>> regions, int report)
    {
        o.WriteLine($"leak {LeakRate:F2}%  faces exposed {ExposedRate:F2}% ({Exposed.Values.Count(v => v)}/{Exposed.Count})  over-redaction {OverRate:F2}%  ({Leaked}/{FaceFrames} face-frames)");
        if (report <= 0) return;
        foreach (var (k, v) in OverBySource.OrderByDescending(kv => kv.Value)) o.WriteLine($"  over {k,-13} {100.0 * v / Pixels:F2} points");
        // Per track: frames, detections, best score, median height.
        var info = new Dictionary<int, (int First, int Last, int Hits, float Best, List<float> Heights)>();
        for (int f = 0; f < regions.Count; f++)
            foreach (var r in regions[f])
            {
                if (r.TrackId is not int t || r.Source == RegionSource.Spread) continue;
                var e = info.TryGetValue(t, out var x) ? x : (First: f, Last: f, Hits: 0, Best: 0f, Heights: new List<float>());
                if (r.Source == RegionSource.Detected) { e.Hits++; e.Best = Math.Max(e.Best, r.Score); e.Heights.Add(r.Box.Height); }
                e.Last = f;
                info[t] = e;
            }
        o.WriteLine($"  top tracks by background ({OverByTrack.Count} tracks with some):");
        foreach (var (t, v) in OverByTrack.OrderByDescending(kv => kv.Value).Take(report))
        {
            var e = info.GetValueOrDefault(t);
            float med = e.Heights is { Count: > 0 } h ? h.Order().ElementAt(h.Count / 2) : 0;
            var fh = FaceHits.GetValueOrDefault(t);
            o.WriteLine($"    track {t,6}: {100.0 * v / Pixels:F3} points, frames {e.First}-{e.Last}, {e.Hits} detections ({fh.OnFace} on a face), best {e.Best:F2}, median h {med:F0}");
        }
        // Background by kind of track: on a face (any detection on one) or not, by size and best score.
        var groups = new SortedDictionary<string, (long Over, int Tracks)>();
        foreach (var (t, e) in info)
        {
            float med = e.Heights.Count > 0 ? e.Heights.Order().ElementAt(e.Heights.Count / 2) : 0;
            string key = $"{(FaceHits.GetValueOrDefault(t).OnFace > 0 ? "face" : "none")} h{(med < 20 ? "<20" : med < 40 ? "20-40" : med < 80 ? "40-80" : "80+"),-6} best{(e.Best < 0.2 ? "<0.2" : e.Best < 0.4 ? "0.2-0.4" : e.Best < 0.6 ? "0.4-0.6" : e.Best < 0.8 ? "0.6-0.8" : e.Best < 0.9 ? "0.8-0.9" : "0.9+")}";
            var g = groups.GetValueOrDefault(key);
            groups[key] = (g.Over + OverByTrack.GetValueOrDefault(t), g.Tracks + 1);
        }
        o.WriteLine("  background by track kind (overlapping a face or not, median height, best score):");
        foreach (var (k, g) in groups) o.WriteLine($"    {k,-30} {g.Tracks,5} tracks {100.0 * g.Over / Pixels:F2} points");
        o.WriteLine($"  faces left visible in some frame ({Leaks.Count}):");
        foreach (var (id, list) in Leaks.OrderByDescending(kv => kv.Value.Count).Take(report))
            o.WriteLine($"    face {id,5}: {list.Count} frames ({string.Join(",", Ranges(list.Select(l => l.Frame)))}), h {list.Min(l => l.Height):F0}-{list.Max(l => l.Height):F0}, cover {list.Min(l => l.Cover):F2}-{list.Max(l => l.Cover):F2}");
    }

    private static IEnumerable<string> Ranges(IEnumerable<int> frames)
    {
        int? start = null, prev = null;
        foreach (int f in frames)
        {
            if (prev is int p && f == p + 1) { prev = f; continue; }
            if (start is int s) yield return s == prev ? $"{s}" : $"{s}-{prev}";
            start = prev = f;
        }
        if (start is int s2) yield return s2 == prev ? $"{s2}" : $"{s2}-{prev}";
    }

    private static float F(JsonNode? n) => (float)n!.GetValue<double>();
}
