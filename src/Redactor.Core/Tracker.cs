namespace Redactor;

/// <summary>
/// Tracking settings, in frames of the video being redacted. Hold covers the time a face may be present
/// before the detector first sees it and after it last sees it; the gap bridges missed detections.
/// </summary>
public sealed record TrackerOptions
{
    public TrackerOptions(int holdFrames = 8, int maxGapFrames = 30, float growthPerFrame = 0.02f, float maxGrowth = 1.6f,
        int weakHoldFrames = 3, float strongScore = 0.7f, int birthHits = 3, float birthScore = 0.15f, int spreadFrames = 2,
        int velocityFrames = 3)
    {
        if (velocityFrames < 1) throw new ArgumentOutOfRangeException(nameof(velocityFrames));
        VelocityFrames = velocityFrames;
        if (spreadFrames < 0) throw new ArgumentOutOfRangeException(nameof(spreadFrames));
        SpreadFrames = spreadFrames;
        if (birthHits < 1) throw new ArgumentOutOfRangeException(nameof(birthHits));
        if (!(birthScore >= 0 && birthScore < 1)) throw new ArgumentOutOfRangeException(nameof(birthScore));
        BirthHits = birthHits;
        BirthScore = birthScore;
        if (weakHoldFrames < 0 || weakHoldFrames > holdFrames) throw new ArgumentOutOfRangeException(nameof(weakHoldFrames));
        WeakHoldFrames = weakHoldFrames;
        StrongScore = strongScore;
        if (holdFrames < 0) throw new ArgumentOutOfRangeException(nameof(holdFrames));
        if (maxGapFrames < 1) throw new ArgumentOutOfRangeException(nameof(maxGapFrames));
        if (growthPerFrame < 0 || maxGrowth < 1) throw new ArgumentOutOfRangeException(nameof(growthPerFrame));
        HoldFrames = holdFrames;
        MaxGapFrames = maxGapFrames;
        GrowthPerFrame = growthPerFrame;
        MaxGrowth = maxGrowth;
    }

    public int HoldFrames { get; }
    public int MaxGapFrames { get; }

    /// <summary>Hold for a track seen only once or twice and never with a score of at least <see cref="StrongScore"/>:
    /// such tracks are mostly false detections, and a full hold would spread each over a second of video.</summary>
    public int WeakHoldFrames { get; }
    public float StrongScore { get; }

    /// <summary>
    /// A track made of <see cref="Detection.Weak">weak</see> detections only is redacted once it has this many, the best
    /// scoring at least <see cref="BirthScore"/>: a face the detector sees badly but in frame after frame. Fewer is
    /// taken for a flicker of texture and dropped.
    /// </summary>
    public int BirthHits { get; }
    public float BirthScore { get; }

    /// <summary>
    /// Each detection is also covered this many frames before and after it (within its scene). In a crowd a track's
    /// own box in one frame can be a neighbour's face or a poor box while the face itself was well found one frame
    /// earlier and later; covering the track's detections of the neighbouring frames as well closes those one-frame
    /// holes. Faces move a few pixels a frame, so the shifted boxes stay on or beside the face.
    /// </summary>
    public int SpreadFrames { get; }

    /// <summary>
    /// A held box moves with the track's velocity measured over this many frames at its end (the first or last
    /// detection and the farthest detection within this many frames of it). Two neighbouring detections a frame
    /// apart differ by a few pixels of the detector's jitter, which over a hold of eight frames carried boxes off
    /// the face: on masks-720p velocity over 3 frames instead of 1 left 5.9% of faces visible in some frame
    /// instead of 8.8% (leak 0.74% vs 1.05%, over-redaction 5.10% vs 5.18%); wider-720p 4.36 / 9.28 / 8.92 % vs
    /// 4.28 / 9.28 / 9.07 %. Over 6 and 12 frames: masks the same, wider two faces more exposed.
    /// </summary>
    public int VelocityFrames { get; }

    /// <summary>Relative growth of an extrapolated box per frame away from its last detection (uncertainty).</summary>
    public float GrowthPerFrame { get; }
    public float MaxGrowth { get; }

