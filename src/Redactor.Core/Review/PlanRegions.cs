namespace Redactor.Review;

/// <summary>The regions a plan covers.</summary>
/// <remarks>Track ids are 0 or more. A manual region's <see cref="Region.TrackId"/> is negative (<see cref="ManualTrackId"/>)
/// and a whole frame's is <see cref="WholeFrameTrackId"/>, so neither meets a track's: the blur's noise is derived from the
/// id, and stays the same from frame to frame for each (noise drawn anew each frame could be averaged away).</remarks>
public static class PlanRegions
{
    /// <summary>Largest manual region id: <see cref="ManualTrackId"/> of it is <see cref="WholeFrameTrackId"/> + 1.</summary>
    public const int MaxManualId = int.MaxValue - 1;

    /// <summary>The <see cref="Region.TrackId"/> of every <see cref="RegionSource.WholeFrame"/> region.</summary>
    public const int WholeFrameTrackId = int.MinValue;

    /// <summary>The <see cref="Region.TrackId"/> of manual region <paramref name="manualId"/> (0 to <see cref="MaxManualId"/>): -1 - id.</summary>
    public static int ManualTrackId(int manualId) => -1 - manualId;

    /// <summary>What frame <paramref name="frame"/> of <paramref name="item"/> gets covered: the tracks' boxes except kept and
    /// removed ones, manual regions (<see cref="RegionSource.Manual"/>), and a <see cref="RegionSource.WholeFrame"/> region
    /// when a cover span holds the frame. Nothing outside the item's frames.</summary>
    /// <remarks>For one frame at a time (the review page's preview): each track's boxes are found by binary search.</remarks>
    public static IReadOnlyList<Region> At(PlanItem item, long frame)
    {
        var regions = new List<Region>();
        if (frame < 0 || frame >= item.Identity.Frames) return regions;
        var hidden = Hidden(item);
        foreach (var track in item.Tracks)
        {
            if (hidden.Contains(track.Id)) continue;
            var boxes = track.Boxes;
            int lo = 0, hi = boxes.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (boxes[mid].Frame < frame) lo = mid + 1;
                else hi = mid;
            }
            for (int i = lo; i < boxes.Count && boxes[i].Frame == frame; i++) regions.Add(RegionOf(track.Id, boxes[i]));
        }
        foreach (var manual in item.Manual)
            if (ManualBoxAt(manual, frame, item.Cuts) is { } box) regions.Add(ManualRegionOf(manual.Id, box));
        if (item.CoverFrames.Any(s => s.Start <= frame && frame <= s.End)) regions.Add(WholeFrameOf(item));
        return regions;
    }

    /// <summary>Every frame's regions in order, for the render pass (frames 0 .. Identity.Frames - 1), as <see cref="At"/>
    /// gives them.</summary>
    /// <remarks>Time and memory in proportion to the boxes, the frames and the manual regions' frames: the tracks' boxes
    /// are sorted into frames once (a count a frame, then one array of them all), not looked up frame by frame.
    /// The item must not change while this is enumerated.</remarks>
    public static IEnumerable<IReadOnlyList<Region>> All(PlanItem item)
    {
        long frames = item.Identity.Frames;
        if (frames <= 0) yield break;
        if (frames > int.MaxValue - 1) throw new ArgumentOutOfRangeException(nameof(item), frames, "too many frames");
        var hidden = Hidden(item);
        var first = new int[frames + 1];
        foreach (var track in item.Tracks)
            if (!hidden.Contains(track.Id))
                foreach (var b in track.Boxes)
                    if (b.Frame >= 0 && b.Frame < frames) first[b.Frame + 1]++;
        for (long f = 0; f < frames; f++) first[f + 1] += first[f];
        var boxes = new Region[first[frames]];
        var next = (int[])first.Clone();
        foreach (var track in item.Tracks)
            if (!hidden.Contains(track.Id))
                foreach (var b in track.Boxes)
                    if (b.Frame >= 0 && b.Frame < frames) boxes[next[b.Frame]++] = RegionOf(track.Id, b);

        // Manual regions by start, and those under way kept in the plan's order (as At gives them).
        var manual = item.Manual.Select((m, i) => (Index: i, Region: m)).OrderBy(m => m.Region.Start).ToList();
        var spans = item.CoverFrames.OrderBy(s => s.Start).ToList();
        var active = new List<(int Index, ManualRegion Region)>();
        int nextManual = 0, nextSpan = 0;
        long coveredTo = -1;
        for (long f = 0; f < frames; f++)
        {
            while (nextManual < manual.Count && manual[nextManual].Region.Start <= f)
            {
                var m = manual[nextManual++];
                int at = active.FindIndex(a => a.Index > m.Index);
                active.Insert(at < 0 ? active.Count : at, m);
            }
            active.RemoveAll(m => m.Region.End < f);
            while (nextSpan < spans.Count && spans[nextSpan].Start <= f) coveredTo = Math.Max(coveredTo, spans[nextSpan++].End);
            bool whole = f <= coveredTo;
            var regions = new List<Region>(first[f + 1] - first[f] + active.Count + (whole ? 1 : 0));
            for (int i = first[f]; i < first[f + 1]; i++) regions.Add(boxes[i]);
            foreach (var (_, m) in active)
                if (ManualBoxAt(m, f, item.Cuts) is { } box) regions.Add(ManualRegionOf(m.Id, box));
            if (whole) regions.Add(WholeFrameOf(item));
            yield return regions;
        }
    }

    /// <summary>The box of a manual region in frame <paramref name="frame"/>: linear between the keys around it, the first
    /// key's before it and the last key's after it; null outside <see cref="ManualRegion.Start"/>..<see cref="ManualRegion.End"/>.
    /// Never across a cut (<paramref name="cuts"/>, the frames that follow one, in order): a box set in a later shot would
    /// otherwise slide off the face in every frame of the earlier one. Across a cut the key before it is held up to the
    /// cut, and the key after it from the last cut on.</summary>
    public static Box? ManualBoxAt(ManualRegion region, long frame, IReadOnlyList<long>? cuts = null)
    {
        var keys = region.Keys;
        if (frame < region.Start || frame > region.End || keys.Count == 0) return null;
        if (frame <= keys[0].Frame) return keys[0].Box;
        if (frame >= keys[^1].Frame) return keys[^1].Box;
        // The last key at or before the frame: keys[lo - 1] once the search ends.
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (keys[mid].Frame <= frame) lo = mid + 1;
            else hi = mid;
        }
        var (from, to) = (keys[lo - 1], keys[lo]);
        if (from.Frame == frame) return from.Box;
        if (cuts is not null && LastCutIn(cuts, from.Frame, to.Frame) is long lastCut)
            return frame >= lastCut ? to.Box : from.Box;
        return from.Box.Lerp(to.Box, (float)((double)(frame - from.Frame) / (to.Frame - from.Frame)));
    }

    /// <summary>The last cut after frame <paramref name="after"/> and at or before <paramref name="upTo"/>, if any.</summary>
    private static long? LastCutIn(IReadOnlyList<long> cuts, long after, long upTo)
    {
        long? last = null;
        foreach (var c in cuts)
        {
            if (c > upTo) break;
            if (c > after) last = c;
        }
        return last;
    }

    /// <summary>Tracks that give no region: kept by consent, or removed as not a face.</summary>
    private static HashSet<int> Hidden(PlanItem item) => [.. item.Keep, .. item.Remove];

    private static Region RegionOf(int track, TrackBox b) => new(b.Box, b.Score, track, b.Source);

    private static Region ManualRegionOf(int id, Box box) => new(box, 1f, ManualTrackId(id), RegionSource.Manual);

    private static Region WholeFrameOf(PlanItem item) =>
        new(new Box(0, 0, item.Identity.Width, item.Identity.Height), 1f, WholeFrameTrackId, RegionSource.WholeFrame);
}
