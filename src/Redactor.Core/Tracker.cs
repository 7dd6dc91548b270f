namespace Redactor;

/// <summary>
/// Tracking settings, in frames of the video being redacted. Hold covers the time a face may be present
/// before the detector first sees it and after it last sees it; the gap bridges missed detections.
/// </summary>
public sealed record TrackerOptions
{
    public TrackerOptions(int holdFrames = 8, int maxGapFrames = 30, float growthPerFrame = 0.02f, float maxGrowth = 1.6f,
        int weakHoldFrames = 3, float strongScore = 0.7f, int birthHits = 3, float birthScore = 0.15f, int spreadFrames = 2,
        int velocityFrames = 3, bool followCamera = true, int cameraFaces = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cameraFaces, 1);
        FollowCamera = followCamera;
        CameraFaces = cameraFaces;
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
    /// holes. The neighbouring detections are carried with the camera (<see cref="FollowCamera"/>), so in a pan or a
    /// zoom they land on the face and not beside it.
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

    /// <summary>
    /// Held boxes and spread detections move with the camera (pan and zoom), estimated in each frame from the faces the
    /// tracker follows (<see cref="CameraMotion"/>). A held box goes on at its track's velocity from the first frame whose
    /// camera move is unknown; a spread detection carried across such a frame stays where it was found. A face that
    /// clearly moves against the camera keeps its own velocity. Faces that all walk one way in front of a still camera read
    /// as a pan; where the picture's own shift (<see cref="FrameDetections.Shift"/>, mostly its background) says it stood
    /// still while they moved together, the faces' move is not taken for the camera's.
    /// </summary>
    public bool FollowCamera { get; }

    /// <summary>Faces seen in two consecutive frames needed to estimate the camera's move between them.</summary>
    public int CameraFaces { get; }

    /// <summary>Relative growth of an extrapolated box per frame away from its last detection (uncertainty).</summary>
    public float GrowthPerFrame { get; }
    public float MaxGrowth { get; }

    /// <summary>
    /// At the given frame rate: a third of a second of hold, each detection spread over a tenth of a second either
    /// side (both moving with the camera), a second of gap, held boxes moving with the velocity of a tenth of a second; weak-only tracks need a
    /// tenth of a second of detections, the best scoring at least
    /// <paramref name="birthScore"/> (¾ of the threshold by default). Chosen on the pan-zoom videos (leak / faces
    /// visible / over-redaction, wider-720p and masks-720p): hold ⅓ s without spread 5.6 / 13.9 / 7.9 % and
    /// 1.6 / 8.8 / 4.8 %; spread, with a sixth of a second of weak detections 4.6 / 10.7 / 8.9 % and 1.2 / 8.8 / 5.4 %;
    /// with weak-only tracks from a tenth of a second 4.3 / 9.9 / 9.2 % and 1.2 / 8.8 / 5.4 %; now, with the whole 1.6x
    /// pass and the velocity of a tenth of a second, 4.4 / 9.3 / 8.9 % and 0.7 / 5.9 / 5.1 %; a spread of one frame instead of two 5.0 / 12.2 / 8.1 % and
    /// 1.4 / 8.8 / 4.9 % (with the sixth). Hold ½ s covered a point more background for 0.15 points less leak.
    /// Until held and spread boxes followed the camera the hold was a quarter of a second and the spread a fifteenth
    /// (3.7 / 8.1 / 9.2 % and 0.6 / 4.4 / 5.9 % with today's detector); following it, the boxes of crowd tracks no
    /// longer fly off at the speed of their last jittery boxes, and the longer hold and spread cost less background
    /// than they protect: 3.7 / 6.7 / 7.9 % and 0.4 / 2.9 / 5.7 %.
    /// <paramref name="fineEvery"/>: the detector searched for the smallest faces on every so many frames only, so a
    /// weak-only track gets that many times fewer detections in the same time. The velocity stays over a tenth of a
    /// second: over 4 frames with <c>--fast</c> was a hair better on the 720p videos (wider 4.73 / 10.4 / 8.40 % vs
    /// 4.77 / 10.4 / 8.43 %) and worse on wider-1080p (5.90 / 14.9 / 8.68 % vs 5.85 / 14.3 / 8.70 %).
    /// </summary>
    public static TrackerOptions ForFrameRate(double fps, float birthScore = 0.75f * ScorePolicy.DefaultThreshold, int fineEvery = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fineEvery, 1);
        double f = double.IsFinite(fps) && fps > 0 ? fps : 30;
        return new TrackerOptions(holdFrames: (int)Math.Ceiling(f / 3), maxGapFrames: (int)Math.Ceiling(f), weakHoldFrames: (int)Math.Ceiling(f * 0.1),
            birthHits: (int)Math.Ceiling(f / 10 / fineEvery), birthScore: birthScore, spreadFrames: (int)Math.Ceiling(f / 10),
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
/// and after, moving with the camera (or, where its move is unknown or the face moves on its own, with the track's
/// velocity) and growing with uncertainty. Scene cuts end every track.
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

        var confirmed = tracks.Where(t => t.Confirmed(options)).ToList();
        var motion = CameraSteps(confirmed, frames);
        foreach (var t in confirmed) Render(t, output, sceneStart, sceneEnd, motion);
        // Kept until the last frame is drawn: the lists' spare capacity (up to half of each) would be kept with them.
        foreach (var regions in output) regions.TrimExcess();
        if (options.SpreadFrames == 0) return output;
        // Spread regions are read from the neighbouring frames' detections when a frame's regions are enumerated, not
        // stored: each detection appears in up to 2 × SpreadFrames + 1 frames (7 at 30 fps), and stored they would grow an hour of crowd video past
        // the memory the rest of the pipeline keeps (236,273 regions in all on the 20 s wider-720p).
        var spread = new IReadOnlyList<Region>[frames.Count];
        for (int f = 0; f < frames.Count; f++)
            spread[f] = new SpreadRegions(output, motion, f, Math.Max(sceneStart[f], f - options.SpreadFrames), Math.Min(sceneEnd[f], f + options.SpreadFrames));
        return spread;
    }

