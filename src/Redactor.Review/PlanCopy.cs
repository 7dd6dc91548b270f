namespace Redactor.Review;

/// <summary>Copies of a plan's mutable parts: an export renders a snapshot while the person goes on editing, and a refused
/// edit puts the item's decisions back as they were.</summary>
internal static class PlanCopy
{
    public static ReviewPlan Of(ReviewPlan plan) => new()
    {
        Format = plan.Format,
        Version = plan.Version,
        MadeBy = plan.MadeBy,
        Detector = plan.Detector,
        Items = plan.Items.Select(Of).ToList(),
    };

    private static PlanItem Of(PlanItem item)
    {
        var copy = new PlanItem
        {
            Path = item.Path,
            Kind = item.Kind,
            Identity = item.Identity,
            FrameRate = item.FrameRate,
            Cuts = [.. item.Cuts],
            Tracks = item.Tracks.Select(t => new PlanTrack { Id = t.Id, Boxes = [.. t.Boxes] }).ToList(),
            Uncovered = [.. item.Uncovered],
            Marks = [.. item.Marks],
        };
        Restore(copy, Decisions(item));
        return copy;
    }

    public sealed record ItemDecisions(List<int> Keep, List<int> Remove, List<ManualRegion> Manual, List<FrameSpan> CoverFrames);

    public static ItemDecisions Decisions(PlanItem item) =>
        new([.. item.Keep], [.. item.Remove], item.Manual.Select(Of).ToList(), [.. item.CoverFrames]);

    /// <summary>Puts copies of <paramref name="d"/> into <paramref name="item"/> (so <paramref name="d"/> can be used again).</summary>
    public static void Restore(PlanItem item, ItemDecisions d)
    {
        item.Keep = [.. d.Keep];
        item.Remove = [.. d.Remove];
        item.Manual = d.Manual.Select(Of).ToList();
        item.CoverFrames = [.. d.CoverFrames];
    }

    private static ManualRegion Of(ManualRegion m) => new() { Id = m.Id, Start = m.Start, End = m.End, Keys = [.. m.Keys] };
}
