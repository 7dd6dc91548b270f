namespace Redactor;

/// <summary>
/// Tracking settings, in frames of the video being redacted. Hold covers the time a face may be present
/// before the detector first sees it and after it last sees it; the gap bridges missed detections.
/// </summary>
public sealed record TrackerOptions
{
    public TrackerOptions(int holdFrames = 8, int maxGapFrames = 30, float growthPerFrame = 0.02f, float maxGrowth = 1.6f,
        int weakHoldFrames = 3, float strongScore = 0.7f, int birthHits = 3, float birthScore = 0.15f, int spreadFrames = 2,
        int velocityFrames = 3, bool followCamera = true, int cameraFaces = 3, int? lookaheadFrames = null,
        float majorityHeight = float.PositiveInfinity)
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
        // Far enough ahead that every decision about a frame is final when it is drawn, short of a track confirmed (or
        // seen clearly) later still: where a hold ends (a gap of MaxGap, then the hold), whether a track of one or two
        // detections is weak (two more gaps), spread (105 frames at 30 fps); and, because the camera's moves are worked
        // out ahead of the frame being drawn from the tracks confirmed by then, as far again as those moves are needed
        // (24 frames): 129 frames at 30 fps.
        int needed = holdFrames + 3 * maxGapFrames + spreadFrames + 2 + CameraStepsAhead(holdFrames, spreadFrames);
        if (lookaheadFrames is int l && l < 0) throw new ArgumentOutOfRangeException(nameof(lookaheadFrames));
        LookaheadFrames = lookaheadFrames ?? needed;
        // Not NaN either.
        if (!(majorityHeight > 0)) throw new ArgumentOutOfRangeException(nameof(majorityHeight));
        MajorityHeight = majorityHeight;
    }

    /// <summary>
    /// Frames of detections the tracker reads past a frame before it gives that frame's regions: what it keeps is this
    /// window, whatever the length of the video. By default the regions are those of a tracker that read the whole video
    /// first but in three cases: a track confirmed more than <c>LookaheadFrames - CameraStepsAhead</c> frames after its
    /// first detection (weak detections of one face for over 3.5 s before a clear one, at 30 fps) is not drawn back over
    /// the frames already given, nor counted in the camera's move there; and a track seen clearly (five detections, one
    /// strong) only that much later is held backward with the camera rather than with its own motion, since when its
    /// start was drawn it had not yet shown that it moves on its own; and a track whose doubts (<see cref="MajorityHeight"/>)
    /// outnumber its support up to the window's far end when its first frame is due, but not over its whole life, or the
    /// other way round (drawn from the frame being given when its support catches up; kept drawn once drawn).
    /// </summary>
    public int LookaheadFrames { get; }

    /// <summary>Frames past the one being given whose camera move is worked out: a hold's own-motion check carries boxes
    /// between hits up to a hold (or spread) after the track's first hit, which is up to a hold after the frame.</summary>
    internal static int CameraStepsAhead(int holdFrames, int spreadFrames) => 2 * Math.Max(holdFrames, spreadFrames) + spreadFrames + 1;

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

    /// <summary>
    /// Frame pixels from which a <see cref="Detection.Doubtful">doubtful</see> box counts against its track: a track with
    /// more such boxes than supporting ones (that count, or weak and not doubtful) is not drawn, though some of them
    /// counted, unless one of them scored <see cref="MajorityVeto"/> or more. Each second look is a noisy test of one frame
    /// and a track offers many; a false box this large (a banner's lettering read as a face in frame after frame,
    /// confirmed now and then) covers the most background. Counted over the track's hits from its first up to the window's
    /// far end when its first frame is due; once drawn, it stays drawn. Infinity (the constructor's default) turns it off;
    /// <see cref="ForFrameRate"/> sets a quarter of the frame height (<see cref="MajorityShare"/>).
    /// </summary>
    public float MajorityHeight { get; }

    /// <summary>
    /// Share of the frame height from which doubtful boxes outvote a track. Replayed on seven pan-zoom videos (leak / faces
    /// visible in some frame / background, %): masks-720p 0.37 / 1.47 / 5.08 → 0.37 / 1.47 / 4.77; background alone
    /// 7.89 → 7.08 (masks seed 3), 9.67 → 9.22 (wider seed 3), 7.72 → 7.57 (wider-720p), the same face-frames covered;
    /// wider seed 2 and masks seed 2 unchanged; wider-1080p 4.63 / 9.07 / 8.05 → 4.75 / 9.68 / 6.81, where a 435 px false
    /// box had covered two faces of 17 px that no detector finds (15 face-frames) and a face printed on a banner lost two.
    /// With every doubtful box (from a sixth of the frame) outvoting, a girl's profile at the picture's edge, doubted 13
    /// times and counted once, was left visible for a second (wider seed 2: 2.74 → 3.21% leak).
    /// </summary>
    public const float MajorityShare = 0.25f;

    /// <summary>A track with a detection scoring this or more is never outvoted: the false boxes outvoted on the seven
    /// videos scored 0.87 at best, and a face seen that clearly is one.</summary>
    public const float MajorityVeto = 0.9f;

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
    /// <paramref name="frameHeight"/> (pixels; 0 when unknown, which turns it off) sets <see cref="MajorityHeight"/>.
    /// </summary>
    public static TrackerOptions ForFrameRate(double fps, float birthScore = 0.75f * ScorePolicy.DefaultThreshold, int fineEvery = 1, int frameHeight = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameHeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(fineEvery, 1);
        double f = double.IsFinite(fps) && fps > 0 ? fps : 30;
        return new TrackerOptions(holdFrames: (int)Math.Ceiling(f / 3), maxGapFrames: (int)Math.Ceiling(f), weakHoldFrames: (int)Math.Ceiling(f * 0.1),
            birthHits: (int)Math.Ceiling(f / 10 / fineEvery), birthScore: birthScore, spreadFrames: (int)Math.Ceiling(f / 10),
            velocityFrames: (int)Math.Ceiling(f / 10), majorityHeight: frameHeight > 0 ? MajorityShare * frameHeight : float.PositiveInfinity);
    }
}

