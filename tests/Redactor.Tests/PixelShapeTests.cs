using Xunit;

namespace Redactor.Tests;

/// <summary>What the decoded picture is made of (issue 27): the pixels' shape, kept for display.</summary>
public class PixelShapeTests
{
    private static (string Sar, string Dar, int W, int H) Shape(string path)
    {
        var v = SourceBytesTests.Streams(path).First(s => s.GetProperty("codec_type").GetString() == "video");
        return (v.GetProperty("sample_aspect_ratio").GetString()!, v.GetProperty("display_aspect_ratio").GetString()!,
            v.GetProperty("width").GetInt32(), v.GetProperty("height").GetInt32());
    }

    [Theory]
    [InlineData("mp4")]
    [InlineData("mov")]
    [InlineData("mkv")]
    [InlineData("avi")]
    [InlineData("webm")]
    public void Non_square_pixels_keep_the_display_aspect(string ext)
    {
        var dir = TestPaths.NewTempDir();
        // 320x240 stored, pixels 4:3 wide: shown 16:9 (anamorphic, as DV and HDV are).
        var input = SourceBytesTests.Make(dir, $"in.{ext}", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=0.4",
            "-vf", "setsar=4/3", "-c:v", ext == "webm" ? "libvpx" : "libx264");
        // Matroska and WebM store a display size in whole pixels: 427x240, so 427:320.
        var shape = Shape(input);
        Assert.Equal(ext == "webm" ? ("427:320", "427:240", 320, 240) : ("4:3", "16:9", 320, 240), shape);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        Assert.Equal(shape, Shape(Path.Combine(dir, $"in.redacted.{ext}")));
    }

    [Fact]
    public void Faces_in_squeezed_pixels_are_found_as_in_square_ones_and_reported_in_stored_pixels()
    {
        var dir = TestPaths.NewTempDir();
        // The 9 dlib photos, one a frame, 640x480; then the same stored 480 wide in pixels 4:3 wide (shown alike).
        var square = SourceBytesTests.Make(dir, "square.mp4", "-framerate", "2", "-pattern_type", "glob", "-i", Path.Combine(TestPaths.DlibFaces, "images", "*.jpg"),
            "-vf", "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p");
        var squeezed = SourceBytesTests.Make(dir, "squeezed.mp4", "-i", square, "-vf", "scale=480:480,setsar=4/3", "-c:v", "libx264", "-crf", "12");
        var json = Path.Combine(dir, "r.json");
        var (code, _, err) = Cli.Run(Cli.WithModels("detect", square, squeezed, "--json", json, "--detector", "yunet", "--no-track", "-q"));
        Assert.True(code == 0, err);
        var files = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("files").EnumerateArray().ToList();
        var boxes = files.Select(f => f.GetProperty("frames").EnumerateArray().SelectMany(fr => fr.GetProperty("regions").EnumerateArray())
            .Select(r => (X: r.GetProperty("x").GetSingle(), W: r.GetProperty("w").GetSingle())).ToList()).ToList();
        // Measured: 81 faces square; squeezed, 73 when the detectors saw stored pixels, 86 widened to square ones.
        Assert.InRange(boxes[1].Count, boxes[0].Count - 2, boxes[0].Count + 8);
        Assert.All(boxes[1], b => Assert.True(b.X + b.W <= 482, $"box beyond the stored width: {b}"));
        Assert.True(boxes[1].Max(b => b.X + b.W) > 400, "no box near the right edge: positions not mapped back");
    }

