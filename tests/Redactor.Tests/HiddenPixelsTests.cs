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
        // The test means something only if the file still holds the lettering under its transparency.
        using (var bare = Cv2.ImRead(input, ImreadModes.Color))
        using (var hiddenBand = bare.RowRange(80, 120))
        using (var hidden = hiddenBand.Reshape(1))
        {
            Cv2.MinMaxLoc(hidden, out double least, out _);
            Assert.True(least < 50, $"{name} lost the hidden lettering when written");
        }
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

/// <summary>Files whose content is not what their name says, and headers a hostile file could bend.</summary>
public class ContentTests
{
    private static (int Exit, string Err) Redact(string input, string dir)
    {
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", Path.Combine(dir, "out" + Path.GetExtension(input)), "--detector", "yunet", "-q"));
        return (code, err);
    }

    /// <summary>OpenCV decodes by content: a PAM with alpha named .png skipped the transparency check and showed what
    /// it hid; a GIF named .png was redacted as its first frame.</summary>
    [Fact]
    public void A_file_whose_content_is_not_a_supported_image_is_refused_whatever_its_name()
    {
        var dir = TestPaths.NewTempDir();
        using var picture = new Mat(40, 60, MatType.CV_8UC4, new Scalar(0, 0, 255, 0));
        var pam = Path.Combine(dir, "hidden.pam");
        Assert.True(Cv2.ImWrite(pam, picture));
        var named = Path.Combine(dir, "hidden.png");
        File.Move(pam, named);
        var (code, err) = Redact(named, dir);
        Assert.Equal(1, code);
        Assert.Contains("its content is not a JPEG, PNG, WebP, BMP or TIFF image", err);
        Assert.False(File.Exists(Path.Combine(dir, "out.png")));

        var gif = Path.Combine(dir, "anim.png");
        var made = TestPaths.Tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=64x48:d=0.5:r=10", "-f", "gif", gif);
        Assert.True(made.Exit == 0, made.Err);
        (code, err) = Redact(gif, dir);
        Assert.Equal(1, code);
        Assert.Contains("its content is not a JPEG, PNG, WebP, BMP or TIFF image", err);
    }

    /// <summary>A BMP declaring a width of int.MinValue gave "internal error (OverflowException)"; an OS/2 BMP (12-byte
    /// header, 16-bit sizes) of 100×100 was refused as 6553700×1572865.</summary>
    [Fact]
    public void Bmp_headers_are_read_by_their_kind()
    {
        var dir = TestPaths.NewTempDir();
        var os2 = Path.Combine(dir, "os2.bmp");
        const int W = 100, H = 100, Row = (W * 3 + 3) / 4 * 4;
        var bytes = new byte[26 + Row * H];
        "BM"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 26);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 12);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), W);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), H);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(24), 24);
        bytes.AsSpan(26).Fill(100);
        File.WriteAllBytes(os2, bytes);
        Assert.Equal((W, H), Redactor.OpenCv.ImageHeaders.SizeOf(os2));

        var min = Path.Combine(dir, "min.bmp");
        var hostile = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(18), int.MinValue);
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(22), 100);
        File.WriteAllBytes(min, hostile);
        var (code, err) = Redact(min, dir);
        Assert.Equal(1, code);
        Assert.Contains("image too large", err);
        Assert.DoesNotContain("internal error", err);
    }

    /// <summary>libjpeg skips stray bytes before a marker; the size check stopped at them and left a declared
    /// 12000×12000 to the decoder (522 MB).</summary>
    [Fact]
    public void A_stray_byte_before_the_frame_header_does_not_hide_its_size()
    {
        var dir = TestPaths.NewTempDir();
        var jpg = File.ReadAllBytes(Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"));
        int sof = Enumerable.Range(2, jpg.Length - 9).First(i => jpg[i] == 0xFF && jpg[i + 1] is 0xC0 or 0xC2);
        var bent = new List<byte>(jpg[..sof]) { 0x00 };
        bent.AddRange(jpg[sof..]);
        var bytes = bent.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 1 + 5), 12000);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 1 + 7), 12000);
        var path = Path.Combine(dir, "stray.jpg");
        File.WriteAllBytes(path, bytes);
        Assert.Equal((12000, 12000), Redactor.OpenCv.ImageHeaders.SizeOf(path));
        var (code, err) = Redact(path, dir);
        Assert.Equal(1, code);
        Assert.Contains("image too large: 12000×12000", err);
    }
}
