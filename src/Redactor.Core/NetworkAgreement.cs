namespace Redactor;

/// <summary>
/// Weighs a small box by whether another network found the same face. Each network's false boxes are its own (texture it
/// reads as a face), while a real face is mostly found by two: on wider-416, boxes of 20–40 px scoring 0.2–0.4 that no
/// other network reported were faces 3–12 times in 100, those another network also reported 26–39 times. So, for boxes
/// under <see cref="ScorePolicy.LargeFaceHeight"/> (larger ones keep the policy's own rule and the second look):
/// <list type="bullet">
/// <item>a <see cref="Detection.Weak">weak</see> box that another network also reports counts as a face;</item>
/// <item>a box that counts, reported by no other network and scoring under <see cref="SoloFactor"/> × the threshold,
/// becomes weak: tracking may still follow it in video, but alone it is not redacted.</item>
/// </list>
/// Another network's box is the same face when it overlaps by IoU over <see cref="SameFace"/> and is not
/// <see cref="Detection.Doubtful">doubtful</see>. Chosen on the photo sets (leak / over-redaction, %): wider-416 8.76 / 4.39
/// → 8.03 / 4.41, masks 0.49 / 3.69 → 0.49 / 3.60; solo boxes needing 1.5× the threshold gave 8.51 / 4.13 and 0.54 / 3.34
/// (docs/results.md).
/// </summary>
public sealed record NetworkAgreement
{
    public const float DefaultSoloFactor = 1.25f;
    public const float DefaultSameFace = 0.3f;

    /// <param name="policy">The scores that count: its weak threshold is the least an agreed box needs.</param>
    public NetworkAgreement(ScorePolicy policy, float soloFactor = DefaultSoloFactor, float sameFace = DefaultSameFace)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!(soloFactor >= 1)) throw new ArgumentOutOfRangeException(nameof(soloFactor), soloFactor, "the solo factor must be at least 1");
        if (!(sameFace > 0 && sameFace < 1)) throw new ArgumentOutOfRangeException(nameof(sameFace), sameFace, "the overlap must be between 0 and 1");
        Policy = policy;
        SoloFactor = soloFactor;
        SameFace = sameFace;
    }

    public ScorePolicy Policy { get; }

    /// <summary>Times the threshold a small box that no other network reports needs to count.</summary>
    public float SoloFactor { get; }

    /// <summary>IoU above which two networks' boxes are the same face.</summary>
    public float SameFace { get; }

    /// <summary>Each network's detections (one list per network, each already merged), judged against the others'.</summary>
    public IEnumerable<Detection> Judge(IReadOnlyList<IReadOnlyList<Detection>> perNetwork)
    {
        for (int i = 0; i < perNetwork.Count; i++)
            foreach (var d in perNetwork[i])
            {
                if (d.Doubtful || d.Box.Height >= Policy.LargeFaceHeight) { yield return d; continue; }
                bool agreed = false;
                for (int j = 0; j < perNetwork.Count && !agreed; j++)
                    if (j != i)
                        foreach (var o in perNetwork[j])
                            if (!o.Doubtful && o.Box.IoU(d.Box) > SameFace) { agreed = true; break; }
                if (d.Weak && agreed) yield return d with { Weak = false };
                else if (d.Counts && !agreed && d.Score < SoloFactor * Policy.Threshold) yield return d with { Weak = true };
                else yield return d;
            }
    }
}
