namespace Redactor.Review;

/// <summary>
/// One review: the plan being edited, where it is saved, the pictures behind it and the default style. The server
/// applies every edit the page makes here, under one lock, and saves the plan after each (a crash or a closed tab never
/// loses more than the edit in flight). The plan object stays owned by the session while a server runs on it: read it
/// through <see cref="Snapshot"/>.
/// </summary>
public sealed class ReviewSession
{
    private readonly object gate = new();
    private readonly ReviewPlan plan;

    /// <param name="plan">Edited in place; saved to <paramref name="planPath"/> after each edit.</param>
    /// <param name="planPath">The plan file (<see cref="PlanJson.Write"/>).</param>
    /// <param name="media">The pictures and the render (the composition root's).</param>
    /// <param name="style">The style previews and exports start from (the page may choose blur, pixelate or fill; every
    /// other setting, such as the mask scale, the fill colour and the seed, comes from here).</param>
    public ReviewSession(ReviewPlan plan, string planPath, IReviewMedia media, RedactionOptions style)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrEmpty(planPath);
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(style);
        if (plan.Items.Count == 0) throw new ArgumentException("the plan has no items", nameof(plan));
        this.plan = plan;
        PlanPath = planPath;
        Media = media;
        Style = style;
    }

    public string PlanPath { get; }
    public IReviewMedia Media { get; }
    public RedactionOptions Style { get; }

    /// <summary>A copy of the plan as it is now (later edits do not change it).</summary>
    public ReviewPlan Snapshot()
    {
        lock (gate) return PlanCopy.Of(plan);
    }

    internal int ItemCount
    {
        get { lock (gate) return plan.Items.Count; }
    }

    internal string PlanJsonText()
    {
        lock (gate) return PlanJson.Serialize(plan);
    }

    /// <summary>The item's frame count, or null when <paramref name="item"/> is not one.</summary>
    internal long? Frames(int item)
    {
        lock (gate) return item >= 0 && item < plan.Items.Count ? plan.Items[item].Identity.Frames : null;
    }

    /// <summary>The regions the preview covers on one frame (computed under the lock, as the plan is now).</summary>
    internal IReadOnlyList<Region> CoveredAt(int item, long frame)
    {
        lock (gate) return PlanRegions.At(plan.Items[item], frame);
    }

    /// <summary>Applies one edit, saves the plan, and returns the item's decisions as the page shows them. The plan is left
    /// as it was when the edit is refused (<see cref="EditException"/>) or the save fails.</summary>
    internal EditOutcome Apply(PlanEdit edit)
    {
        lock (gate)
        {
            if (edit.Item < 0 || edit.Item >= plan.Items.Count) throw new EditException($"no item {edit.Item}");
            var item = plan.Items[edit.Item];
            var before = PlanCopy.Decisions(item);
            int? created;
            try
            {
                created = PlanEdits.Apply(item, edit);
            }
            catch
            {
                PlanCopy.Restore(item, before);
                throw;
            }
            try
            {
                PlanJson.Write(plan, PlanPath);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                PlanCopy.Restore(item, before);
                throw new SaveException($"the plan could not be saved to {PlanPath}: {ReviewServer.OneLine(e.Message)}");
            }
            return new EditOutcome(edit.Item, created, DecisionsJson.Write(edit.Item, item, created));
        }
    }
}

/// <summary>An edit the page asked for that the plan cannot take (its reason is shown to the person).</summary>
internal sealed class EditException(string message) : Exception(message);

/// <summary>An edit that was valid but could not be saved (the plan was left as before it).</summary>
internal sealed class SaveException(string message) : Exception(message);

internal sealed record EditOutcome(int Item, int? Created, string Json);
