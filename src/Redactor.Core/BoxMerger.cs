namespace Redactor;

/// <summary>
/// Merges detections of the same face from overlapping tiles and scales into one, keeping the
/// highest-scoring box. A box is a duplicate when it overlaps a kept one by IoU, or lies mostly inside a kept
/// box of similar size (tiles cut faces at their edges); a small face next to or in front of a large one survives.
/// Weak detections come after every other, so a weak box never displaces a face that counts on its own, and doubtful ones
/// (<see cref="SecondLook"/>) after those that count: searches merged after their second looks (<see cref="TurnedSearch"/>)
/// would otherwise let a doubted box with a higher score replace a counted one of the same face, leaving it uncovered.
/// </summary>
public static class BoxMerger
{
    public static List<Detection> Merge(IEnumerable<Detection> detections, float iouThreshold = 0.35f, float containment = 0.7f)
    {
        var sorted = detections.OrderBy(d => d.Weak).ThenBy(d => d.Doubtful).ThenByDescending(d => d.Score).ToList();
        var kept = new List<Detection>();
        foreach (var d in sorted)
        {
            if (!kept.Exists(k => SameFace(d.Box, k.Box, iouThreshold, containment))) kept.Add(d);
        }
        return kept;
    }

    /// <summary>Two boxes of one face: overlapping by IoU, or the smaller lying mostly inside a larger one of similar size.</summary>
    public static bool SameFace(Box a, Box b, float iouThreshold = 0.35f, float containment = 0.7f)
    {
        if (a.IoU(b) > iouThreshold) return true;
        float smaller = Math.Min(a.Area, b.Area), larger = Math.Max(a.Area, b.Area);
        return smaller > 0 && larger / smaller < 4 && a.IntersectionArea(b) / smaller > containment;
    }
}