    /// <summary>
    /// At the given frame rate: a quarter of a second of hold, each detection spread over a fifteenth of a second either
    /// side, a second of gap, held boxes moving with the velocity of a tenth of a second; weak-only tracks need a
    /// tenth of a second of detections, the best scoring at least
    /// <paramref name="birthScore"/> (¾ of the threshold by default). Chosen on the pan-zoom videos (leak / faces
    /// visible / over-redaction, wider-720p and masks-720p): hold ⅓ s without spread 5.6 / 13.9 / 7.9 % and
    /// 1.6 / 8.8 / 4.8 %; spread, with a sixth of a second of weak detections 4.6 / 10.7 / 8.9 % and 1.2 / 8.8 / 5.4 %;
    /// with weak-only tracks from a tenth of a second 4.3 / 9.9 / 9.2 % and 1.2 / 8.8 / 5.4 %; now, with the whole 1.6x
    /// pass and the velocity of a tenth of a second, 4.4 / 9.3 / 8.9 % and 0.7 / 5.9 / 5.1 %; a spread of one frame instead of two 5.0 / 12.2 / 8.1 % and
    /// 1.4 / 8.8 / 4.9 % (with the sixth). Hold ½ s covered a point more background for 0.15 points less leak.
    /// <paramref name="fineEvery"/>: the detector searched for the smallest faces on every so many frames only, so a
    /// weak-only track gets that many times fewer detections in the same time. The velocity stays over a tenth of a
    /// second: over 4 frames with <c>--fast</c> was a hair better on the 720p videos (wider 4.73 / 10.4 / 8.40 % vs
    /// 4.77 / 10.4 / 8.43 %) and worse on wider-1080p (5.90 / 14.9 / 8.68 % vs 5.85 / 14.3 / 8.70 %).
    /// </summary>
    public static TrackerOptions ForFrameRate(double fps, float birthScore = 0.75f * ScorePolicy.DefaultThreshold, int fineEvery = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fineEvery, 1);
        double f = double.IsFinite(fps) && fps > 0 ? fps : 30;
        return new TrackerOptions(holdFrames: (int)Math.Ceiling(f / 4), maxGapFrames: (int)Math.Ceiling(f), weakHoldFrames: (int)Math.Ceiling(f * 0.1),
            birthHits: (int)Math.Ceiling(f / 10 / fineEvery), birthScore: birthScore, spreadFrames: (int)Math.Ceiling(f / 15),
            velocityFrames: (int)Math.Ceiling(f / 10));
    }
}

/// <summary>Per-frame behaviour: every detection becomes a region in its own frame only.</summary>
public sealed class NoTracker : ITracker
{
    public IReadOnlyList<Region>[] Build(IReadOnlyList<FrameDetections> frames) =>
        frames.Select(f => (IReadOnlyList<Region>)f.Detections.Where(d => !d.Weak)
            .Select(d => new Region(d.Box, d.Score, null, RegionSource.Detected)).ToList()).ToArray();
}

/// <summary>
/// Links detections into tracks (overlap with a constant-velocity prediction), then covers each track over its
/// whole life: detections as found, gaps by interpolation, and <see cref="TrackerOptions.HoldFrames"/> before
/// and after, moving with the track's velocity and growing with uncertainty. Scene cuts end every track.
/// Detections that count link first; weak ones then extend the tracks left unmatched in that frame (a face turning
/// or blurring keeps its track), and weak ones left over start tentative tracks, kept only when they persist.
/// Works on the whole video's detections at once, so it can look both ways in time.
/// </summary>
public sealed class Tracker(TrackerOptions options) : ITracker
{
    private sealed class Track(int id)
    {
        public int Id { get; } = id;
        public List<(int Frame, Detection Det)> Hits { get; } = [];
        public (int Frame, Detection Det) Last => Hits[^1];

        public bool Confirmed(TrackerOptions o) =>
            Hits.Any(h => !h.Det.Weak) || (Hits.Count >= o.BirthHits && Hits.Max(h => h.Det.Score) >= o.BirthScore);

        /// <summary>Velocity in pixels a frame from the last two hits (zero with one hit).</summary>
        public (float Vx, float Vy) Velocity => Hits.Count < 2 ? (0, 0) : VelocityBetween(Hits[^2], Hits[^1]);