    /// <summary>The pixel shape is metadata anyone can write: 1:2 halved the width the detectors saw (a quarter of the
    /// detections), 1:6 and 6:1 left none, while the render drew on stored pixels that showed the faces.</summary>
    [Theory]
    [InlineData("1/2")]
    [InlineData("1/6")]
    [InlineData("6/1")]
    [InlineData("255/1")]
    public void Faces_stay_covered_whatever_pixel_shape_the_file_declares(string sar)
    {
        var dir = TestPaths.NewTempDir();
        // 360x480, two faces (dlib's boxes): 145,79 76x76 and 125,214 90x91.
        var input = SourceBytesTests.Make(dir, "in.mp4", "-loop", "1", "-t", "1", "-r", "10", "-i", Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"),
            "-vf", $"setsar={sar}", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet", "--style", "fill", "--color", "ff00ff", "-q"));
        Assert.True(code == 0, err);
        var raw = Path.Combine(dir, "frame.rgb");
        // ffmpeg's decoder gives stored pixels, whatever the shape.
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", Path.Combine(dir, "in.redacted.mp4"), "-vf", "select=eq(n\\,5)", "-frames:v", "1",
            "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var px = File.ReadAllBytes(raw);
        Assert.Equal(360 * 480 * 3, px.Length);
        foreach (var (x, y) in new[] { (183, 117), (170, 259) })
        {
            var c = px[((y * 360 + x) * 3)..((y * 360 + x) * 3 + 3)];
            Assert.True(c[0] > 200 && c[1] < 60 && c[2] > 200, $"the face at {x},{y} shows ({string.Join(',', c)}) at SAR {sar}");
        }
    }

    /// <summary>The detectors' pictures are stretched to square pixels, so the size limits apply to the stretched size:
    /// SAR 255:1 on 720p took the first pass to 1.58 GB before the stretch was bounded.</summary>
    [Fact]
    public void A_picture_too_large_once_stretched_to_square_pixels_is_refused_before_any_work()
    {
        var dir = TestPaths.NewTempDir();
        // 8200x2100 stored (within 16384 a side), pixels twice as wide: 16400 wide for the detectors.
        var input = SourceBytesTests.Make(dir, "wide.mkv", "-f", "lavfi", "-i", "color=c=gray:size=8200x2100:rate=1:duration=1", "-vf", "setsar=2/1",
            "-c:v", "libx264", "-preset", "ultrafast");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet"));
        Assert.Equal(1, code);
        Assert.Contains("video too large: 8200×2100 in non-square pixels is 16400×2100 in square ones", err);
        Assert.DoesNotContain("frames/s", err);
    }

    [Fact]
    public void A_quarter_turn_turns_the_pixel_shape_too()
    {
        var dir = TestPaths.NewTempDir();
        var plain = SourceBytesTests.Make(dir, "plain.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=0.4", "-vf", "setsar=4/3", "-c:v", "libx264");
        var rotated = SourceBytesTests.Make(dir, "phone.mp4", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", rotated, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        // Upright, 240 wide and 320 high in pixels 3:4 wide: shown 9:16, the input's 16:9 turned.
        Assert.Equal(("3:4", "9:16", 240, 320), Shape(Path.Combine(dir, "phone.redacted.mp4")));
    }
}

/// <summary>Video with alpha (issue 27): what transparent pixels hold must not be shown.</summary>
public class AlphaVideoTests
{
    /// <summary>Left half opaque green; right half fully transparent, holding red: hidden from anyone who plays it.</summary>
    private const string HiddenRed = "color=c=black:size=160x120:rate=10:duration=0.5,format=rgba,"
        + "geq=r='if(lt(X,80),0,255)':g='if(lt(X,80),255,0)':b=0:a='if(lt(X,80),255,0)'";

    [Theory]
    [InlineData("mov", "qtrle", "argb")]
    [InlineData("mov", "png", "rgba")]
    [InlineData("mov", "prores_ks", "yuva444p10le")]
    [InlineData("webm", "libvpx-vp9", "yuva420p")]
    [InlineData("mkv", "ffv1", "yuva420p")]
    public void Transparent_pixels_are_composited_onto_black_not_shown(string ext, string codec, string pixelFormat)
    {
        var dir = TestPaths.NewTempDir();
        string[] extra = codec == "prores_ks" ? ["-profile:v", "4444"] : codec == "libvpx-vp9" ? ["-auto-alt-ref", "0"] : [];
        var input = SourceBytesTests.Make(dir, $"in.{ext}", ["-f", "lavfi", "-i", HiddenRed, "-c:v", codec, "-pix_fmt", pixelFormat, .. extra]);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        var raw = Path.Combine(dir, "first.rgb");
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", Path.Combine(dir, $"in.redacted.{ext}"), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var px = File.ReadAllBytes(raw);
        Assert.Equal(160 * 120 * 3, px.Length);
        byte[] At(int x, int y) => px[((y * 160 + x) * 3)..((y * 160 + x) * 3 + 3)];
        var shown = At(40, 60);
        Assert.True(shown[1] > 200 && shown[0] < 50, $"the opaque half is not green: {string.Join(',', shown)}");
        var hidden = At(120, 60);
        Assert.True(hidden.All(c => c < 40), $"a transparent pixel shows its colour: {string.Join(',', hidden)}");
    }

    /// <summary>The probe reads the first frame's pixel format: a MOV joined (-c copy) from an opaque rgb24 PNG part and
    /// an rgba one probes as rgb24, and the red under the second part's transparency showed.</summary>
    [Fact]
    public void Alpha_that_starts_after_the_first_frame_is_composited_too()
    {
        var dir = TestPaths.NewTempDir();
        var opaque = SourceBytesTests.Make(dir, "opaque.mov", "-f", "lavfi", "-i", "color=c=green:size=160x120:rate=10:duration=0.5", "-c:v", "png", "-pix_fmt", "rgb24");
        var hidden = SourceBytesTests.Make(dir, "hidden.mov", "-f", "lavfi", "-i", HiddenRed, "-c:v", "png", "-pix_fmt", "rgba");
        var list = Path.Combine(dir, "list.txt");
        File.WriteAllText(list, $"file '{opaque}'\nfile '{hidden}'\n");
        var input = SourceBytesTests.Make(dir, "in.mov", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy");
        Assert.Contains("\"pix_fmt\": \"rgb24\"", TestPaths.Tool("ffprobe", "-v", "error", "-show_streams", "-of", "json", input).Out);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        var raw = Path.Combine(dir, "frames.rgb");
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", Path.Combine(dir, "in.redacted.mov"), "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var px = File.ReadAllBytes(raw);
        const int size = 160 * 120 * 3;
        // The join's timing gives a few repeated pictures: the last frame is the second part's.
        int last = px.Length / size - 1;
        Assert.True(last >= 9 && px.Length % size == 0, $"{px.Length} bytes of frames");
        byte[] At(int frame, int x, int y) => px[(frame * size + (y * 160 + x) * 3)..(frame * size + (y * 160 + x) * 3 + 3)];
        Assert.True(At(2, 120, 60) is [< 50, > 100, < 50], $"the opaque part is not green: {string.Join(',', At(2, 120, 60))}");
        Assert.True(At(last, 40, 60) is [< 50, > 100, < 50], $"the second part's opaque half is not green: {string.Join(',', At(last, 40, 60))}");
        Assert.True(At(last, 120, 60).All(c => c < 40), $"a transparent pixel shows its colour: {string.Join(',', At(last, 120, 60))}");
    }
}
