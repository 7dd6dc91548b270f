using CommandLine;
using OpenCvSharp;
using Redactor.Cli;
using Redactor.Review;
using Xunit;

namespace Redactor.Tests;

/// <summary>
/// <c>redact INPUT --plan PLAN.json</c> end to end: small generated clips and photos whose plans are written here, so the
/// boxes are known exactly; the renders are checked by their pixels. No model is needed (the runs point the model store
/// at an empty folder).
/// </summary>
public class PlanRenderTests
{
    private const int W = 320, H = 240;

    /// <summary>A white patch at (40, 40, 40, 40) and a green one at (200, 120, 50, 50) on grey, 10 frames a second.</summary>
    private static string Clip(string dir, string name = "clip.mp4", int seconds = 3, string grey = "0x404040") =>
        SourceBytesTests.Make(dir, name, "-f", "lavfi", "-i", $"color=c={grey}:size={W}x{H}:rate=10:duration={seconds}",
            "-vf", "drawbox=x=40:y=40:w=40:h=40:color=white:t=fill,drawbox=x=200:y=120:w=50:h=50:color=0x00ff00:t=fill",
            "-c:v", "libx264", "-pix_fmt", "yuv420p");

    private static long FramesOf(string video) =>
        long.Parse(SourceBytesTests.Streams(video).Single(s => s.GetProperty("codec_type").GetString() == "video").GetProperty("nb_read_frames").GetString()!);

    private static PlanItem VideoItem(string video) => new()
    {
        Path = Path.GetFileName(video),
        Kind = PlanItemKind.Video,
        Identity = PlanBuilder.Identify(video, W, H, FramesOf(video)),
        FrameRate = 10,
    };

    private static string WritePlan(string dir, params PlanItem[] items)
    {
        var path = Path.Combine(dir, "plan.json");
        PlanJson.Write(new ReviewPlan { MadeBy = "test", Detector = "none", Items = [.. items] }, path);
        return path;
    }

    private static string NoModels(string dir) => Directory.CreateDirectory(Path.Combine(dir, "no-models")).FullName;

    private static (int Exit, string Out, string Err) Render(string input, string plan, string output, params string[] more) =>
        Cli.Run(["redact", input, "--plan", plan, "-o", output, "--style", "fill", "--color", "ff00ff", "--models", NoModels(Path.GetDirectoryName(plan)!), .. more]);

    /// <summary>Every frame of a video as RGB bytes.</summary>
    private static List<byte[]> Decode(string video)
    {
        var raw = Path.Combine(Path.GetDirectoryName(video)!, Path.GetFileNameWithoutExtension(video) + ".rgb");
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var bytes = File.ReadAllBytes(raw);
        return Enumerable.Range(0, bytes.Length / (W * H * 3)).Select(i => bytes.AsSpan(i * W * H * 3, W * H * 3).ToArray()).ToList();
    }

    /// <summary>Share of the pixels of a box (3 px in from its edges: the encoder's chroma blurs them) that are magenta.</summary>
    private static double Magenta(byte[] rgb, Box box)
    {
        int all = 0, magenta = 0;
        for (int y = (int)box.Y + 3; y < (int)box.Bottom - 3; y++)
            for (int x = (int)box.X + 3; x < (int)box.Right - 3; x++)
            {
                int p = (y * W + x) * 3;
                all++;
                if (rgb[p] > 215 && rgb[p + 1] < 40 && rgb[p + 2] > 215) magenta++;
            }
        return (double)magenta / all;
    }

    /// <summary>Mean absolute difference of two frames' pixels inside a box.</summary>
    private static double Difference(byte[] a, byte[] b, Box box)
    {
        long sum = 0, n = 0;
        for (int y = (int)box.Y; y < (int)box.Bottom; y++)
            for (int x = (int)box.X; x < (int)box.Right; x++)
                for (int c = 0; c < 3; c++, n++) sum += Math.Abs(a[(y * W + x) * 3 + c] - b[(y * W + x) * 3 + c]);
        return (double)sum / n;
    }

