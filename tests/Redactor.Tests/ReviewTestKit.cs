using System.Collections.Concurrent;
using System.Text.Json;
using OpenCvSharp;
using Redactor.Review;

namespace Redactor.Tests;

/// <summary>Hand-made plans, a fake <see cref="IReviewMedia"/> with synthetic frames, and the plan JSON the page reads,
/// for the review server's and page's tests.</summary>
internal static class ReviewTestKit
{
    /// <summary>A 960×720 video stored with wide pixels (shown 16:9, as 640×360 pictures: the page scales x by 2/3 and
    /// y by 1/2) of 120 frames at 25 fps with a cut at 60: track 1 (frames 0–59) moves right, track 2 (frames 10–50)
    /// stands still, track 3 (60–119) is after the cut; a weak detection no region covers at frame 20.</summary>
    public static ReviewPlan VideoPlan()
    {
        var item = new PlanItem
        {
            Path = "clip.mp4",
            Kind = PlanItemKind.Video,
            Identity = new MediaIdentity(123456, new string('a', 64), 960, 720, 120),
            FrameRate = 25,
            Cuts = [60],
        };
        item.Tracks.Add(Track(1, 0, 59, f => new Box(100 + 2 * f, 120, 120, 150)));
        item.Tracks.Add(Track(2, 10, 50, _ => new Box(800, 380, 110, 130)));
        item.Tracks.Add(Track(3, 60, 119, _ => new Box(500, 200, 140, 160)));
        item.Uncovered.Add(new TrackBox(20, new Box(640, 90, 40, 48), 0.31f, RegionSource.Detected));
        item.Marks.Add(new PlanMark(10, MarkKind.TrackStarts));
        item.Marks.Add(new PlanMark(20, MarkKind.Uncovered));
        item.Marks.Add(new PlanMark(51, MarkKind.TrackEnds));
        item.Marks.Add(new PlanMark(51, MarkKind.FewerFaces));
        return new ReviewPlan { MadeBy = "0.1.0", Detector = "combined", Items = [item] };
    }

    /// <summary>Three photos of 800×600 (pictures 800×600): two faces in the first, one in the second, none in the third
    /// but a weak detection.</summary>
    public static ReviewPlan PhotoPlan()
    {
        PlanItem Photo(string path, params (int Id, Box Box)[] faces)
        {
            var p = new PlanItem
            {
                Path = path,
                Kind = PlanItemKind.Photo,
                Identity = new MediaIdentity(1000, new string('b', 64), 800, 600, 1),
            };
            foreach (var (id, box) in faces) p.Tracks.Add(new PlanTrack { Id = id, Boxes = [new TrackBox(0, box, 0.9f, RegionSource.Detected)] });
            return p;
        }
        var third = Photo("c/third.jpg");
        third.Uncovered.Add(new TrackBox(0, new Box(300, 200, 60, 70), 0.3f, RegionSource.Detected));
        third.Marks.Add(new PlanMark(0, MarkKind.Uncovered));
        return new ReviewPlan
        {
            MadeBy = "0.1.0",
            Detector = "combined",
            Items = [Photo("a.jpg", (1, new Box(100, 100, 120, 150)), (2, new Box(500, 150, 100, 120))), Photo("b.jpg", (1, new Box(300, 200, 150, 180))), third],
        };
    }

    private static PlanTrack Track(int id, long first, long last, Func<long, Box> at)
    {
        var t = new PlanTrack { Id = id };
        for (long f = first; f <= last; f++) t.Boxes.Add(new TrackBox(f, at(f), 0.9f, RegionSource.Detected));
        return t;
    }

    /// <summary>Media for <see cref="VideoPlan"/> (16:9 pictures) or <see cref="PhotoPlan"/> (square pixels).</summary>
    public static FakeMedia MediaFor(ReviewPlan plan) =>
        new(plan) { DisplayAspect = plan.Items[0].Kind == PlanItemKind.Video ? 16.0 / 9 : null };

    public static ReviewSession Session(ReviewPlan plan, string planPath, IReviewMedia media, RedactionStyle style = RedactionStyle.Blur) =>
        new(plan, planPath, media, new RedactionOptions(style));

