namespace Redactor.Review;

/// <summary>
/// What a review decides about one input (a video, or a folder of photos), saved as versioned JSON beside it
/// (<see cref="PlanJson"/>): the input's identity, the first pass's tracks, and the person's decisions. The render
/// (<c>redact --plan</c>, or Export in the page) covers exactly what the plan says, with no detection pass.
/// </summary>
/// <remarks>All boxes are in the stored picture's pixels (as the tracker's regions): x, y of the top-left corner,
/// width, height. Frames are counted from 0 in the order both passes decode them (one constant rate, see docs/design.md).
/// Mutable on purpose: the review server edits it under its own lock and saves it after each change.</remarks>
public sealed class ReviewPlan
{
    public const string FormatName = "redactor-plan";
    public const int CurrentVersion = 1;

    public string Format { get; set; } = FormatName;
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The redactor version that made the first pass (informational).</summary>
    public string? MadeBy { get; set; }

    /// <summary>The first pass's detector setting, such as "combined" (informational: the tracks are what counts).</summary>
    public string? Detector { get; set; }

    /// <summary>One video, or every photo of a folder (paths relative to it, '/' separated, in the folder's order).</summary>
    public List<PlanItem> Items { get; set; } = [];
}

public enum PlanItemKind { Video, Photo }

/// <summary>One video or one photo (a photo is a single frame, index 0).</summary>
public sealed class PlanItem
{
    /// <summary>The video's file name, or the photo's path relative to the folder.</summary>
    public string Path { get; set; } = "";

    public PlanItemKind Kind { get; set; }

    public MediaIdentity Identity { get; set; } = new(0, "", 0, 0, 0);

    /// <summary>Frames a second as both passes decode them (0 for a photo): for showing times.</summary>
    public double FrameRate { get; set; }

    /// <summary>Frames that follow a hard cut (the tracker never carries a box across one).</summary>
    public List<long> Cuts { get; set; } = [];

    /// <summary>The first pass's tracks: every region it would cover, grouped by track. A photo's faces are one-box tracks.</summary>
    public List<PlanTrack> Tracks { get; set; } = [];

    /// <summary>Weak detections no region covers: possible faces the first pass did not trust (shown, never covered unless
    /// the person adds them).</summary>
    public List<TrackBox> Uncovered { get; set; } = [];

    /// <summary>Frames the page points the person to (<see cref="MarkKind"/>).</summary>
    public List<PlanMark> Marks { get; set; } = [];

    /// <summary>Tracks left visible by consent (never by default).</summary>
    public List<int> Keep { get; set; } = [];

    /// <summary>Tracks that are not faces (a banner, a hand): not covered.</summary>
    public List<int> Remove { get; set; } = [];

    /// <summary>Regions drawn by hand, covered as drawn.</summary>
    public List<ManualRegion> Manual { get; set; } = [];

    /// <summary>Frame spans covered whole (inclusive).</summary>
    public List<FrameSpan> CoverFrames { get; set; } = [];
}

/// <summary>Who the input is: a plan made for one file is refused for any other. <paramref name="Sha256"/> is of the
/// whole file's bytes (lower-case hex); <paramref name="Frames"/> as the first pass decoded them (1 for a photo).</summary>
public sealed record MediaIdentity(long Bytes, string Sha256, int Width, int Height, long Frames);

/// <summary>One region of a track in one frame, as the tracker made it (a face box, grown by the style's mask when
/// covered). A track may have more than one box in a frame (<see cref="RegionSource.Spread"/>).</summary>
public readonly record struct TrackBox(long Frame, Box Box, float Score, RegionSource Source);

public sealed class PlanTrack
{
    public int Id { get; set; }

    /// <summary>In frame order.</summary>
    public List<TrackBox> Boxes { get; set; } = [];
}

/// <summary>A region drawn by hand: covered from <see cref="Start"/> to <see cref="End"/> (inclusive), its box
/// interpolated linearly between keyframes and held before the first and after the last.</summary>
public sealed class ManualRegion
{
    public int Id { get; set; }
    public long Start { get; set; }
    public long End { get; set; }

    /// <summary>At least one, in frame order, at most one a frame.</summary>
    public List<KeyBox> Keys { get; set; } = [];
}

public readonly record struct KeyBox(long Frame, Box Box);

/// <summary>Frames <paramref name="Start"/> to <paramref name="End"/>, both included.</summary>
public readonly record struct FrameSpan(long Start, long End);

public enum MarkKind
{
    /// <summary>A track starts mid-shot: the face may have been there, missed, before.</summary>
    TrackStarts,
    /// <summary>A track ends mid-shot: the face may still be there, missed, after.</summary>
    TrackEnds,
    /// <summary>A weak detection no region covers.</summary>
    Uncovered,
    /// <summary>Fewer faces than the frame before, without a cut.</summary>
    FewerFaces,
}

public readonly record struct PlanMark(long Frame, MarkKind Kind);