    [Fact]
    public void A_manual_region_is_covered_where_its_keys_put_it_from_start_to_end_and_whole_frames_in_their_span()
    {
        var dir = TestPaths.NewTempDir();
        var clip = Clip(dir);
        var item = VideoItem(clip);
        Assert.Equal(30, item.Identity.Frames);
        // Over the white patch, which no detector is asked about: moving right from frame 5 to 15, held to frame 20.
        var region = new ManualRegion { Id = 0, Start = 3, End = 20, Keys = [new(5, new Box(30, 30, 60, 60)), new(15, new Box(130, 40, 40, 50))] };
        item.Manual.Add(region);
        item.CoverFrames.Add(new FrameSpan(25, 27));
        var output = Path.Combine(dir, "out.mp4");
        var (exit, stdout, stderr) = Render(clip, WritePlan(dir, item), output);
        Assert.True(exit == 0, stderr);
        Assert.Contains("30 frames, 21 regions covered from the plan", stdout);
        Assert.Contains("  covered as drawn by hand: region 0, frames 3–20 (0:00.30–0:02.00)", stdout);
        Assert.Contains("  covered whole: frames 25–27 (0:02.50–0:02.70)", stdout);

        var frames = Decode(output);
        Assert.Equal(30, frames.Count);
        for (int f = 0; f < 30; f++)
        {
            var expected = PlanRegions.ManualBoxAt(region, f);
            if (f is >= 25 and <= 27)
            {
                Assert.True(Magenta(frames[f], new Box(0, 0, W, H)) > 0.99, $"frame {f} is not covered whole");
                continue;
            }
            Assert.True(Magenta(frames[f], new Box(0, 0, W, H)) < 0.2, $"frame {f} is covered whole");
            if (expected is { } box) Assert.True(Magenta(frames[f], box) > 0.99, $"frame {f}: the manual region at {box} is not covered");
            // Outside start..end the patch shows: white, where the region would have been held.
            else Assert.True(Magenta(frames[f], region.Keys[0].Box) == 0 && frames[f][(60 * W + 60) * 3] > 200, $"frame {f} is covered outside start..end");
        }
        // Interpolated, not held: halfway between the keys the region has moved halfway.
        Assert.Equal(new Box(80, 35, 50, 55), PlanRegions.ManualBoxAt(region, 10));
        Assert.True(Magenta(frames[10], new Box(80, 35, 50, 55)) > 0.99);
        Assert.True(Magenta(frames[10], new Box(30, 30, 45, 60)) < 0.5);
    }

    [Fact]
    public void A_kept_track_shows_as_a_plain_render_shows_it_and_the_others_are_covered()
    {
        var dir = TestPaths.NewTempDir();
        var clip = Clip(dir);
        Box white = new(40, 40, 40, 40), green = new(200, 120, 50, 50);
        var item = VideoItem(clip);
        var plain = Path.Combine(dir, "plain.mp4");
        Assert.Equal(0, Render(clip, WritePlan(dir, item), plain).Exit);
        TrackBox At(long f, Box b) => new(f, b, 0.9f, RegionSource.Detected);
        item.Tracks =
        [
            new PlanTrack { Id = 1, Boxes = [.. Enumerable.Range(0, 30).Select(f => At(f, white))] },
            new PlanTrack { Id = 2, Boxes = [.. Enumerable.Range(0, 30).Select(f => At(f, green))] },
        ];
        var covered = Path.Combine(dir, "covered.mp4");
        Assert.Equal(0, Render(clip, WritePlan(dir, item), covered).Exit);
        item.Keep = [1];
        var kept = Path.Combine(dir, "kept.mp4");
        var (exit, stdout, stderr) = Render(clip, WritePlan(dir, item), kept);
        Assert.True(exit == 0, stderr);
        Assert.Contains("  kept visible by consent: track 1, frames 0–29 (0:00.00–0:02.90)", stdout);

        var (p, c, k) = (Decode(plain), Decode(covered), Decode(kept));
        for (int f = 0; f < 30; f++)
        {
            // Track boxes are faces: covered grown by the mask, like any detection.
            Assert.True(Magenta(c[f], white.Scale(1.1f)) > 0.99, $"frame {f}: track 1 not covered without keep");
            Assert.True(Magenta(k[f], green.Scale(1.1f)) > 0.99, $"frame {f}: track 2 not covered");
            Assert.Equal(0, Magenta(k[f], white.Scale(1.5f)));
            Assert.True(Difference(k[f], p[f], white.Scale(1.5f)) < 2, $"frame {f}: the kept track differs from a plain render");
        }
    }