    /// <summary>
    /// The camera's move into each frame from the one before (null where unknown: a scene's first frame, fewer than
    /// <see cref="TrackerOptions.CameraFaces"/> faces seen in both or following the fit, no plausible fit), estimated from the confirmed tracks' detections on
    /// consecutive frames.
    /// </summary>
    private CameraStep?[] CameraSteps(List<Track> tracks, IReadOnlyList<FrameDetections> frames)
    {
        // Pairs grouped by frame with a counting sort into one array, freed when the steps are estimated: an hour of crowd
        // video has millions of detections (20 a frame for an hour at 30 fps: about 70 MB of pairs for a moment).
        int frameCount = frames.Count;
        var steps = new CameraStep?[frameCount];
        if (!options.FollowCamera) return steps;
        var start = new int[frameCount + 1];
        foreach (var t in tracks)
            for (int i = 1; i < t.Hits.Count; i++)
                if (t.Hits[i].Frame == t.Hits[i - 1].Frame + 1) start[t.Hits[i].Frame + 1]++;
        for (int f = 0; f < frameCount; f++) start[f + 1] += start[f];
        var pairs = new (Box From, Box To)[start[frameCount]];
        var fill = (int[])start.Clone();
        foreach (var t in tracks)
            for (int i = 1; i < t.Hits.Count; i++)
                if (t.Hits[i].Frame == t.Hits[i - 1].Frame + 1) pairs[fill[t.Hits[i].Frame]++] = (t.Hits[i - 1].Det.Box, t.Hits[i].Det.Box);
        for (int f = 1; f < frameCount; f++)
        {
            var step = CameraMotion.Estimate(pairs.AsSpan(start[f], start[f + 1] - start[f]), options.CameraFaces);
            steps[f] = step is { } s && frames[f].Shift is { } p && !Agrees(s, p) ? null : step;
        }
        return steps;
    }

    /// <summary>
    /// Whether the faces' move can be the camera's: not when the picture as a whole (mostly background) stood still
    /// while the faces moved together by more than <see cref="ShiftTolerance"/> — people walking one way in front of a
    /// still camera. Only that case: in a pan and zoom the picture's shift, measured in whole pixels from brightness
    /// profiles that a zoom stretches, disagreed with the faces' move often enough that gating every frame on it cost
    /// wider-720p 0.65 points of background and a face.
    /// </summary>
    private static bool Agrees(CameraStep s, PictureShift p)
    {
        if (Math.Abs(p.Dx) > StillPixels || Math.Abs(p.Dy) > StillPixels) return true;
        float dx = (s.Scale - 1) * p.CenterX + s.Dx, dy = (s.Scale - 1) * p.CenterY + s.Dy;
        return MathF.Sqrt(dx * dx + dy * dy) <= ShiftTolerance;
    }

    /// <summary>The picture counts as still when it moved by at most this many pixels a frame either way.</summary>
    private const float StillPixels = 1f;

    /// <summary>Pixels a frame the faces may move together, at the picture's centre, while the picture stands still.</summary>
    private const float ShiftTolerance = 3f;

