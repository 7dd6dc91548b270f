using System.Text.Json;

namespace Redactor.Review;

internal enum EditOp
{
    Keep, Unkeep, Remove, Unremove,
    AddManual, SetKey, DeleteKey, SetStart, SetEnd, DeleteManual,
    AddCover, DeleteCover,
}

/// <summary>One edit as the page posts it to <c>api/edit</c>: <c>{"op": "keep", "item": 0, "track": 3}</c>. Boxes are
/// <c>[x, y, width, height]</c> in the item's stored pixels, as in the plan.</summary>
internal sealed record PlanEdit(EditOp Op, int Item)
{
    public int? Track { get; init; }
    public int? Region { get; init; }
    public long? Frame { get; init; }
    public Box? Box { get; init; }
    public long? Start { get; init; }
    public long? End { get; init; }

    private static readonly Dictionary<string, EditOp> Ops = Enum.GetValues<EditOp>()
        .ToDictionary(o => JsonNamingPolicy.CamelCase.ConvertName(o.ToString()), StringComparer.Ordinal);

    /// <summary>Reads an edit; any shape it does not expect is an <see cref="EditException"/> naming the field.</summary>
    public static PlanEdit Parse(byte[] json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw new EditException("the edit is not valid JSON");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new EditException("the edit must be a JSON object");
            string opName = root.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "";
            if (!Ops.TryGetValue(opName, out var op)) throw new EditException($"unknown edit 'op': '{Clip(opName)}'");
            int item = (int)(Integer(root, "item", int.MaxValue) ?? throw new EditException("'item' is missing"));
            return new PlanEdit(op, item)
            {
                Track = (int?)Integer(root, "track", int.MaxValue),
                Region = (int?)Integer(root, "region", int.MaxValue),
                Frame = Integer(root, "frame", long.MaxValue),
                Start = Integer(root, "start", long.MaxValue),
                End = Integer(root, "end", long.MaxValue),
                Box = BoxOf(root),
            };
        }
    }

    private static long? Integer(JsonElement root, string name, long max)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n) || n < 0 || n > max)
            throw new EditException($"'{name}' must be a whole number from 0");
        return n;
    }

    private static Box? BoxOf(JsonElement root)
    {
        if (!root.TryGetProperty("box", out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 4)
            throw new EditException("'box' must be [x, y, width, height]");
        var n = new float[4];
        for (int i = 0; i < 4; i++)
        {
            var e = v[i];
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double d) || !double.IsFinite(d) || Math.Abs(d) > 1e6)
                throw new EditException("'box' must be [x, y, width, height] in pixels");
            n[i] = (float)d;
        }
        return new Box(n[0], n[1], n[2], n[3]);
    }

    internal static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>The rules of each edit (the caller holds the session's lock and undoes a refused edit).</summary>
internal static class PlanEdits
{
    /// <summary>Smallest side of a drawn box, stored pixels: smaller is a slip of the mouse, not a region.</summary>
    public const float MinSide = 2f;

    /// <summary>Applies <paramref name="edit"/> to <paramref name="item"/>; returns the id of a region it created.</summary>
    public static int? Apply(PlanItem item, PlanEdit edit)
    {
        switch (edit.Op)
        {
            case EditOp.Keep:
            {
                int id = KnownTrack(item, edit);
                item.Remove.Remove(id);
                if (!item.Keep.Contains(id)) item.Keep.Add(id);
                item.Keep.Sort();
                return null;
            }
            case EditOp.Unkeep:
                item.Keep.Remove(KnownTrack(item, edit));
                return null;
            case EditOp.Remove:
            {
                int id = KnownTrack(item, edit);
                item.Keep.Remove(id);
                if (!item.Remove.Contains(id)) item.Remove.Add(id);
                item.Remove.Sort();
                return null;
            }
            case EditOp.Unremove:
                item.Remove.Remove(KnownTrack(item, edit));
                return null;
            case EditOp.AddManual:
            {
                long frame = FrameOf(item, edit.Frame, "frame");
                var box = Drawn(item, edit);
                long start = edit.Start is null ? frame : FrameOf(item, edit.Start, "start");
                long end = edit.End is null ? ShotEnd(item, frame) : FrameOf(item, edit.End, "end");
                if (start > frame || end < frame) throw new EditException("the region's frames must include the frame it is drawn on");
                int id = item.Manual.Count == 0 ? 1 : item.Manual.Max(m => m.Id) + 1;
                if (id <= 0 || id > PlanRegions.MaxManualId) throw new EditException("no more regions can be numbered in this item");
                item.Manual.Add(new ManualRegion { Id = id, Start = start, End = end, Keys = [new KeyBox(frame, box)] });
                return id;
            }
            case EditOp.SetKey:
            {
                var region = KnownRegion(item, edit);
                long frame = FrameOf(item, edit.Frame, "frame");
                var box = Drawn(item, edit);
                region.Keys.RemoveAll(k => k.Frame == frame);
                region.Keys.Add(new KeyBox(frame, box));
                region.Keys.Sort((a, b) => a.Frame.CompareTo(b.Frame));
                region.Start = Math.Min(region.Start, frame);
                region.End = Math.Max(region.End, frame);
                return null;
            }
            case EditOp.DeleteKey:
            {
                var region = KnownRegion(item, edit);
                long frame = FrameOf(item, edit.Frame, "frame");
                int at = region.Keys.FindIndex(k => k.Frame == frame);
                if (at < 0) throw new EditException($"region {region.Id} has no box set on frame {frame}");
                if (region.Keys.Count == 1) throw new EditException("a region keeps at least one box: delete the region instead");
                region.Keys.RemoveAt(at);
                return null;
            }
            case EditOp.SetStart:
            {
                var region = KnownRegion(item, edit);
                long frame = FrameOf(item, edit.Frame, "frame");
                if (frame > region.End) throw new EditException($"the start cannot be after the end (frame {region.End})");
                CutKeys(item, region, frame, before: true);
                region.Start = frame;
                return null;
            }
            case EditOp.SetEnd:
            {
                var region = KnownRegion(item, edit);
                long frame = FrameOf(item, edit.Frame, "frame");
                if (frame < region.Start) throw new EditException($"the end cannot be before the start (frame {region.Start})");
                CutKeys(item, region, frame, before: false);
                region.End = frame;
                return null;
            }
            case EditOp.DeleteManual:
                item.Manual.Remove(KnownRegion(item, edit));
                return null;
            case EditOp.AddCover:
            {
                long start = FrameOf(item, edit.Start, "start"), end = FrameOf(item, edit.End, "end");
                if (end < start) throw new EditException("the span's end is before its start");
                AddSpan(item.CoverFrames, new FrameSpan(start, end));
                return null;
            }
            case EditOp.DeleteCover:
            {
                long start = FrameOf(item, edit.Start, "start"), end = FrameOf(item, edit.End, "end");
                if (item.CoverFrames.RemoveAll(s => s.Start == start && s.End == end) == 0)
                    throw new EditException($"no span {start}–{end} is covered");
                return null;
            }
            default:
                throw new EditException("unknown edit");
        }
    }

    /// <summary>Keys must lie within the region's frames (a plan file with one outside is refused): the keys beyond a new
    /// start (<paramref name="before"/>) or end are replaced by one key on it with the box the region had there, so the
    /// frames still covered keep the very boxes they had.</summary>
    private static void CutKeys(PlanItem item, ManualRegion region, long frame, bool before)
    {
        if (!region.Keys.Any(k => before ? k.Frame < frame : k.Frame > frame)) return;
        var unbounded = new ManualRegion { Start = long.MinValue, End = long.MaxValue, Keys = region.Keys };
        var box = PlanRegions.ManualBoxAt(unbounded, frame, item.Cuts)!.Value;
        region.Keys.RemoveAll(k => before ? k.Frame <= frame : k.Frame >= frame);
        region.Keys.Insert(before ? 0 : region.Keys.Count, new KeyBox(frame, box));
    }

    /// <summary>The last frame of the shot holding <paramref name="frame"/>: the frame before the next cut, or the last.</summary>
    public static long ShotEnd(PlanItem item, long frame)
    {
        long end = item.Identity.Frames - 1;
        foreach (long cut in item.Cuts)
            if (cut > frame && cut - 1 < end) end = cut - 1;
        return end;
    }

    /// <summary>Spans are kept sorted, and overlapping or touching ones merged (the page lists them as the render sees them).</summary>
    private static void AddSpan(List<FrameSpan> spans, FrameSpan add)
    {
        long s = add.Start, e = add.End;
        bool merged;
        do
        {
            merged = false;
            for (int i = 0; i < spans.Count; i++)
            {
                var x = spans[i];
                if (x.End + 1 < s || x.Start > e + 1) continue;
                s = Math.Min(s, x.Start);
                e = Math.Max(e, x.End);
                spans.RemoveAt(i);
                merged = true;
                break;
            }
        } while (merged);
        spans.Add(new FrameSpan(s, e));
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
    }

    private static int KnownTrack(PlanItem item, PlanEdit edit)
    {
        int id = edit.Track ?? throw new EditException("'track' is missing");
        if (!item.Tracks.Any(t => t.Id == id)) throw new EditException($"no track {id} in this item");
        return id;
    }

    private static ManualRegion KnownRegion(PlanItem item, PlanEdit edit)
    {
        int id = edit.Region ?? throw new EditException("'region' is missing");
        return item.Manual.Find(m => m.Id == id) ?? throw new EditException($"no manual region {id} in this item");
    }

    private static long FrameOf(PlanItem item, long? frame, string name)
    {
        long f = frame ?? throw new EditException($"'{name}' is missing");
        if (f >= item.Identity.Frames)
            throw new EditException($"'{name}' {f} is past the last frame ({item.Identity.Frames - 1})");
        return f;
    }

    /// <summary>The drawn box clipped to the picture, in stored pixels rounded as the plan file stores them.</summary>
    private static Box Drawn(PlanItem item, PlanEdit edit)
    {
        var b = edit.Box ?? throw new EditException("'box' is missing");
        if (b.Width <= 0 || b.Height <= 0) throw new EditException("the box has no area");
        float x0 = Math.Max(0, b.X), y0 = Math.Max(0, b.Y);
        float x1 = Math.Min(item.Identity.Width, b.Right), y1 = Math.Min(item.Identity.Height, b.Bottom);
        if (x1 - x0 < MinSide || y1 - y0 < MinSide)
            throw new EditException($"the box must be at least {MinSide:0} pixels wide and high inside the picture");
        return new Box(Round(x0), Round(y0), Round(x1 - x0), Round(y1 - y0));
    }

    private static float Round(float v) => (float)Math.Round(v, 2, MidpointRounding.AwayFromZero);
}