    [Fact]
    public void A_plan_for_another_file_is_refused_before_any_work()
    {
        var dir = TestPaths.NewTempDir();
        var clip = Clip(dir);
        var other = Clip(dir, "other.mp4", grey: "0x505050");
        var plan = WritePlan(dir, VideoItem(clip));
        var output = Path.Combine(dir, "out.mp4");
        var (exit, stdout, stderr) = Render(other, plan, output);
        Assert.Equal(1, exit);
        Assert.Contains($"error: {other}: the plan {plan} was made for another file (clip.mp4, 30 frames, sha256 ", stderr);
        Assert.Equal("", stdout);
        Assert.False(File.Exists(output));

        // The same length but other bytes: the sha256 decides.
        var item = VideoItem(clip);
        var bytes = File.ReadAllBytes(clip);
        bytes[^1] ^= 0x55;
        var changed = Path.Combine(dir, "changed.mp4");
        File.WriteAllBytes(changed, bytes);
        (exit, _, stderr) = Render(changed, WritePlan(dir, item), output);
        Assert.Equal(1, exit);
        Assert.Contains("was made for another file", stderr);
        Assert.False(File.Exists(output));
        Assert.Equal(["changed.mp4", "clip.mp4", "no-models", "other.mp4", "plan.json"],
            Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_malformed_plan_fails_naming_its_field()
    {
        var dir = TestPaths.NewTempDir();
        var clip = Clip(dir, seconds: 1);
        var item = VideoItem(clip);
        item.Manual.Add(new ManualRegion { Id = 2, Start = 1, End = 5 });
        var output = Path.Combine(dir, "out.mp4");
        var (exit, _, stderr) = Render(clip, WritePlan(dir, item), output);
        Assert.Equal(1, exit);
        Assert.Contains($"error: {Path.Combine(dir, "plan.json")}: items[0].manual[0].keys: a manual region needs at least one key", stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Detection_options_with_a_plan_are_a_usage_error()
    {
        var dir = TestPaths.NewTempDir();
        var plan = Path.Combine(dir, "plan.json");
        File.WriteAllText(plan, "{}");
        var (exit, _, stderr) = Cli.Run("redact", Path.Combine(dir, "a.mp4"), "--plan", plan, "--threshold", "0.3", "--no-track", "--detector=yunet");
        Assert.Equal(2, exit);
        Assert.Contains("error: --detector, --threshold, --no-track: not with --plan", stderr);
        (exit, _, stderr) = Cli.Run("redact", Path.Combine(dir, "a.mp4"), Path.Combine(dir, "b.mp4"), "--plan", plan);
        Assert.Equal(2, exit);
        Assert.Contains("--plan renders one input", stderr);
    }

    private static string Photo(string dir, string name, string colour)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, name))!);
        return SourceBytesTests.Make(dir, name, "-f", "lavfi", "-i", $"testsrc2=size={W}x{H}", "-vf", $"drawbox=x=10:y=10:w=30:h=30:color={colour}:t=fill", "-frames:v", "1");
    }

    private static PlanItem PhotoItem(string root, string photo) => new()
    {
        Path = Path.GetRelativePath(root, photo).Replace('\\', '/'),
        Kind = PlanItemKind.Photo,
        Identity = PlanBuilder.Identify(photo, W, H, 1),
    };