/// <summary>Per-frame behaviour: every detection becomes a region in its own frame only.</summary>
public sealed class NoTracker : ITracker
{
    public IEnumerable<IReadOnlyList<Region>> Track(IEnumerable<FrameDetections> frames) =>
        frames.Select(f => (IReadOnlyList<Region>)f.Detections.Where(d => d.Counts)
            .Select(d => new Region(d.Box, d.Score, null, RegionSource.Detected)).ToList());
}

/// <summary>
/// Links detections into tracks (overlap with a constant-velocity prediction), then covers each track over its
/// whole life: detections as found, gaps by interpolation, and <see cref="TrackerOptions.HoldFrames"/> before
/// and after, moving with the camera (or, where its move is unknown or the face moves on its own, with the track's
/// velocity) and growing with uncertainty. Scene cuts end every track.
/// Detections that count link first; weak ones then extend the tracks left unmatched in that frame (a face turning
/// or blurring keeps its track), and weak ones left over start tentative tracks, kept only when they persist.
/// Looks both ways in time through a window: each frame's regions are given once the detections of
/// <see cref="TrackerOptions.LookaheadFrames"/> frames after it are linked, and tracks, detections and camera moves
/// are let go once no frame still to come can need them. So what it keeps does not grow with the video's length.
/// </summary>
public sealed class Tracker(TrackerOptions options) : ITracker
{
    private sealed class FaceTrack(int id, int scene)
    {
        public int Id { get; } = id;
        public int Scene { get; } = scene;

        /// <summary>The hits still needed, in frame order; older ones are let go (<see cref="Forget"/>), not counted out of
        /// <see cref="Count"/> and <see cref="Best"/>.</summary>
        public List<(int Frame, Detection Det)> Hits { get; } = [];
        public (int Frame, Detection Det) Last => Hits[^1];

        /// <summary>Detections over the track's whole life, and the best score among them.</summary>
        public int Count { get; private set; }
        public float Best { get; private set; }