        public Box Predict(int frame)
        {
            var (lf, ld) = Last;
            var (vx, vy) = Velocity;
            int dt = frame - lf;
            return Box.FromCenter(ld.Box.CenterX + vx * dt, ld.Box.CenterY + vy * dt, ld.Box.Width, ld.Box.Height);
        }
    }

    public IReadOnlyList<Region>[] Build(IReadOnlyList<FrameDetections> frames)
    {
        var tracks = Link(frames, out var sceneOf);
        var output = new List<Region>[frames.Count];
        for (int i = 0; i < output.Length; i++) output[i] = [];
        var sceneStart = new int[frames.Count];
        var sceneEnd = new int[frames.Count];
        for (int i = 0; i < frames.Count; i++) sceneStart[i] = i > 0 && sceneOf[i] == sceneOf[i - 1] ? sceneStart[i - 1] : i;
        for (int i = frames.Count - 1; i >= 0; i--) sceneEnd[i] = i < frames.Count - 1 && sceneOf[i] == sceneOf[i + 1] ? sceneEnd[i + 1] : i;

        foreach (var t in tracks)
            if (t.Confirmed(options)) Render(t, output, sceneStart, sceneEnd);
        if (options.SpreadFrames == 0) return output;
        // Spread regions are read from the neighbouring frames' detections when a frame's regions are enumerated, not
        // stored: each detection appears in up to five frames, and stored they would grow an hour of crowd video past
        // the memory the rest of the pipeline keeps (171,655 regions in all on the 20 s wider-720p).
        var spread = new IReadOnlyList<Region>[frames.Count];
        for (int f = 0; f < frames.Count; f++)
            spread[f] = new SpreadRegions(output, f, Math.Max(sceneStart[f], f - options.SpreadFrames), Math.Min(sceneEnd[f], f + options.SpreadFrames));
        return spread;
    }

    /// <summary>A frame's own regions, then the detections of frames <paramref name="from"/>..<paramref name="to"/> (its
    /// neighbours in its scene) as <see cref="RegionSource.Spread"/> regions. Computed on every enumeration.</summary>
    private sealed class SpreadRegions(List<Region>[] own, int frame, int from, int to) : IReadOnlyList<Region>
    {
        private IEnumerable<Region> All()
        {
            foreach (var r in own[frame]) yield return r;
            for (int g = from; g <= to; g++)
            {
                if (g == frame) continue;
                foreach (var r in own[g])
                    if (r.Source == RegionSource.Detected) yield return r with { Source = RegionSource.Spread };
            }
        }

        public int Count => All().Count();
        public Region this[int index] => All().ElementAt(index);
        public IEnumerator<Region> GetEnumerator() => All().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private List<Track> Link(IReadOnlyList<FrameDetections> frames, out int[] sceneOf)
    {
        var all = new List<Track>();
        var active = new List<Track>();
        sceneOf = new int[frames.Count];
        int scene = 0;
        for (int f = 0; f < frames.Count; f++)
        {
            if (frames[f].CutBefore && f > 0) { scene++; active.Clear(); }
            sceneOf[f] = scene;
            active.RemoveAll(t => f - t.Last.Frame > options.MaxGapFrames);
            var matched = new HashSet<Track>();
            foreach (bool weak in (ReadOnlySpan<bool>)[false, true])
            {
                var dets = frames[f].Detections.Where(d => d.Weak == weak).ToList();
                if (dets.Count == 0) continue;
                var free = active.Where(t => !matched.Contains(t)).ToList();
                foreach (var d in LinkToTracks(free, dets, f, matched))
                {
                    var t = new Track(all.Count + 1);
                    t.Hits.Add((f, d));
                    matched.Add(t);
                    all.Add(t);
                    active.Add(t);
                }
            }
        }
        return all;
    }

