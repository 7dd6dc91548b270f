namespace Redactor.Review;

/// <summary>Reads and writes plan files. Errors are <see cref="PlanException"/>s whose message names the field
/// (JSON path such as <c>items[0].manual[2].keys</c>).</summary>
public static class PlanJson
{
    public static ReviewPlan Read(string path) => throw new NotImplementedException();

    /// <summary>Written beside and renamed into place (a crash never leaves half a plan).</summary>
    public static void Write(ReviewPlan plan, string path) => throw new NotImplementedException();

    /// <summary>The JSON text, as saved (also what the review page is sent).</summary>
    public static string Serialize(ReviewPlan plan) => throw new NotImplementedException();

    public static ReviewPlan Deserialize(string json, string source) => throw new NotImplementedException();
}

/// <summary>A plan that cannot be used: malformed, or made for another input.</summary>
public sealed class PlanException(string message) : Exception(message);

/// <summary>The regions a plan covers.</summary>
public static class PlanRegions
{
    /// <summary>What frame <paramref name="frame"/> of <paramref name="item"/> gets covered: the tracks' boxes except kept and
    /// removed ones, manual regions (<see cref="RegionSource.Manual"/>), and a <see cref="RegionSource.WholeFrame"/> region
    /// when a cover span holds the frame.</summary>
    public static IReadOnlyList<Region> At(PlanItem item, long frame) => throw new NotImplementedException();

    /// <summary>Every frame's regions in order, for the render pass (frames 0 .. Identity.Frames - 1).</summary>
    public static IEnumerable<IReadOnlyList<Region>> All(PlanItem item) => throw new NotImplementedException();
}