    /// <summary>The JSON without the plan file's line breaks and indents (numbers as written).</summary>
    public static string Compact(this JsonElement e) => JsonSerializer.Serialize(e);

    /// <summary>Reads a saved plan file's item for the assertions (the JSON, not the server's objects).</summary>
    public static JsonElement SavedItem(string planPath, int item = 0)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(planPath));
        return doc.RootElement.GetProperty("items")[item].Clone();
    }

    /// <summary>Waits for <paramref name="condition"/> on the saved plan (the page saves through the server, which
    /// answers after the file is written, but the test only sees the page); the plan is written whole and renamed into
    /// place, so a read never sees half of one (but may find it locked for a moment).</summary>
    public static async Task<JsonElement> WaitForSaved(string planPath, Func<JsonElement, bool> condition, int item = 0)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        JsonElement last = default;
        while (DateTime.UtcNow < until)
        {
            if (File.Exists(planPath))
            {
                try
                {
                    last = SavedItem(planPath, item);
                    if (condition(last))
                    {
                        // What was saved is a plan `redact --plan` takes (PlanJson.Read validates it).
                        PlanJson.Read(planPath);
                        return last;
                    }
                }
                catch (Exception e) when (e is IOException || e is PlanException && e.Message.Contains("cannot be read"))
                {
                    // The page's next edit is being written: the new file is renamed into place while its writer still
                    // holds it locked (.NET's emulated FileShare). Read again.
                }
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"the saved plan never met the condition; last item: {last}");
    }
}

/// <summary>Synthetic pictures: each frame a flat colour with its number written large and a grey oval on each track box;
/// the preview paints the given regions solid magenta. Counts every call.</summary>
internal sealed class FakeMedia(ReviewPlan plan) : IReviewMedia
{
    public ConcurrentQueue<(int Item, long Frame)> FrameCalls { get; } = new();
    public ConcurrentQueue<(int Item, long Frame, IReadOnlyList<Region> Regions, RedactionOptions Style)> PreviewCalls { get; } = new();
    public ConcurrentQueue<(ReviewPlan Plan, RedactionOptions Style)> Exports { get; } = new();

    /// <summary>When set, an export waits for it before finishing (tests look at a running export).</summary>
    public TaskCompletionSource? ExportGate { get; set; }

    public Exception? FrameFailure { get; set; }

    /// <summary>Frames from this one on wait for <see cref="Release"/> (a slow cache, for a test that steps meanwhile).</summary>
    public long? HoldFrom { get; set; }
    public ManualResetEventSlim Release { get; } = new(false);

    /// <summary>A real picture to show behind the boxes instead of the flat colour (scaled to the picture size), moved
    /// left by <see cref="PanPerFrame"/> picture pixels a frame.</summary>
    public string? Backdrop { get; init; }
    public double PanPerFrame { get; init; }

    /// <summary>How much larger than the picture the backdrop is scaled (room to pan).</summary>
    public double BackdropMargin { get; init; } = 1.25;

    /// <summary>Width over height of the pictures when the stored pixels are not square (null: square).</summary>
    public double? DisplayAspect { get; init; }

    /// <summary>Pictures of a video are this share of the stored height (as the lead's cache shrinks large frames); a
    /// photo's are its full size.</summary>
    public double VideoScale { get; init; } = 0.5;

    /// <summary>A folder of the video's frames as ffmpeg writes them (<c>%04d.png</c>, the first frame 0001), shown
    /// instead of the synthetic pictures.</summary>
    public string? FramesDir { get; init; }

    public (int Width, int Height) PictureSize(int item)
    {
        var id = plan.Items[item].Identity;
        int h = plan.Items[item].Kind == PlanItemKind.Video ? (int)Math.Round(id.Height * VideoScale) : id.Height;
        int w = DisplayAspect is double a ? (int)Math.Round(h * a) : id.Width * h / id.Height;
        return (w, h);
    }

    public byte[] FrameJpeg(int item, long frame, CancellationToken ct)
    {
        if (FrameFailure is { } e) throw e;
        FrameCalls.Enqueue((item, frame));
        if (frame >= HoldFrom) Release.Wait(TimeSpan.FromSeconds(20), ct);
        using var picture = Picture(item, frame);
        return Encode(picture);
    }

