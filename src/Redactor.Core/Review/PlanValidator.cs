namespace Redactor.Review;

/// <summary>
/// What makes a parsed plan unusable, each named by its field path: a render must never guess what a plan meant, since
/// a guess may leave a face uncovered (a key read outside its region, a span past the end, a track both kept and removed).
/// </summary>
internal static class PlanValidator
{
    public static void Validate(ReviewPlan plan, string source)
    {
        void Fail(string path, string reason) => throw new PlanException($"{source}: {path}: {reason}");

        if (plan.Format != ReviewPlan.FormatName) Fail("format", $"not a redactor plan file (\"{plan.Format}\", not \"{ReviewPlan.FormatName}\")");
        if (plan.Version > ReviewPlan.CurrentVersion)
            throw new PlanException($"{source}: made by a newer redactor (plan version {plan.Version}; this one reads version {ReviewPlan.CurrentVersion}): use a newer redactor");
        if (plan.Version < 1) Fail("version", "must be a whole number from 1");
        if (plan.Items is null) Fail("items", "missing");
        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < plan.Items!.Count; i++)
        {
            var item = plan.Items[i];
            string at = $"items[{i}]";
            if (item is null) { Fail(at, "must be an object, not null"); continue; }
            if (string.IsNullOrWhiteSpace(item.Path)) Fail($"{at}.path", "missing");
            if (!paths.Add(item.Path)) Fail($"{at}.path", $"\"{item.Path}\" is listed twice");
            ValidateItem(item, at, Fail);
        }
    }

    private static void ValidateItem(PlanItem item, string at, Action<string, string> fail)
    {
        if (!Enum.IsDefined(item.Kind)) fail($"{at}.kind", "must be video or photo");
        var id = item.Identity;
        if (id is null) { fail($"{at}.identity", "missing"); return; }
        if (id.Bytes < 0) fail($"{at}.identity.bytes", $"{id.Bytes} is negative");
        if (!IsSha256(id.Sha256)) fail($"{at}.identity.sha256", "must be 64 lower-case hex digits (the sha256 of the whole file)");
        if (id.Width <= 0) fail($"{at}.identity.width", "must be at least 1");
        if (id.Height <= 0) fail($"{at}.identity.height", "must be at least 1");
        if (id.Frames <= 0) fail($"{at}.identity.frames", "must be at least 1");
        if (item.Kind == PlanItemKind.Photo && id.Frames != 1) fail($"{at}.identity.frames", $"a photo has 1 frame, not {id.Frames}");
        long frames = id.Frames;
        if (!double.IsFinite(item.FrameRate) || item.FrameRate < 0) fail($"{at}.frameRate", "must be a number, 0 or more");
        if (item.Kind == PlanItemKind.Video && item.FrameRate <= 0) fail($"{at}.frameRate", "a video's frame rate must be more than 0");

        void InRange(string path, long frame)
        {
            if (frame < 0) fail(path, $"frame {frame} is negative");
            if (frame >= frames) fail(path, $"frame {frame} is past the input's last frame ({frames - 1})");
        }
        void BoxOf(string path, Box box)
        {
            if (!float.IsFinite(box.X) || !float.IsFinite(box.Y)) fail(path, "x and y must be finite numbers");
            if (!float.IsFinite(box.Width) || box.Width < 0) fail(path, $"width {box.Width} must be a finite number, 0 or more");
            if (!float.IsFinite(box.Height) || box.Height < 0) fail(path, $"height {box.Height} must be a finite number, 0 or more");
        }
        void Ordered(string path, long frame, ref long previous, bool strictly)
        {
            if (frame < previous || strictly && frame == previous) fail(path, $"frame {frame} is out of order (after {previous}): the list must be in frame order");
            previous = frame;
        }
        List<T> Required<T>(List<T>? list, string path)
        {
            if (list is null) fail(path, "must be a list, not null");
            return list!;
        }

        var cuts = Required(item.Cuts, $"{at}.cuts");
        long last = long.MinValue;
        for (int c = 0; c < cuts.Count; c++)
        {
            InRange($"{at}.cuts[{c}]", cuts[c]);
            Ordered($"{at}.cuts[{c}]", cuts[c], ref last, strictly: true);
        }

        var tracks = Required(item.Tracks, $"{at}.tracks");
        var ids = new HashSet<int>();
        for (int t = 0; t < tracks.Count; t++)
        {
            string tp = $"{at}.tracks[{t}]";
            var track = tracks[t];
            if (track is null) { fail(tp, "must be an object, not null"); continue; }
            if (track.Id < 0) fail($"{tp}.id", $"{track.Id} is negative");
            if (!ids.Add(track.Id)) fail($"{tp}.id", $"track {track.Id} is listed twice");
            var boxes = Required(track.Boxes, $"{tp}.boxes");
            if (boxes.Count == 0) fail($"{tp}.boxes", "a track needs at least one box");
            last = long.MinValue;
            for (int b = 0; b < boxes.Count; b++)
                TrackBoxOf($"{tp}.boxes[{b}]", boxes[b], ref last);
        }

        void TrackBoxOf(string path, TrackBox box, ref long previous)
        {
            InRange(path, box.Frame);
            Ordered(path, box.Frame, ref previous, strictly: false);
            BoxOf(path, box.Box);
            if (!float.IsFinite(box.Score) || box.Score < 0 || box.Score > 1) fail(path, $"score {box.Score} must be between 0 and 1");
            if (box.Source is not (RegionSource.Detected or RegionSource.Interpolated or RegionSource.Extrapolated or RegionSource.Spread))
                fail(path, $"source must be detected, interpolated, extrapolated or spread");
        }

        var uncovered = Required(item.Uncovered, $"{at}.uncovered");
        last = long.MinValue;
        for (int u = 0; u < uncovered.Count; u++) TrackBoxOf($"{at}.uncovered[{u}]", uncovered[u], ref last);

        var marks = Required(item.Marks, $"{at}.marks");
        last = long.MinValue;
        for (int m = 0; m < marks.Count; m++)
        {
            InRange($"{at}.marks[{m}]", marks[m].Frame);
            Ordered($"{at}.marks[{m}]", marks[m].Frame, ref last, strictly: false);
            if (!Enum.IsDefined(marks[m].Kind)) fail($"{at}.marks[{m}]", "unknown kind");
        }

        var keep = Required(item.Keep, $"{at}.keep");
        var remove = Required(item.Remove, $"{at}.remove");
        var kept = new HashSet<int>();
        for (int k = 0; k < keep.Count; k++)
        {
            if (!ids.Contains(keep[k])) fail($"{at}.keep[{k}]", $"track {keep[k]} is not in tracks");
            if (!kept.Add(keep[k])) fail($"{at}.keep[{k}]", $"track {keep[k]} is listed twice");
        }
        var removed = new HashSet<int>();
        for (int r = 0; r < remove.Count; r++)
        {
            if (!ids.Contains(remove[r])) fail($"{at}.remove[{r}]", $"track {remove[r]} is not in tracks");
            if (!removed.Add(remove[r])) fail($"{at}.remove[{r}]", $"track {remove[r]} is listed twice");
            if (kept.Contains(remove[r])) fail($"{at}.remove[{r}]", $"track {remove[r]} is both kept and removed");
        }

        var manual = Required(item.Manual, $"{at}.manual");
        var manualIds = new HashSet<int>();
        for (int m = 0; m < manual.Count; m++)
        {
            string mp = $"{at}.manual[{m}]";
            var region = manual[m];
            if (region is null) { fail(mp, "must be an object, not null"); continue; }
            if (region.Id < 0 || region.Id > PlanRegions.MaxManualId) fail($"{mp}.id", $"{region.Id} must be 0 to {PlanRegions.MaxManualId}");
            if (!manualIds.Add(region.Id)) fail($"{mp}.id", $"manual region {region.Id} is listed twice");
            InRange($"{mp}.start", region.Start);
            InRange($"{mp}.end", region.End);
            if (region.Start > region.End) fail($"{mp}.end", $"the region ends ({region.End}) before it starts ({region.Start})");
            var keys = Required(region.Keys, $"{mp}.keys");
            if (keys.Count == 0) fail($"{mp}.keys", "a manual region needs at least one key");
            last = long.MinValue;
            for (int k = 0; k < keys.Count; k++)
            {
                string kp = $"{mp}.keys[{k}]";
                if (keys[k].Frame < region.Start || keys[k].Frame > region.End)
                    fail(kp, $"frame {keys[k].Frame} is outside the region's frames {region.Start}–{region.End}");
                if (keys[k].Frame <= last) fail(kp, $"frame {keys[k].Frame} is out of order (after {last}): keys are in frame order, at most one a frame");
                last = keys[k].Frame;
                BoxOf(kp, keys[k].Box);
            }
        }

        var spans = Required(item.CoverFrames, $"{at}.coverFrames");
        for (int s = 0; s < spans.Count; s++)
        {
            string sp = $"{at}.coverFrames[{s}]";
            InRange(sp, spans[s].Start);
            InRange(sp, spans[s].End);
            if (spans[s].Start > spans[s].End) fail(sp, $"the span ends ({spans[s].End}) before it starts ({spans[s].Start})");
        }
    }

    private static bool IsSha256(string? text) =>
        text is { Length: 64 } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