    /// <summary>Greedy matching by overlap with each track's prediction; returns the detections no track took.</summary>
    private static List<Detection> LinkToTracks(List<Track> tracks, List<Detection> dets, int f, HashSet<Track> matched)
    {
        var pairs = new List<(float Cost, Track T, int D)>();
        foreach (var t in tracks)
        {
            var p = t.Predict(f);
            for (int d = 0; d < dets.Count; d++)
            {
                var b = dets[d].Box;
                float iou = p.IoU(b);
                float size = Math.Max(p.Width, b.Width);
                float dist = MathF.Sqrt(MathF.Pow(p.CenterX - b.CenterX, 2) + MathF.Pow(p.CenterY - b.CenterY, 2)) / Math.Max(1, size);
                float ratio = Math.Max(p.Width, b.Width) / Math.Max(1, Math.Min(p.Width, b.Width));
                if ((iou >= 0.1f || dist < 0.7f) && ratio < 2f) pairs.Add((iou - dist, t, d));
            }
        }
        var usedD = new HashSet<int>();
        foreach (var (_, t, d) in pairs.OrderByDescending(p => p.Cost))
        {
            if (matched.Contains(t) || usedD.Contains(d)) continue;
            matched.Add(t);
            usedD.Add(d);
            t.Hits.Add((f, dets[d]));
        }
        return dets.Where((_, d) => !usedD.Contains(d)).ToList();
    }

    private void Render(Track t, List<Region>[] output, int[] sceneStart, int[] sceneEnd)
    {
        var hits = t.Hits;
        for (int i = 0; i < hits.Count; i++)
        {
            var (f, d) = hits[i];
            output[f].Add(new Region(d.Box, d.Score, t.Id, RegionSource.Detected));
            if (i + 1 < hits.Count)
            {
                var (g, e) = hits[i + 1];
                for (int k = f + 1; k < g; k++)
                {
                    // Grow in the middle of a long gap too: the face may have moved off the straight line.
                    float along = (float)(k - f) / (g - f);
                    int away = Math.Min(k - f, g - k);
                    var box = d.Box.Lerp(e.Box, along).Scale(Growth(away));
                    output[k].Add(new Region(box, Math.Min(d.Score, e.Score), t.Id, RegionSource.Interpolated));
                }
            }
        }
        bool weak = hits.Count < 3 && hits.All(h => h.Det.Score < options.StrongScore);
        int hold = weak ? options.WeakHoldFrames : options.HoldFrames;
        var (vx0, vy0) = hits.Count < 2 ? (0f, 0f) : VelocityBetween(hits[0], hits[FarthestWithin(hits, 0, +1)]);
        var (first, firstDet) = hits[0];
        for (int k = 1; k <= hold && first - k >= sceneStart[first]; k++)
        {
            var b = firstDet.Box;
            var box = Box.FromCenter(b.CenterX - vx0 * k, b.CenterY - vy0 * k, b.Width, b.Height).Scale(Growth(k));
            output[first - k].Add(new Region(box, firstDet.Score, t.Id, RegionSource.Extrapolated));
        }
        var (vx1, vy1) = hits.Count < 2 ? (0f, 0f) : VelocityBetween(hits[FarthestWithin(hits, hits.Count - 1, -1)], hits[^1]);
        var (last, lastDet) = t.Last;
        for (int k = 1; k <= hold && last + k <= sceneEnd[last]; k++)
        {
            var b = lastDet.Box;
            var box = Box.FromCenter(b.CenterX + vx1 * k, b.CenterY + vy1 * k, b.Width, b.Height).Scale(Growth(k));
            output[last + k].Add(new Region(box, lastDet.Score, t.Id, RegionSource.Extrapolated));
        }
    }

    /// <summary>Index of the hit farthest from hit <paramref name="from"/> in direction <paramref name="step"/> (±1) that
    /// lies within <see cref="TrackerOptions.VelocityFrames"/> of it; the next hit when none does.</summary>
    private int FarthestWithin(List<(int Frame, Detection Det)> hits, int from, int step)
    {
        int j = from + step;
        while (j + step >= 0 && j + step < hits.Count && Math.Abs(hits[j + step].Frame - hits[from].Frame) <= options.VelocityFrames) j += step;
        return j;
    }

    /// <summary>Velocity of the box centre in pixels a frame between two hits of a track.</summary>
    private static (float Vx, float Vy) VelocityBetween((int Frame, Detection Det) from, (int Frame, Detection Det) to)
    {
        float dt = Math.Max(1, to.Frame - from.Frame);
        return ((to.Det.Box.CenterX - from.Det.Box.CenterX) / dt, (to.Det.Box.CenterY - from.Det.Box.CenterY) / dt);
    }

    private float Growth(int framesAway) => Math.Min(options.MaxGrowth, 1 + options.GrowthPerFrame * framesAway);
}