        /// <summary>Redacted: a detection that counts on its own, or enough weak ones with a good enough best; and, until it
        /// is first drawn, no more doubtful detections of <see cref="TrackerOptions.MajorityHeight"/> than supporting ones
        /// (or one of <see cref="TrackerOptions.MajorityVeto"/>). Once drawn, always.</summary>
        public bool Confirmed => _evidence && (Drawn || _doubtful <= _counts + _weak || Best >= TrackerOptions.MajorityVeto);

        /// <summary>A region of the track has been given: a later doubtful majority no longer takes it back.</summary>
        public bool Drawn { get; private set; }

        public void MarkDrawn() => Drawn = true;

        public void Add(int frame, Detection d, TrackerOptions o)
        {
            Hits.Add((frame, d));
            Count++;
            Best = Math.Max(Best, d.Score);
            if (d.Weak && !d.Doubtful) { _weak++; _bestWeak = Math.Max(_bestWeak, d.Score); }
            if (d.Doubtful && d.Box.Height >= o.MajorityHeight) _doubtful++;
            if (d.Counts) _counts++;
            _evidence |= d.Counts || (_weak >= o.BirthHits && _bestWeak >= o.BirthScore);
        }

        private bool _evidence;
        private int _counts, _doubtful;

        // Weak detections so far and the best of them: doubtful ones never confirm a track, however many.
        private int _weak;
        private float _bestWeak;

        /// <summary>Velocity in pixels a frame from the last two hits (zero with one hit).</summary>
        public (float Vx, float Vy) Velocity => Hits.Count < 2 ? (0, 0) : VelocityBetween(Hits[^2], Hits[^1]);

        public Box Predict(int frame)
        {
            var (lf, ld) = Last;
            var (vx, vy) = Velocity;
            int dt = frame - lf;
            return Box.FromCenter(ld.Box.CenterX + vx * dt, ld.Box.CenterY + vy * dt, ld.Box.Width, ld.Box.Height);
        }

        /// <summary>Index of the last hit at or before <paramref name="frame"/>; -1 when every hit is later.</summary>
        public int AtOrBefore(int frame)
        {
            int lo = 0, hi = Hits.Count - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (Hits[mid].Frame <= frame) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            return found;
        }

        /// <summary>Lets go of the hits before <paramref name="frame"/> but the last of them (a gap's start).</summary>
        public void Forget(int frame)
        {
            int k = AtOrBefore(frame - 1);
            if (k >= ForgetInBatches) Hits.RemoveRange(0, k);
        }
    }

    /// <summary>Old hits are let go this many at a time at least (removing from the front moves the rest).</summary>
    private const int ForgetInBatches = 32;

    /// <summary>What the tracker knows of one frame of the window.</summary>
    private struct FrameState
    {
        public int Scene;
        public PictureShift? Shift;
        public CameraStep? Step;
        public bool StepKnown;
    }

    /// <summary>Each enumeration is a pass of its own over <paramref name="frames"/>.</summary>
    public IEnumerable<IReadOnlyList<Region>> Track(IEnumerable<FrameDetections> frames)
    {
        foreach (var regions in new Run(options, frames).Regions()) yield return regions;
    }

    /// <summary>One pass over one video's detections.</summary>
    private sealed class Run(TrackerOptions options, IEnumerable<FrameDetections> frames)
    {
        // Frames from the oldest still needed (a hold's camera moves behind the frame being given) to the newest linked.
        private readonly FrameState[] _window = new FrameState[RingSize(options)];
        private readonly List<FaceTrack> _active = [];
        // Tracks that may still put a region on a frame to come, or whose hits may still be read, in id order.
        private List<FaceTrack> _live = [];
        private int _linked, _scene, _lastId, _stepsUpTo = -1;
        private bool _ended;

        private int MaxHold => Math.Max(options.HoldFrames, options.SpreadFrames);

        private int StepsAhead => TrackerOptions.CameraStepsAhead(options.HoldFrames, options.SpreadFrames);

        /// <summary>Hits kept behind the frame being given: a forward hold reads the hits of a hold (and a velocity) before
        /// the last one, which is up to a hold behind.</summary>
        private int HitsKept => 2 * MaxHold + options.VelocityFrames + 2;

