using System.Globalization;

namespace Redactor.Review;

/// <summary>A plan item's decisions in words, printed after a render from it and shown by the review page's Export: what
/// was left visible and why, and what was covered beyond what the detector found.</summary>
public static class PlanSummary
{
    /// <summary>One line a decision: kept tracks, removed tracks, regions drawn by hand, frames covered whole, e.g.
    /// "kept visible by consent: track 3, frames 12–340 (0:00.40–0:11.33)". None when the plan changed nothing.</summary>
    public static IReadOnlyList<string> Lines(PlanItem item)
    {
        var lines = new List<string>();
        var tracks = item.Tracks.ToDictionary(t => t.Id);
        foreach (var id in item.Keep)
            lines.Add($"kept visible by consent: track {id}{Frames(item, tracks[id].Boxes[0].Frame, tracks[id].Boxes[^1].Frame)}");
        foreach (var id in item.Remove)
            lines.Add($"removed as not a face: track {id}{Frames(item, tracks[id].Boxes[0].Frame, tracks[id].Boxes[^1].Frame)}");
        foreach (var m in item.Manual)
            lines.Add($"covered as drawn by hand: region {m.Id}{Frames(item, m.Start, m.End)}");
        foreach (var s in item.CoverFrames)
            lines.Add(item.Kind == PlanItemKind.Photo ? "covered whole" : $"covered whole:{Frames(item, s.Start, s.End)[1..]}");
        return lines;
    }

    /// <summary>", frames 12–340 (0:00.40–0:11.33)", ", frame 12 (0:00.40)"; nothing for a photo.</summary>
    private static string Frames(PlanItem item, long start, long end)
    {
        if (item.Kind == PlanItemKind.Photo) return "";
        if (item.FrameRate <= 0) return start == end ? $", frame {start}" : $", frames {start}–{end}";
        return start == end
            ? $", frame {start} ({Time(start / item.FrameRate)})"
            : $", frames {start}–{end} ({Time(start / item.FrameRate)}–{Time(end / item.FrameRate)})";
    }

    /// <summary>Minutes, seconds and hundredths (0:11.33), hours first from an hour (1:02:03.40).</summary>
    public static string Time(double seconds)
    {
        long hundredths = (long)Math.Round(Math.Max(0, seconds) * 100);
        long h = hundredths / 360000, m = hundredths / 6000 % 60, s = hundredths / 100 % 60, cs = hundredths % 100;
        return h > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{h}:{m:00}:{s:00}.{cs:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{m}:{s:00}.{cs:00}");
    }
}
