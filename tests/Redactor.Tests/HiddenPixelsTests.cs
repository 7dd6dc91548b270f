using System.Buffers.Binary;
using OpenCvSharp;
using Xunit;

namespace Redactor.Tests;

/// <summary>Photos that hide or misstate what they hold: transparency, absurd declared sizes, cut data.</summary>
public class HiddenPixelsTests
{
    /// <summary>A grey picture with red lettering across its bottom band, which the alpha channel makes fully
    /// transparent: a viewer shows nothing there. <paramref name="sixteen"/> stores 16 bits a channel.</summary>
    private static string BandedPicture(string dir, string name, bool sixteen = false)
    {
        using var picture = new Mat(120, 200, MatType.CV_8UC4, new Scalar(128, 128, 128, 255));
        using (var clear = picture.RowRange(80, 120)) clear.SetTo(new Scalar(128, 128, 128, 0));
        Cv2.PutText(picture, "SECRET", new Point(10, 110), HersheyFonts.HersheySimplex, 1.0, new Scalar(0, 0, 255, 0), 3);
        var path = Path.Combine(dir, name);
        if (sixteen)
        {
            using var wide = new Mat();
            picture.ConvertTo(wide, MatType.CV_16UC4, 257);
            Assert.True(Cv2.ImWrite(path, wide));
        }
        else Assert.True(Cv2.ImWrite(path, picture, name.EndsWith(".webp") ? [(int)ImwriteFlags.WebPQuality, 101] : []));
        return path;
    }

    [Theory]
    [InlineData("band.png", false)]
    [InlineData("band16.png", true)]
    [InlineData("band.webp", false)]
    [InlineData("band.tif", false)]
    public void Pixels_under_transparency_stay_hidden(string name, bool sixteen)
    {
        var dir = TestPaths.NewTempDir();
        var input = BandedPicture(dir, name, sixteen);
        var output = Path.Combine(dir, "out" + Path.GetExtension(name));
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        using var result = Cv2.ImRead(output, ImreadModes.Unchanged);
        Assert.Equal(3, result.Channels());
        // The band is flattened onto black: the lettering (red, 0 0 255) is gone, not merely recoloured.
        using var band = result.RowRange(80, 120);
        using var flat = band.Reshape(1);
        Cv2.MinMaxLoc(flat, out _, out double brightest);
        Assert.True(brightest <= 5, $"brightest value under the transparent band: {brightest}");
        // The opaque part is untouched.
        using var top = result.RowRange(0, 80);
        Assert.Equal(new Vec3b(128, 128, 128), top.At<Vec3b>(40, 100));
    }

    [Fact]
    public void A_turned_transparent_picture_is_flattened_the_way_it_is_shown()
    {
        var dir = TestPaths.NewTempDir();
        // Stored red on top, transparent green below; tagged 'turn 90° clockwise to view', so a viewer shows it 20 wide
        // and 40 tall with the red on the right.
        using var picture = new Mat(20, 40, MatType.CV_8UC4, new Scalar(0, 0, 255, 255));
        using (var clear = picture.RowRange(10, 20)) clear.SetTo(new Scalar(0, 255, 0, 0));
        var input = Path.Combine(dir, "turned.png");
        Assert.True(Cv2.ImWrite(input, picture));
        var tag = TestPaths.Tool("exiftool", "-q", "-overwrite_original", "-n", "-Orientation=6", input);
        Assert.True(tag.Exit == 0, tag.Err);
        var output = Path.Combine(dir, "out.png");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        using var result = Cv2.ImRead(output, ImreadModes.Unchanged);
        Assert.Equal((20, 40), (result.Width, result.Height));
        Assert.Equal(new Vec3b(0, 0, 0), result.At<Vec3b>(20, 2));
        Assert.Equal(new Vec3b(0, 0, 255), result.At<Vec3b>(20, 17));
    }