        private static int RingSize(TrackerOptions o)
        {
            int span = o.LookaheadFrames + 4 * Math.Max(o.HoldFrames, o.SpreadFrames) + o.SpreadFrames + o.VelocityFrames + 8;
            int size = 64;
            while (size < span) size *= 2;
            return size;
        }

        private ref FrameState At(int frame) => ref _window[frame & (_window.Length - 1)];

        public IEnumerable<IReadOnlyList<Region>> Regions()
        {
            using var input = frames.GetEnumerator();
            for (int e = 0; ; e++)
            {
                while (!_ended && _linked <= e + options.LookaheadFrames)
                {
                    if (input.MoveNext()) Link(input.Current);
                    else _ended = true;
                }
                if (e >= _linked) yield break;
                while (_stepsUpTo < Math.Min(_linked - 1, e + StepsAhead)) ComputeStep(++_stepsUpTo);
                yield return Emit(e);
                Release(e);
            }
        }

        private void Link(FrameDetections frame)
        {
            int f = _linked;
            if (frame.CutBefore && f > 0) { _scene++; _active.Clear(); }
            At(f) = new FrameState { Scene = _scene, Shift = frame.Shift };
            _active.RemoveAll(t => f - t.Last.Frame > options.MaxGapFrames);
            var matched = new HashSet<FaceTrack>();
            foreach (bool weak in (ReadOnlySpan<bool>)[false, true])
            {
                var dets = frame.Detections.Where(d => d.Weak == weak).ToList();
                if (dets.Count == 0) continue;
                var free = _active.Where(t => !matched.Contains(t)).ToList();
                foreach (var d in LinkToTracks(free, dets, f, matched))
                {
                    var t = new FaceTrack(++_lastId, _scene);
                    t.Add(f, d, options);
                    matched.Add(t);
                    _active.Add(t);
                    _live.Add(t);
                }
            }
            _linked++;
        }

        /// <summary>Greedy matching by overlap with each track's prediction; returns the detections no track took.</summary>
        private List<Detection> LinkToTracks(List<FaceTrack> tracks, List<Detection> dets, int f, HashSet<FaceTrack> matched)
        {
            var pairs = new List<(float Cost, FaceTrack T, int D)>();
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
                t.Add(f, dets[d], options);
            }
            return dets.Where((_, d) => !usedD.Contains(d)).ToList();
        }

        /// <summary>Whether the track can get no more detections: its gap is past bridging, a cut came, or the video ended.</summary>
        private bool Finished(FaceTrack t) =>
            _ended || _linked - t.Last.Frame > options.MaxGapFrames || At(_linked - 1).Scene != t.Scene;