    /// <summary>A box of frame <paramref name="from"/> carried to frame <paramref name="to"/> with the camera; null when
    /// the camera's move is unknown on the way.</summary>
    private static Box? Carry(CameraStep?[] motion, Box box, int from, int to)
    {
        for (int f = from + 1; f <= to; f++)
        {
            if (motion[f] is not { } step) return null;
            box = step.Forward(box);
        }
        for (int f = from; f > to; f--)
        {
            if (motion[f] is not { } step) return null;
            box = step.Backward(box);
        }
        return box;
    }

    /// <summary>A frame's own regions, then the detections of frames <paramref name="from"/>..<paramref name="to"/> (its
    /// neighbours in its scene) as <see cref="RegionSource.Spread"/> regions. Computed on every enumeration.</summary>
    private sealed class SpreadRegions(List<Region>[] own, CameraStep?[] motion, int frame, int from, int to) : IReadOnlyList<Region>
    {
        private IEnumerable<Region> All()
        {
            foreach (var r in own[frame]) yield return r;
            for (int g = from; g <= to; g++)
            {
                if (g == frame) continue;
                foreach (var r in own[g])
                    if (r.Source == RegionSource.Detected)
                        yield return r with { Box = Carry(motion, r.Box, g, frame) ?? r.Box, Source = RegionSource.Spread };
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

    private void Render(Track t, List<Region>[] output, int[] sceneStart, int[] sceneEnd, CameraStep?[] motion)
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
        Hold(t, 0, -1, hold, sceneStart[hits[0].Frame], output, motion);
        Hold(t, hits.Count - 1, +1, hold, sceneEnd[hits[^1].Frame], output, motion);
    }

    /// <summary>
    /// Covers <paramref name="hold"/> frames beyond the track's end hit <paramref name="end"/> in direction
    /// <paramref name="step"/> (−1 before the first hit, +1 after the last), up to <paramref name="limit"/> (its scene's
    /// edge). The box moves with the camera, unless the face moves on its own; from the first frame whose camera move is
    /// unknown (and when it moves on its own, from the start), at the track's velocity at that end.
    /// </summary>
    private void Hold(Track t, int end, int step, int hold, int limit, List<Region>[] output, CameraStep?[] motion)
    {
        var hits = t.Hits;
        var (frame, det) = hits[end];
        // Pixels a frame forward in time, measured over the hits nearest this end.
        var (vx, vy) = hits.Count < 2 ? (0f, 0f)
            : step > 0 ? VelocityBetween(hits[FarthestWithin(hits, end, -1)], hits[end]) : VelocityBetween(hits[end], hits[FarthestWithin(hits, end, +1)]);
        bool following = !MovesOnItsOwn(t, end, step, motion);
        // Where the box was last carried with the camera (the detection to begin with); from the first frame whose camera
        // move is unknown on, the box goes on from there at the track's velocity.
        Box anchor = det.Box;
        int anchorK = 0;
        for (int k = 1; k <= hold && (step < 0 ? frame - k >= limit : frame + k <= limit); k++)
        {
            int f = frame + step * k;
            if (following && Carry(motion, anchor, f - step, f) is { } carried) (anchor, anchorK) = (carried, k);
            else following = false;
            int ahead = k - anchorK;
            var box = Box.FromCenter(anchor.CenterX + step * vx * ahead, anchor.CenterY + step * vy * ahead, anchor.Width, anchor.Height).Scale(Growth(k));
            output[f].Add(new Region(box, det.Score, t.Id, RegionSource.Extrapolated));
        }
    }

    /// <summary>
    /// Whether a clearly seen face moved against the camera near the track's end (by half its width or more within
    /// <see cref="TrackerOptions.HoldFrames"/>): someone walking past a still camera. Its hold then follows its own
    /// velocity. Weak or short tracks never count: their boxes jump between neighbours in a crowd, and following
    /// that jump is what carried held boxes off every face.
    /// </summary>
    private bool MovesOnItsOwn(Track t, int end, int step, CameraStep?[] motion)
    {
        var hits = t.Hits;
        if (hits.Count < OwnMotionHits || hits.Max(h => h.Det.Score) < options.StrongScore) return false;
        int j = end;
        while (j - step >= 0 && j - step < hits.Count && Math.Abs(hits[j - step].Frame - hits[end].Frame) <= options.HoldFrames) j -= step;
        if (j == end) return false;
        var (from, to) = step > 0 ? (hits[j], hits[end]) : (hits[end], hits[j]);
        if (Carry(motion, from.Det.Box, from.Frame, to.Frame) is not { } expected) return false;
        float dx = to.Det.Box.CenterX - expected.CenterX, dy = to.Det.Box.CenterY - expected.CenterY;
        return MathF.Sqrt(dx * dx + dy * dy) >= 0.5f * to.Det.Box.Width;
    }

    /// <summary>Detections a track needs before its own motion is believed over the camera's.</summary>
    private const int OwnMotionHits = 5;

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