    /// <summary>A valid PNG header declaring 30000×30000 over a few bytes of data: before, the decoder spent 5.4 GB and
    /// 41 s and the run ended in "internal error (OverflowException)".</summary>
    [Fact]
    public void A_picture_declaring_a_huge_size_is_refused_before_decoding()
    {
        var dir = TestPaths.NewTempDir();
        var png = Path.Combine(dir, "huge.png");
        using (var small = new Mat(8, 8, MatType.CV_8UC3, Scalar.All(90)))
        {
            Cv2.ImEncode(".png", small, out byte[] bytes);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 30000);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 30000);
            File.WriteAllBytes(png, bytes);
        }
        var jpg = Path.Combine(dir, "huge.jpg");
        var bytesJpg = File.ReadAllBytes(Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"));
        int sof = Enumerable.Range(2, bytesJpg.Length - 9).First(i => bytesJpg[i] == 0xFF && bytesJpg[i + 1] is 0xC0 or 0xC2);
        BinaryPrimitives.WriteUInt16BigEndian(bytesJpg.AsSpan(sof + 5), 65500);
        BinaryPrimitives.WriteUInt16BigEndian(bytesJpg.AsSpan(sof + 7), 65500);
        File.WriteAllBytes(jpg, bytesJpg);

        var (code, _, err) = Cli.Run(Cli.WithModels("redact", png, jpg, "-o", Path.Combine(dir, "out"), "--detector", "yunet"));
        Assert.Equal(1, code);
        Assert.Contains($"error: {png}: image too large: 30000×30000", err);
        Assert.Contains($"error: {jpg}: image too large: 65500×65500", err);
        Assert.DoesNotContain("internal error", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir, "out")).Any());
    }

    [Fact]
    public void A_truncated_jpeg_is_redacted_with_a_warning()
    {
        var dir = TestPaths.NewTempDir();
        var whole = File.ReadAllBytes(Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"));
        var input = Path.Combine(dir, "cut.jpg");
        File.WriteAllBytes(input, whole[..(whole.Length * 2 / 3)]);
        var output = Path.Combine(dir, "out.jpg");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet"));
        Assert.Equal(0, code);
        Assert.Contains($"warning: {input}: truncated JPEG", err);
        Assert.True(File.Exists(output));
        // A whole file gets no warning.
        var (_, _, clean) = Cli.Run(Cli.WithModels("redact", Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"), "-o", Path.Combine(dir, "whole.jpg"), "--detector", "yunet"));
        Assert.DoesNotContain("warning", clean);
    }

    [Theory]
    [InlineData("2008_001009.jpg")]
    [InlineData("2007_007763.jpg")]
    public void Header_sizes_match_the_decoder(string name)
    {
        var path = Path.Combine(TestPaths.DlibFaces, "images", name);
        using var decoded = Cv2.ImRead(path, ImreadModes.Color | ImreadModes.IgnoreOrientation);
        Assert.Equal((decoded.Width, decoded.Height), Redactor.OpenCv.ImageHeaders.SizeOf(path));
        var dir = TestPaths.NewTempDir();
        foreach (var ext in new[] { ".png", ".webp", ".bmp", ".tif" })
        {
            var copy = Path.Combine(dir, "copy" + ext);
            Assert.True(Cv2.ImWrite(copy, decoded));
            Assert.Equal((decoded.Width, decoded.Height), Redactor.OpenCv.ImageHeaders.SizeOf(copy));
        }
        Assert.False(Redactor.OpenCv.ImageHeaders.IsTruncatedJpeg(path));
    }
}

public class TurnTests
{
    [Fact]
    public void Each_turns_source_mapping_agrees_with_the_turn_itself()
    {
        using var stored = new Mat(3, 5, MatType.CV_8UC3);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++) stored.Set(y, x, new Vec3b((byte)x, (byte)y, 7));
        for (int turn = 0; turn < Redactor.OpenCv.ImageFiles.Turns.Length; turn++)
        {
            using var turned = Redactor.OpenCv.ImageFiles.Turns[turn](stored);
            int rows = turned.Rows, cols = turned.Cols;
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++)
                {
                    var (sx, sy) = Redactor.OpenCv.ImageFiles.Source(turn, x, y, 5, 3);
                    Assert.Equal(new Vec3b((byte)sx, (byte)sy, 7), turned.At<Vec3b>(y, x));
                }
        }
    }
}

public class VideoSizeTests
{
    [Fact]
    public void A_video_wider_than_the_encoder_takes_is_refused_before_any_work()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "wide.mkv");
        var made = TestPaths.Tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=20000x16:d=0.2:r=5", "-c:v", "png", input);
        Assert.True(made.Exit == 0, made.Err);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", Path.Combine(dir, "out.mkv"), "--detector", "yunet"));
        Assert.Equal(1, code);
        Assert.Contains($"error: {input}: video too large: 20000×16", err);
        Assert.DoesNotContain("frames/s", err);
        Assert.False(File.Exists(Path.Combine(dir, "out.mkv")));
    }
}