        /// <summary>
        /// The camera's move into frame <paramref name="g"/> from the one before (null where unknown: a scene's first frame,
        /// fewer than <see cref="TrackerOptions.CameraFaces"/> faces seen in both or following the fit, no plausible fit),
        /// estimated from the confirmed tracks' detections on both frames, in track order.
        /// </summary>
        private void ComputeStep(int g)
        {
            ref var state = ref At(g);
            state.StepKnown = true;
            state.Step = null;
            if (!options.FollowCamera || g == 0) return;
            var pairs = new List<(Box From, Box To)>();
            foreach (var t in _live)
            {
                if (!t.Confirmed) continue;
                int i = t.AtOrBefore(g);
                if (i > 0 && t.Hits[i].Frame == g && t.Hits[i - 1].Frame == g - 1) pairs.Add((t.Hits[i - 1].Det.Box, t.Hits[i].Det.Box));
            }
            var step = CameraMotion.Estimate(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs), options.CameraFaces);
            state.Step = step is { } s && state.Shift is { } p && !Agrees(s, p) ? null : step;
        }

        private CameraStep? Step(int frame)
        {
            ref var state = ref At(frame);
            if (!state.StepKnown) throw new InvalidOperationException($"camera move of frame {frame} read before it was worked out");
            return state.Step;
        }

        /// <summary>A box of frame <paramref name="from"/> carried to frame <paramref name="to"/> with the camera; null when
        /// the camera's move is unknown on the way.</summary>
        private Box? Carry(Box box, int from, int to)
        {
            for (int f = from + 1; f <= to; f++)
            {
                if (Step(f) is not { } step) return null;
                box = step.Forward(box);
            }
            for (int f = from; f > to; f--)
            {
                if (Step(f) is not { } step) return null;
                box = step.Backward(box);
            }
            return box;
        }

        /// <summary>Frame <paramref name="e"/>'s regions: each confirmed track's own (in track order), then the detections
        /// of the neighbouring frames of its scene as <see cref="RegionSource.Spread"/> regions, nearest first in time order.</summary>
        private List<Region> Emit(int e)
        {
            var regions = new List<Region>();
            int scene = At(e).Scene;
            foreach (var t in _live)
                if (t.Confirmed && t.Scene == scene && RegionOf(t, e) is { } r)
                {
                    regions.Add(r);
                    t.MarkDrawn();
                }
            for (int g = Math.Max(0, e - options.SpreadFrames); g <= Math.Min(_linked - 1, e + options.SpreadFrames); g++)
            {
                if (g == e || At(g).Scene != scene) continue;
                foreach (var t in _live)
                {
                    if (!t.Confirmed || t.Scene != scene) continue;
                    int i = t.AtOrBefore(g);
                    if (i < 0 || t.Hits[i].Frame != g) continue;
                    var d = t.Hits[i].Det;
                    regions.Add(new Region(Carry(d.Box, g, e) ?? d.Box, d.Score, t.Id, RegionSource.Spread));
                    t.MarkDrawn();
                }
            }
            return regions;
        }

        /// <summary>The track's region in frame <paramref name="e"/> of its scene: its detection, the interpolation
        /// between the hits around it, or a hold before its first or after its last; null when none reaches it.</summary>
        private Region? RegionOf(FaceTrack t, int e)
        {
            var hits = t.Hits;
            int i = t.AtOrBefore(e);
            if (i >= 0 && hits[i].Frame == e) return new Region(hits[i].Det.Box, hits[i].Det.Score, t.Id, RegionSource.Detected);
            if (i >= 0 && i + 1 < hits.Count)
            {
                // Grow in the middle of a long gap too: the face may have moved off the straight line.
                var (f, d) = hits[i];
                var (g, next) = hits[i + 1];
                float along = (float)(e - f) / (g - f);
                int away = Math.Min(e - f, g - e);
                return new Region(d.Box.Lerp(next.Box, along).Scale(Growth(away)), Math.Min(d.Score, next.Score), t.Id, RegionSource.Interpolated);
            }
            // Held before the first hit (none is ever let go before the track has begun) or after the last, once it is the last.
            bool weak = t.Count < 3 && t.Best < options.StrongScore;
            int hold = weak ? options.WeakHoldFrames : options.HoldFrames;
            if (i < 0) return hits[0].Frame - e <= hold ? Held(t, 0, -1, hits[0].Frame - e) : null;
            // A gap still open at the window's far end: the lookahead is shorter than a gap and a hold (a test's setting),
            // so cover the frame as held.
            return e - hits[i].Frame <= hold ? Held(t, i, +1, e - hits[i].Frame) : null;
        }

        /// <summary>
        /// The box held <paramref name="k"/> frames beyond the track's end hit <paramref name="end"/> in direction
        /// <paramref name="step"/> (−1 before the first hit, +1 after the last). It moves with the camera, unless the face
        /// moves on its own; from the first frame whose camera move is unknown (and when it moves on its own, from the
        /// start), at the track's velocity at that end. The caller keeps it within the track's scene.
        /// </summary>
        private Region Held(FaceTrack t, int end, int step, int k)
        {
            var hits = t.Hits;
            var (frame, det) = hits[end];
            // Pixels a frame forward in time, measured over the hits nearest this end.
            var (vx, vy) = hits.Count < 2 ? (0f, 0f)
                : step > 0 ? VelocityBetween(hits[FarthestWithin(hits, end, -1)], hits[end]) : VelocityBetween(hits[end], hits[FarthestWithin(hits, end, +1)]);
            bool following = !MovesOnItsOwn(t, end, step);
            // Where the box was last carried with the camera (the detection to begin with); from the first frame whose camera
            // move is unknown on, the box goes on from there at the track's velocity.
            Box anchor = det.Box;
            int anchorK = 0;
            for (int j = 1; j <= k; j++)
            {
                int f = frame + step * j;
                if (following && Carry(anchor, f - step, f) is { } carried) (anchor, anchorK) = (carried, j);
                else following = false;
            }
            int ahead = k - anchorK;
            var box = Box.FromCenter(anchor.CenterX + step * vx * ahead, anchor.CenterY + step * vy * ahead, anchor.Width, anchor.Height).Scale(Growth(k));
            return new Region(box, det.Score, t.Id, RegionSource.Extrapolated);
        }

        /// <summary>
        /// Whether a clearly seen face moved against the camera near the track's end (by half its width or more within
        /// <see cref="TrackerOptions.HoldFrames"/>): someone walking past a still camera. Its hold then follows its own
        /// velocity. Weak or short tracks never count: their boxes jump between neighbours in a crowd, and following
        /// that jump is what carried held boxes off every face.
        /// </summary>
        private bool MovesOnItsOwn(FaceTrack t, int end, int step)
        {
            var hits = t.Hits;
            if (t.Count < OwnMotionHits || t.Best < options.StrongScore) return false;
            int j = end;
            while (j - step >= 0 && j - step < hits.Count && Math.Abs(hits[j - step].Frame - hits[end].Frame) <= options.HoldFrames) j -= step;
            if (j == end) return false;
            var (from, to) = step > 0 ? (hits[j], hits[end]) : (hits[end], hits[j]);
            if (Carry(from.Det.Box, from.Frame, to.Frame) is not { } expected) return false;
            float dx = to.Det.Box.CenterX - expected.CenterX, dy = to.Det.Box.CenterY - expected.CenterY;
            return MathF.Sqrt(dx * dx + dy * dy) >= 0.5f * to.Det.Box.Width;
        }

        /// <summary>Index of the hit farthest from hit <paramref name="from"/> in direction <paramref name="step"/> (±1) that
        /// lies within <see cref="TrackerOptions.VelocityFrames"/> of it; the next hit when none does.</summary>
        private int FarthestWithin(List<(int Frame, Detection Det)> hits, int from, int step)
        {
            int j = from + step;
            while (j + step >= 0 && j + step < hits.Count && Math.Abs(hits[j + step].Frame - hits[from].Frame) <= options.VelocityFrames) j += step;
            return j;
        }

        private float Growth(int framesAway) => Math.Min(options.MaxGrowth, 1 + options.GrowthPerFrame * framesAway);

        /// <summary>After frame <paramref name="e"/> is given: tracks that can cover no later frame go, and long tracks
        /// let go of hits no later frame reads.</summary>
        private void Release(int e)
        {
            int next = e + 1;
            if (_live.Count > 0 && _live.Exists(t => Gone(t, next))) _live = _live.FindAll(t => !Gone(t, next));
            if (next % ForgetInBatches == 0)
                foreach (var t in _live) t.Forget(next - HitsKept);
        }

        /// <summary>A finished track never confirmed is never drawn; a confirmed one goes once its hold and spread are behind.</summary>
        private bool Gone(FaceTrack t, int next) =>
            Finished(t) && (!t.Confirmed || t.Last.Frame + MaxHold < next);
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

    /// <summary>Detections a track needs before its own motion is believed over the camera's.</summary>
    private const int OwnMotionHits = 5;

    /// <summary>Velocity of the box centre in pixels a frame between two hits of a track.</summary>
    private static (float Vx, float Vy) VelocityBetween((int Frame, Detection Det) from, (int Frame, Detection Det) to)
    {
        float dt = Math.Max(1, to.Frame - from.Frame);
        return ((to.Det.Box.CenterX - from.Det.Box.CenterX) / dt, (to.Det.Box.CenterY - from.Det.Box.CenterY) / dt);
    }
}

/// <summary>Helpers over <see cref="ITracker"/>.</summary>
public static class Tracking
{
    /// <summary>Every frame's regions at once (tests, short clips): the video path enumerates them while it draws instead.</summary>
    public static IReadOnlyList<Region>[] Build(this ITracker tracker, IEnumerable<FrameDetections> frames) => [.. tracker.Track(frames)];
}
