namespace Redactor;

/// <summary>
/// Weighs a small box by whether another network found the same face. Each network's false boxes are its own (texture it
/// reads as a face), while a real face is mostly found by two: on wider-416, boxes of 20–40 px scoring 0.2–0.4 that no
/// other network reported were faces 3–12 times in 100, those another network also reported 26–29 times. So, for boxes
/// under <see cref="ScorePolicy.LargeFaceHeight"/> (larger ones keep the policy's own rule and the second look):
/// <list type="bullet">
/// <item>a <see cref="Detection.Weak">weak</see> box that another network also reports counts as a face;</item>
/// <item>a box that counts, reported by no other network that searched faces its size on that frame, and scoring under
/// <see cref="SoloScore"/>, becomes weak: tracking may still follow it in video, but alone it is not redacted. A network
/// that did not search that size (its single pass fitted to a large frame shrinks small faces below what it finds; YuNet's
/// finest pass skipped on the frame) cannot outvote it.</item>
/// </list>
/// Only with weak evidence (<see cref="ScorePolicy.WeakEvidence"/>): without it (<c>--no-track</c>) no weak box reaches
/// here to be confirmed, and demoting alone would only lose faces. Two networks' boxes are the same face by
/// <see cref="BoxMerger.SameFace"/> with IoU over <see cref="SameFaceIoU"/>. Chosen on the photo sets (leak /
/// over-redaction, %): wider-416 8.76 / 4.39 → 8.03 / 4.41, masks 0.49 / 3.69 → 0.49 / 3.60, before the size and
/// containment rules; solo boxes needing 1.5× the threshold gave 8.51 / 4.13 and 0.54 / 3.34 (docs/results.md).
/// </summary>
public sealed record NetworkAgreement
{
    public const float DefaultSoloFactor = 1.25f;
    public const float SameFaceIoU = 0.3f;

    /// <summary>One network's detections on a frame (already merged), and the smallest face height (frame pixels) it
    /// searched for there.</summary>
    public readonly record struct Search(IReadOnlyList<Detection> Found, float SmallestFace);

    /// <param name="policy">The scores that count: a weak box another network confirms counts.</param>
    public NetworkAgreement(ScorePolicy policy, float soloFactor = DefaultSoloFactor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!(soloFactor >= 1)) throw new ArgumentOutOfRangeException(nameof(soloFactor), soloFactor, "the solo factor must be at least 1");
        Policy = policy;
        SoloFactor = soloFactor;
    }

    public ScorePolicy Policy { get; }

    /// <summary>Times the threshold a small box that no other network reports needs to count.</summary>
    public float SoloFactor { get; }

    /// <summary>The score a small box no other network reports needs: <see cref="SoloFactor"/> × the threshold, but never
    /// more than a large face needs (<see cref="ScorePolicy.LargeFaceThreshold"/>), so a high <c>--threshold</c> does not
    /// put a small face out of reach.</summary>
    public float SoloScore => Math.Min(SoloFactor * Policy.Threshold, Policy.LargeFaceThreshold);

    /// <summary>Each network's detections (one search per network), judged against the others'.</summary>
    public IEnumerable<Detection> Judge(IReadOnlyList<Search> searches)
    {
        for (int i = 0; i < searches.Count; i++)
            foreach (var d in searches[i].Found)
            {
                if (!Policy.WeakEvidence || d.Doubtful || d.Box.Height >= Policy.LargeFaceHeight) { yield return d; continue; }
                bool agreed = false, looked = false;
                for (int j = 0; j < searches.Count && !agreed; j++)
                {
                    if (j == i) continue;
                    looked |= searches[j].SmallestFace <= d.Box.Height;
                    foreach (var o in searches[j].Found)
                        if (!o.Doubtful && BoxMerger.SameFace(d.Box, o.Box, SameFaceIoU)) { agreed = true; break; }
                }
                if (d.Weak && agreed) yield return d with { Weak = false };
                else if (d.Counts && !agreed && looked && d.Score < SoloScore) yield return d with { Weak = true };
                else yield return d;
            }
    }
}
