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