    public byte[] PreviewJpeg(int item, long frame, IReadOnlyList<Region> regions, RedactionOptions style, CancellationToken ct)
    {
        PreviewCalls.Enqueue((item, frame, regions, style));
        using var picture = Picture(item, frame);
        var (sx, sy) = Scale(item);
        foreach (var r in regions)
            Cv2.Rectangle(picture, new Rect((int)(r.Box.X * sx), (int)(r.Box.Y * sy), (int)(r.Box.Width * sx), (int)(r.Box.Height * sy)),
                new Scalar(255, 0, 255), -1);
        return Encode(picture);
    }

    public ExportResult Export(ReviewPlan snapshot, RedactionOptions style, IProgress<double> progress, CancellationToken ct)
    {
        Exports.Enqueue((snapshot, style));
        progress.Report(0.5);
        ExportGate?.Task.Wait(ct);
        progress.Report(1);
        var item = snapshot.Items[0];
        return new ExportResult(
            [$"/tmp/out/{Path.GetFileNameWithoutExtension(item.Path)}.redacted{Path.GetExtension(item.Path)}"],
            [$"{item.Path}: {item.Keep.Count} kept, {item.Remove.Count} removed, {item.Manual.Count} drawn, {item.CoverFrames.Count} spans covered"]);
    }

    private (double X, double Y) Scale(int item)
    {
        var (w, h) = PictureSize(item);
        var id = plan.Items[item].Identity;
        return ((double)w / id.Width, (double)h / id.Height);
    }

    private Mat Picture(int item, long frame)
    {
        var (w, h) = PictureSize(item);
        var (sx, sy) = Scale(item);
        Mat picture;
        if (FramesDir is not null)
        {
            using var source = Cv2.ImRead(Path.Combine(FramesDir, $"{frame + 1:D4}.png"));
            picture = new Mat();
            Cv2.Resize(source, picture, new Size(w, h), 0, 0, InterpolationFlags.Area);
        }
        else if (Backdrop is not null)
        {
            using var source = Cv2.ImRead(Backdrop);
            var (zoom, x, y) = BackdropPlace(item, frame, source.Width, source.Height);
            using var big = new Mat();
            Cv2.Resize(source, big, new Size((int)Math.Round(source.Width * zoom), (int)Math.Round(source.Height * zoom)), 0, 0, InterpolationFlags.Cubic);
            using var crop = new Mat(big, new Rect(x, y, w, h));
            picture = crop.Clone();
        }
        else
        {
            picture = new Mat(h, w, MatType.CV_8UC3, new Scalar(60 + 40 * item, 90, 120));
            Cv2.PutText(picture, $"{item}/{frame}", new Point(20, h - 30), HersheyFonts.HersheySimplex, 2.0, new Scalar(230, 230, 230), 3);
            foreach (var b in plan.Items[item].Tracks.SelectMany(t => t.Boxes).Where(b => b.Frame == frame))
                Cv2.Ellipse(picture, new RotatedRect(new Point2f((float)(b.Box.CenterX * sx), (float)(b.Box.CenterY * sy)),
                    new Size2f(b.Box.Width * sx, b.Box.Height * sy), 0), new Scalar(170, 180, 190), -1);
        }
        return picture;
    }

    /// <summary>Where the picture of <paramref name="frame"/> lies in the backdrop: the backdrop is scaled by
    /// <c>Zoom</c> (<see cref="BackdropMargin"/> larger than the picture), and the picture is its window at (X, Y), moving right with the
    /// frames.</summary>
    public (double Zoom, int X, int Y) BackdropPlace(int item, long frame, int sourceWidth, int sourceHeight)
    {
        var (w, h) = PictureSize(item);
        double zoom = Math.Max((double)w / sourceWidth, (double)h / sourceHeight) * BackdropMargin;
        int bigW = (int)Math.Round(sourceWidth * zoom), bigH = (int)Math.Round(sourceHeight * zoom);
        return (zoom, (int)Math.Clamp(frame * PanPerFrame, 0, bigW - w), (bigH - h) / 2);
    }

    private static byte[] Encode(Mat picture)
    {
        Cv2.ImEncode(".jpg", picture, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 85));
        return jpeg;
    }
}