    [Fact]
    public void A_folder_of_photos_is_rendered_item_by_item_and_a_photo_the_plan_does_not_list_fails()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "in");
        string a = Photo(input, "a.png", "red"), b = Photo(input, "sub/b.png", "blue"), c = Photo(input, "c.png", "yellow");
        var itemA = PhotoItem(input, a);
        Box drawn = new(100.5f, 50, 61, 40.25f);
        itemA.Manual.Add(new ManualRegion { Id = 0, Start = 0, End = 0, Keys = [new(0, drawn)] });
        var itemB = PhotoItem(input, b);
        Box face = new(150, 100, 30, 36), consenting = new(20, 150, 30, 36), notAFace = new(250, 20, 30, 36);
        itemB.Tracks =
        [
            new PlanTrack { Id = 1, Boxes = [new(0, face, 0.9f, RegionSource.Detected)] },
            new PlanTrack { Id = 2, Boxes = [new(0, consenting, 0.9f, RegionSource.Detected)] },
            new PlanTrack { Id = 3, Boxes = [new(0, notAFace, 0.3f, RegionSource.Detected)] },
        ];
        itemB.Keep = [2];
        itemB.Remove = [3];
        var gone = new PlanItem { Path = "gone.png", Kind = PlanItemKind.Photo, Identity = itemA.Identity with { Bytes = 5 } };
        var plan = WritePlan(dir, itemA, itemB, gone);
        var output = Path.Combine(dir, "out");

        var (exit, stdout, stderr) = Cli.Run("redact", input, "--plan", plan, "-o", output, "--style", "fill", "--color", "ff00ff", "--shape", "box", "--models", NoModels(dir));
        Assert.Equal(1, exit);
        Assert.Contains($"warning: {plan}: gone.png is in the plan but not in {input}", stderr);
        Assert.Contains($"error: {c}: not in the plan {plan} (it was not reviewed)", stderr);
        Assert.Contains("  covered as drawn by hand: region 0", stdout);
        Assert.Contains("  kept visible by consent: track 2", stdout);
        Assert.Contains("  removed as not a face: track 3", stdout);
        Assert.Contains("2 redacted, 1 failed", stdout);
        Assert.False(File.Exists(Path.Combine(output, "c.png")));

        // PNG keeps every pixel: the drawn box is magenta to the pixel, and nothing else changed.
        using (Mat before = Cv2.ImRead(a), after = Cv2.ImRead(Path.Combine(output, "a.png")))
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    bool inside = x + 1 > drawn.X && x < drawn.Right && y + 1 > drawn.Y && y < drawn.Bottom;
                    var p = after.At<Vec3b>(y, x);
                    if (inside) Assert.Equal(new Vec3b(255, 0, 255), p);
                    else Assert.Equal(before.At<Vec3b>(y, x), p);
                }
        var mask = new RedactionOptions(RedactionStyle.Fill, MaskShape.Box).MaskFor(face);
        using (Mat before = Cv2.ImRead(b), after = Cv2.ImRead(Path.Combine(output, "sub", "b.png")))
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    bool inside = x + 1 > mask.X && x < mask.Right && y + 1 > mask.Y && y < mask.Bottom;
                    if (inside) Assert.Equal(new Vec3b(255, 0, 255), after.At<Vec3b>(y, x));
                    else Assert.Equal(before.At<Vec3b>(y, x), after.At<Vec3b>(y, x));
                }
    }

    [Fact]
    public void A_single_photo_takes_a_plan_of_one_item_and_refuses_another_photo()
    {
        var dir = TestPaths.NewTempDir();
        string a = Photo(dir, "a.png", "red"), b = Photo(dir, "b.png", "blue");
        var item = PhotoItem(dir, a);
        item.CoverFrames.Add(new FrameSpan(0, 0));
        var plan = WritePlan(dir, item);
        var (exit, stdout, stderr) = Cli.Run("redact", a, "--plan", plan, "--style", "fill", "--models", NoModels(dir));
        Assert.True(exit == 0, stderr);
        Assert.Contains("  covered whole", stdout);
        using (Mat after = Cv2.ImRead(Path.Combine(dir, "a.redacted.png")), grey = after.CvtColor(ColorConversionCodes.BGR2GRAY))
            Assert.Equal(0, Cv2.CountNonZero(grey));
        (exit, _, stderr) = Cli.Run("redact", b, "--plan", plan, "--models", NoModels(dir));
        Assert.Equal(1, exit);
        Assert.Contains($"error: {b}: the plan {plan} was made for another file (a.png, {W}×{H}, sha256 ", stderr);
        Assert.False(File.Exists(Path.Combine(dir, "b.redacted.png")));
    }

    /// <summary>The first pass as the review command runs it, then the render from its plan: unchanged, the plan covers
    /// what a fresh <c>redact</c> covers (boxes rounded to hundredths of a pixel move a mask's edge by a pixel at most).</summary>
    [Fact]
    public void A_plan_made_by_the_first_pass_renders_what_redact_covers()
    {
        var dir = TestPaths.NewTempDir();
        var video = Path.Combine(TestPaths.Shared, "data", "videos", "intel_face-demographics-walking_preview.mp4");
        ReviewPlan plan;
        using (var engine = new Engine(DefaultOptions())) plan = engine.NewPlan([engine.PlanVideo(video, null, CancellationToken.None)]);
        var item = plan.Items.Single();
        Assert.Equal(35, item.Identity.Frames);
        Assert.Equal((480, 270), (item.Identity.Width, item.Identity.Height));
        Assert.NotEmpty(item.Tracks);
        var planPath = Path.Combine(dir, "walking.plan.json");
        PlanJson.Write(plan, planPath);

        string fresh = Path.Combine(dir, "fresh.mp4"), planned = Path.Combine(dir, "planned.mp4");
        var r = Cli.Run(Cli.WithModels("redact", video, "-o", fresh, "--style", "fill", "--color", "ff00ff"));
        Assert.True(r.Exit == 0, r.Err);
        r = Cli.Run("redact", video, "--plan", planPath, "-o", planned, "--style", "fill", "--color", "ff00ff", "--models", NoModels(dir));
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains($"35 frames, {item.Tracks.Sum(t => t.Boxes.Count)} regions covered from the plan", r.Out);
        long differing = 0, covered = 0;
        foreach (var (x, y) in RawFrames(fresh, 480, 270).Zip(RawFrames(planned, 480, 270)))
            for (int p = 0; p < x.Length; p += 3)
            {
                bool mx = x[p] > 215 && x[p + 1] < 40 && x[p + 2] > 215, my = y[p] > 215 && y[p + 1] < 40 && y[p + 2] > 215;
                if (mx) covered++;
                if (mx != my) differing++;
            }
        Assert.True(covered > 10000, $"{covered} covered pixels");
        Assert.True(differing < covered / 100, $"{differing} of {covered} covered pixels differ");
    }

    /// <summary>redact's options as the command line sets them by default, with the models of ../shared.</summary>
    private static RedactOptions DefaultOptions() =>
        new Parser().ParseArguments<RedactOptions>(["input", "--models", TestPaths.Store])
            .MapResult(o => o, errors => throw new InvalidOperationException(string.Join(", ", errors)));

    private static IEnumerable<byte[]> RawFrames(string video, int w, int h)
    {
        var raw = video + ".rgb";
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var bytes = File.ReadAllBytes(raw);
        for (int i = 0; i + w * h * 3 <= bytes.Length; i += w * h * 3) yield return bytes[i..(i + w * h * 3)];
    }

    [Fact]
    public void Photos_planned_by_the_first_pass_render_as_redact_does()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(TestPaths.DlibFaces, "images");
        var photos = Inputs.Plan([input], null, false, withOutputs: false).Select(i => i.Input).Take(3).ToList();
        var copies = Path.Combine(dir, "in");
        Directory.CreateDirectory(copies);
        foreach (var p in photos) File.Copy(p, Path.Combine(copies, Path.GetFileName(p)));
        ReviewPlan plan;
        var failures = new List<string>();
        using (var engine = new Engine(DefaultOptions()))
            plan = engine.NewPlan(engine.PlanPhotos(copies, Directory.GetFiles(copies).Order(StringComparer.Ordinal).ToList(), (p, why) => failures.Add(p + why), null, CancellationToken.None));
        Assert.Empty(failures);
        Assert.Equal(photos.Select(Path.GetFileName), plan.Items.Select(i => i.Path));
        Assert.All(plan.Items, i => Assert.NotEmpty(i.Tracks));
        var planPath = Path.Combine(dir, "plan.json");
        PlanJson.Write(plan, planPath);
        var r = Cli.Run(Cli.WithModels("redact", copies, "-o", Path.Combine(dir, "fresh"), "--style", "fill", "--color", "ff00ff"));
        Assert.True(r.Exit == 0, r.Err);
        r = Cli.Run("redact", copies, "--plan", planPath, "-o", Path.Combine(dir, "planned"), "--style", "fill", "--color", "ff00ff", "--models", NoModels(dir));
        Assert.True(r.Exit == 0, r.Err);
        foreach (var item in plan.Items)
        {
            using Mat fresh = Cv2.ImRead(Path.Combine(dir, "fresh", item.Path)), planned = Cv2.ImRead(Path.Combine(dir, "planned", item.Path));
            using var magentaFresh = fresh.InRange(new Scalar(215, 0, 215), new Scalar(255, 40, 255));
            using var magentaPlanned = planned.InRange(new Scalar(215, 0, 215), new Scalar(255, 40, 255));
            using var xor = new Mat();
            Cv2.BitwiseXor(magentaFresh, magentaPlanned, xor);
            int covered = Cv2.CountNonZero(magentaFresh);
            Assert.True(covered > 1000, $"{item.Path}: {covered} covered pixels");
            Assert.True(Cv2.CountNonZero(xor) <= covered / 100, $"{item.Path}: {Cv2.CountNonZero(xor)} of {covered} differ");
        }
    }
}
