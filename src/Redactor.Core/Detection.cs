namespace Redactor;

/// <summary>A face found by a detector, in source-frame pixels. Score is the detector's confidence in 0..1.</summary>
public readonly record struct Detection(Box Box, float Score)
{
    /// <summary>Below the score that counts as a face on its own (<see cref="ScorePolicy.IsWeak"/>), or a low box no other
    /// network found (<see cref="NetworkAgreement"/>): only tracking uses it, to carry a face it already follows or to
    /// start one the detector sees frame after frame.</summary>
    public bool Weak { get; init; }

    /// <summary>A large box with a middling score that a second look at the face's crop did not confirm
    /// (<see cref="SecondLook"/>): on its own it is not redacted; tracking keeps it for a track that other detections confirm,
    /// unless the track's doubts outnumber them (<see cref="TrackerOptions.MajorityHeight"/>).</summary>
    public bool Doubtful { get; init; }

    /// <summary>Counts as a face on its own: neither weak nor doubtful.</summary>
    public bool Counts => !Weak && !Doubtful;
}

/// <summary>
/// A face area the redactor will cover in one frame: the face box (not yet grown by the mask scale),
/// where it came from, and the track it belongs to (null when tracking is off).
/// </summary>
public readonly record struct Region(Box Box, float Score, int? TrackId, RegionSource Source);

public enum RegionSource
{
    /// <summary>Detected in this very frame.</summary>
    Detected,
    /// <summary>Between two detections of the same track.</summary>
    Interpolated,
    /// <summary>Before the first or after the last detection of a track (held for safety).</summary>
    Extrapolated,
    /// <summary>A detection of the track in a neighbouring frame, shown again here (see <see cref="TrackerOptions.SpreadFrames"/>).</summary>
    Spread,
    /// <summary>Drawn by hand in review: covered as drawn (not grown by the mask).</summary>
    Manual,
    /// <summary>The whole frame, covered in review.</summary>
    WholeFrame,
}
