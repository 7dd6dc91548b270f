namespace Redactor;

/// <summary>
/// Which detector scores count as faces. Small faces are redacted from a low score: a missed face is a leak and a
/// small false alarm covers little. Large faces are seen clearly and score high, so a large box with a low score is
/// nearly always texture (on the shared photo sets, 40+ px boxes scoring under 0.4 were wrong 9 times in 10) and
/// would cover a big patch of background; those need <see cref="LargeFaceThreshold"/>.
/// </summary>
public sealed record ScorePolicy
{
    public const float DefaultThreshold = 0.2f;
    public const float DefaultLargeFaceThreshold = 0.4f;
    public const float DefaultLargeFaceHeight = 40f;

    /// <param name="weakEvidence">Also keep <see cref="IsWeak">weak</see> detections, for a tracker to weigh (video).</param>
    public ScorePolicy(float threshold = DefaultThreshold, float largeFaceThreshold = DefaultLargeFaceThreshold, float largeFaceHeight = DefaultLargeFaceHeight,
        bool weakEvidence = false)
    {
        WeakEvidence = weakEvidence;
        if (!(threshold > 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be between 0 and 1");
        if (!(largeFaceThreshold > 0 && largeFaceThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(largeFaceThreshold));
        if (!(largeFaceHeight > 0)) throw new ArgumentOutOfRangeException(nameof(largeFaceHeight));
        Threshold = threshold;
        LargeFaceThreshold = Math.Max(threshold, largeFaceThreshold);
        LargeFaceHeight = largeFaceHeight;
    }

    /// <summary>Lowest score that counts; models can drop anything below it before decoding.</summary>
    public float Threshold { get; }

    /// <summary>Score a face at least <see cref="LargeFaceHeight"/> tall (frame pixels) needs; never below <see cref="Threshold"/>.</summary>
    public float LargeFaceThreshold { get; }

    public float LargeFaceHeight { get; }

    public bool Accepts(Detection d) =>
        d.Score >= (d.Box.Height >= LargeFaceHeight ? LargeFaceThreshold : Threshold);

    public bool WeakEvidence { get; }

    /// <summary>Half the threshold: the lowest score kept as weak evidence.</summary>
    public float WeakThreshold => Threshold / 2;

    /// <summary>The score below which a model may drop candidates before decoding.</summary>
    public float ModelThreshold => WeakEvidence ? WeakThreshold : Threshold;

    /// <summary>
    /// A small face scoring from <see cref="WeakThreshold"/> up to the threshold, when <see cref="WeakEvidence"/> is on.
    /// In a video the same spot scoring low frame after frame is mostly a real face the detector sees badly (small,
    /// blurred, turned); alone in one frame it is mostly texture. Large low-scoring boxes stay out: on the pan-zoom
    /// videos letting them in as well covered twice the background for a little more recall.
    /// </summary>
    public bool IsWeak(Detection d) =>
        WeakEvidence && !Accepts(d) && d.Box.Height < LargeFaceHeight && d.Score >= WeakThreshold;
}
