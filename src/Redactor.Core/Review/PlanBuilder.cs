using System.Security.Cryptography;

namespace Redactor.Review;

/// <summary>
/// Makes a plan's items from a first pass: what the tracker would cover, as tracks; the weak detections nothing covers;
/// and the frames worth a look. A plan made here and rendered unchanged covers what <c>redact</c> covers.
/// </summary>
public static class PlanBuilder
{
    /// <summary>Marks of one kind closer than this to the one before (frames) are dropped: a run of them is one place to
    /// look (a weak face seen for a second would otherwise put 30 marks in a row).</summary>
    public const int MarkMergeFrames = 5;

    /// <summary>A track that starts (or ends) this close to the video's start (end) or a cut is not marked: it starts with
    /// the shot, not mid-shot.</summary>
    public const int EdgeFrames = 2;

    /// <summary>
    /// A video's item from its first pass. The tracker reads <paramref name="frames"/> as it goes (each frame's detections
    /// are still needed here, so do not hand them over with <see cref="VideoPipeline.Handing"/>). Regions without a track
    /// (<see cref="NoTracker"/>) become one-box tracks of their own, numbered after the tracker's, and mark no start or end.
    /// </summary>
    /// <param name="path">The video's file name, as the plan names it.</param>
    /// <param name="identity">The file's identity (<see cref="Identify"/>), its <see cref="MediaIdentity.Frames"/> the
    /// count of <paramref name="frames"/>.</param>
    /// <param name="frameRate">Frames a second as both passes decode them.</param>
    public static PlanItem Video(string path, MediaIdentity identity, double frameRate, IReadOnlyList<FrameDetections> frames, ITracker tracker)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Frames != frames.Count)
            throw new ArgumentException($"the identity says {identity.Frames} frames, the first pass decoded {frames.Count}", nameof(identity));
        var tracks = new SortedDictionary<int, PlanTrack>();
        var untracked = new List<TrackBox>();
        var uncovered = new List<TrackBox>();
        var present = new HashSet<int>();
        var marks = new List<PlanMark>();
        int before = 0;
        long f = 0;
        foreach (var regions in tracker.Track(frames))
        {
            if (f >= frames.Count) throw new InvalidOperationException("the tracker gave more frames than it was given");
            present.Clear();
            int loose = 0;
            foreach (var r in regions)
            {
                var box = new TrackBox(f, r.Box, r.Score, r.Source);
                if (r.TrackId is not int id) { untracked.Add(box); loose++; continue; }
                if (!tracks.TryGetValue(id, out var track)) tracks.Add(id, track = new PlanTrack { Id = id });
                track.Boxes.Add(box);
                present.Add(id);
            }
            bool found = false;
            foreach (var d in frames[(int)f].Detections)
            {
                if (d.Counts || Covered(d.Box, regions)) continue;
                uncovered.Add(new TrackBox(f, d.Box, d.Score, RegionSource.Detected));
                found = true;
            }
            if (found) marks.Add(new PlanMark(f, MarkKind.Uncovered));
            int faces = present.Count + loose;
            if (f > 0 && faces < before && !frames[(int)f].CutBefore) marks.Add(new PlanMark(f, MarkKind.FewerFaces));
            before = faces;
            f++;
        }
        if (f != frames.Count) throw new InvalidOperationException($"the tracker gave {f} frames of {frames.Count}");

        var cuts = new List<long>();
        for (int i = 0; i < frames.Count; i++)
            if (frames[i].CutBefore && i > 0) cuts.Add(i);
        // Only the tracker's tracks start and end: a loose region is one frame's detection, not a face's life.
        marks.AddRange(TrackEdges(tracks.Values, cuts, frames.Count));

        // Loose regions each get a track of their own, after the tracker's ids so that none is taken twice.
        int next = tracks.Count == 0 ? 1 : Math.Max(1, tracks.Keys.Max() + 1);
        foreach (var box in untracked) tracks.Add(next, new PlanTrack { Id = next++, Boxes = [box] });
        return new PlanItem
        {
            Path = path,
            Kind = PlanItemKind.Video,
            Identity = identity,
            FrameRate = frameRate,
            Cuts = cuts,
            Tracks = [.. tracks.Values],
            Uncovered = uncovered,
            Marks = Merge(marks),
        };
    }

    /// <summary>
    /// A photo's item from its detections (all of them, weak and doubtful too): faces that count are one-box tracks
    /// 1, 2, ... in the detector's order; weak and doubtful ones whose centre no face's box holds are uncovered, and mark
    /// the photo.
    /// </summary>
    public static PlanItem Photo(string path, MediaIdentity identity, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var faces = detections.Where(d => d.Counts).ToList();
        var regions = faces.Select(d => new Region(d.Box, d.Score, null, RegionSource.Detected)).ToList();
        var uncovered = detections.Where(d => !d.Counts && !Covered(d.Box, regions))
            .Select(d => new TrackBox(0, d.Box, d.Score, RegionSource.Detected)).ToList();
        return new PlanItem
        {
            Path = path,
            Kind = PlanItemKind.Photo,
            Identity = identity,
            FrameRate = 0,
            Tracks = [.. faces.Select((d, i) => new PlanTrack { Id = i + 1, Boxes = [new TrackBox(0, d.Box, d.Score, RegionSource.Detected)] })],
            Uncovered = uncovered,
            Marks = uncovered.Count > 0 ? [new PlanMark(0, MarkKind.Uncovered)] : [],
        };
    }

    /// <summary>The identity of the file at <paramref name="path"/>: its length and the sha256 of all its bytes (read in
    /// 1 MiB blocks, never held whole), with the picture's size and frame count as decoded.</summary>
    public static MediaIdentity Identify(string path, int width, int height, long frames, CancellationToken ct = default)
    {
        var (bytes, sha) = Hash(path, ct);
        return new MediaIdentity(bytes, sha, width, height, frames);
    }

    /// <summary>The length and lower-case hex sha256 of the file at <paramref name="path"/>.</summary>
    public static (long Bytes, string Sha256) Hash(string path, CancellationToken ct = default)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Hash(stream, ct);
    }

    /// <summary>The length and lower-case hex sha256 of what <paramref name="stream"/> holds from where it stands.</summary>
    public static (long Bytes, string Sha256) Hash(Stream stream, CancellationToken ct = default)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, n);
            total += n;
        }
        return (total, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Whether a region's box (the face box, before the mask is grown) holds the centre of <paramref name="box"/>.</summary>
    private static bool Covered(Box box, IReadOnlyList<Region> regions)
    {
        float cx = box.CenterX, cy = box.CenterY;
        foreach (var r in regions)
            if (cx >= r.Box.X && cx <= r.Box.Right && cy >= r.Box.Y && cy <= r.Box.Bottom) return true;
        return false;
    }

    /// <summary>Tracks that start or end mid-shot: their first frame, unless within <see cref="EdgeFrames"/> of the video's
    /// start or a cut; their last, unless within as much of the video's end or the frame before a cut.</summary>
    private static IEnumerable<PlanMark> TrackEdges(IEnumerable<PlanTrack> tracks, List<long> cuts, long frames)
    {
        bool NearStart(long frame) => frame <= EdgeFrames || cuts.Any(c => Math.Abs(frame - c) <= EdgeFrames);
        bool NearEnd(long frame) => frame >= frames - 1 - EdgeFrames || cuts.Any(c => Math.Abs(frame + 1 - c) <= EdgeFrames);
        foreach (var t in tracks)
        {
            long start = t.Boxes[0].Frame, end = t.Boxes[^1].Frame;
            if (!NearStart(start)) yield return new PlanMark(start, MarkKind.TrackStarts);
            if (!NearEnd(end)) yield return new PlanMark(end, MarkKind.TrackEnds);
        }
    }

    /// <summary>Marks in frame order, each run of one kind (every mark within <see cref="MarkMergeFrames"/> of the one before
    /// it, kept or not) kept as its first.</summary>
    internal static List<PlanMark> Merge(IEnumerable<PlanMark> marks)
    {
        var kept = new List<PlanMark>();
        var last = new Dictionary<MarkKind, long>();
        foreach (var m in marks.OrderBy(m => m.Frame).ThenBy(m => m.Kind))
        {
            bool inRun = last.TryGetValue(m.Kind, out long previous) && m.Frame - previous <= MarkMergeFrames;
            last[m.Kind] = m.Frame;
            if (!inRun) kept.Add(m);
        }
        return kept;
    }
}
