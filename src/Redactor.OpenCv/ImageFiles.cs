using System.Buffers.Binary;
using OpenCvSharp;

namespace Redactor.OpenCv;

/// <summary>Photo decode and encode. Decoding applies the EXIF orientation, so faces are upright for the
/// detector and the output shows the same way with no orientation tag; encoding writes pixels only
/// (no EXIF, XMP, IPTC or comments).</summary>
public static class ImageFiles
{
    /// <summary>OpenCV logs its own errors on stderr (several lines for a TIFF it refuses, say); the reasons users see are
    /// the CLI's one-line messages. Process-wide.</summary>
    public static void SilenceNativeLog() => Cv2.SetLogLevel(LogLevel.SILENT);

    public static Frame Read(string path) => Read(path, out _);

    /// <param name="warning">Set when the picture was read but is damaged (a truncated JPEG's missing rows are grey).</param>
    public static Frame Read(string path, out string? warning)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MediaException("file not found");
        if (info.Length == 0) throw new MediaException("empty file");
        // OpenCV decodes by content, whatever the name says (it also reads PAM, GIF, JPEG 2000, Sun raster, HDR...): a
        // PAM with alpha named .png would skip the transparency check below, and a GIF named .png lose its other frames.
        if (ImageHeaders.ContentKind(path) is not { } content)
            throw new MediaException("not a readable image: its content is not a JPEG, PNG, WebP, BMP or TIFF image, whatever its name says; convert it to one of those first");
        if (content == ImageKind.BigTiff)
            throw new MediaException("BigTIFF is not read here; save it as a classic TIFF, PNG or JPEG first");
        if (ImagePages.Multiple(path) is var (kind, count, unit))
            throw new MediaException($"{kind} of {count} {unit}: only still images are redacted (the decoder would read the first of them and drop the rest); convert it to a video or to single images first");
        ImageHeaders.CheckSize(path);
        warning = ImageHeaders.IsTruncatedJpeg(path)
            ? "truncated JPEG (its data stops before the end of the picture): the missing part is grey in the output; check the rest"
            : null;
        // A TIFF tagged 5-8 is decoded from a copy tagged 'as stored' (see ReadTransposedTiff).
        var stored = TransposedTiffBytes(path);
        var shown = (stored is null ? Decode(path, null, ImreadModes.Color) : ReadTransposedTiff(stored.Value.Bytes, stored.Value.Orientation))
            ?? throw new MediaException("not a readable image (damaged, truncated or not an image)");
        try
        {
            if ((long)shown.Width * shown.Height > ImageHeaders.MaxPixels)
                throw new MediaException($"image too large: {shown.Width}×{shown.Height}; the limit is {ImageHeaders.MaxPixels / 1_000_000} megapixels");
            if (content is ImageKind.Jpeg) return ToFrame(shown);
            // Each copy of a 100-megapixel picture is 300-400 MB: the stored one is let go of once flattened, the shown
            // one once the turn is known (a 110-megapixel PNG with alpha peaked at 4.1 GB when all of them were kept).
            Mat? flat;
            int turn;
            using (var raw = Decode(path, stored?.Bytes, ImreadModes.Unchanged))
            {
                // Falling back to the colour decode here would show what transparent pixels hold: refuse instead.
                if (raw is null) throw new MediaException("could not be read with its transparency (damaged, or too large to decode twice)");
                if (raw.Channels() is not (1 or 2 or 3 or 4)) throw new MediaException($"has {raw.Channels()} channels; only grey, colour and one alpha channel are read");
                (flat, turn) = OverBlack(raw, shown);
            }
            if (flat is null) return ToFrame(shown);
            shown.Dispose();
            using (flat)
            {
                if (turn == 0) return ToFrame(flat);
                using var turned = Turns[turn](flat);
                return ToFrame(turned);
            }
        }
        finally
        {
            shown.Dispose();
        }
    }

    private static Mat? Decode(string path, byte[]? bytes, ImreadModes mode)
    {
        Mat mat;
        try
        {
            mat = bytes is null ? Cv2.ImRead(path, mode) : Cv2.ImDecode(bytes, mode);
        }
        catch (OpenCVException)
        {
            return null;
        }
        if (!mat.Empty()) return mat;
        mat.Dispose();
        return null;
    }

    /// <summary>
    /// The picture composited over black by its alpha (as video is: ffmpeg's premultiply), so transparency hides alike in both. Decoding for colour drops the alpha and
    /// shows what the file hid under transparent pixels (text under a clear band came out readable), so a picture with
    /// transparency is decoded as stored and flattened here, in strips of rows to keep the float copies small. Null when
    /// it has none (or is opaque throughout). <paramref name="shown"/> is the same file decoded for colour, turned upright
    /// by the decoder; the flattened picture still needs the turn (an index into <see cref="Turns"/>) that maps the stored
    /// colours onto it, found by comparing sampled pixels (PNG, WebP and TIFF keep their orientation in different
    /// places, and only the colour decode applies it). No turn that matches: the file is refused rather than shown wrong.
    /// </summary>
    private static (Mat? Flat, int Turn) OverBlack(Mat raw, Mat shown)
    {
        int channels = raw.Channels();
        if (channels is not (2 or 4)) return (null, 0);
        double full = raw.Depth() switch { MatType.CV_8U => 255, MatType.CV_16U => 65535, _ => 1 };
        const int StripRows = 256;
        var flat = new Mat(raw.Rows, raw.Cols, MatType.CV_8UC3);
        try
        {
            double minAlpha = 1;
            int rows = raw.Rows;
            for (int y0 = 0; y0 < rows; y0 += StripRows)
            {
                using var strip = raw.RowRange(y0, Math.Min(rows, y0 + StripRows));
                var planes = Cv2.Split(strip);
                var flatPlanes = new Mat[3];
                try
                {
                    using var alpha = new Mat();
                    planes[^1].ConvertTo(alpha, MatType.CV_32F, 1 / full);
                    Cv2.MinMaxLoc(alpha, out double least, out _);
                    minAlpha = Math.Min(minAlpha, least);
                    for (int c = 0; c < 3; c++)
                    {
                        using var value = new Mat();
                        planes[channels == 4 ? c : 0].ConvertTo(value, MatType.CV_32F, 1 / full);
                        // value × alpha + black × (1 − alpha), in 0..1, then to 8 bits.
                        Cv2.Multiply(value, alpha, value);
                        flatPlanes[c] = new Mat();
                        value.ConvertTo(flatPlanes[c], MatType.CV_8U, 255);
                    }
                    using var target = flat.RowRange(y0, Math.Min(rows, y0 + StripRows));
                    Cv2.Merge(flatPlanes, target);
                }
                finally
                {
                    foreach (var m in planes.Concat(flatPlanes)) m?.Dispose();
                }
            }
            if (minAlpha >= 1)
            {
                flat.Dispose();
                return (null, 0);
            }
            for (int turn = 0; turn < Turns.Length; turn++)
                if (Matches(raw, full, shown, turn)) return (flat, turn);
            throw new MediaException("has transparency, but its stored picture could not be matched to how it is shown (orientation); flatten it onto a background first");
        }
        catch
        {
            flat.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="shown"/> is <paramref name="raw"/>'s colour turned by <see cref="Turns"/>[turn],
    /// judged on a grid of up to 64×64 pixels, within 2 levels (a 16-bit picture's colour decode keeps the high byte).</summary>
    private static unsafe bool Matches(Mat raw, double full, Mat shown, int turn)
    {
        int w = raw.Cols, h = raw.Rows;
        bool across = turn >= 4;
        if (shown.Cols != (across ? h : w) || shown.Rows != (across ? w : h)) return false;
        int colour = raw.Channels() == 4 ? 3 : 1;
        int step = (int)raw.ElemSize1(), shownCols = shown.Cols, shownRows = shown.Rows;
        for (int gy = 0; gy < 64; gy++)
            for (int gx = 0; gx < 64; gx++)
            {
                int x = (int)((long)gx * (shownCols - 1) / 63), y = (int)((long)gy * (shownRows - 1) / 63);
                var (sx, sy) = Source(turn, x, y, w, h);
                var seen = shown.At<Vec3b>(y, x);
                byte* pixel = (byte*)raw.Ptr(sy) + (long)sx * raw.ElemSize();
                for (int c = 0; c < 3; c++)
                {
                    byte* p = pixel + (colour == 3 ? c : 0) * step;
                    double v = step == 2 ? *(ushort*)p : step == 4 ? *(float*)p * full : *p;
                    if (Math.Abs(v / full * 255 - seen[c]) > 2) return false;
                }
            }
        GC.KeepAlive(raw);
        return true;
    }

    /// <summary>Where pixel (x, y) of a picture turned by <see cref="Turns"/>[turn] comes from in the stored picture of
    /// width <paramref name="w"/> and height <paramref name="h"/>.</summary>
    internal static (int X, int Y) Source(int turn, int x, int y, int w, int h) => turn switch
    {
        0 => (x, y),
        1 => (w - 1 - x, y),
        2 => (w - 1 - x, h - 1 - y),
        3 => (x, h - 1 - y),
        4 => (y, x),
        5 => (y, h - 1 - x),
        6 => (w - 1 - y, h - 1 - x),
        7 => (w - 1 - y, x),
        _ => throw new ArgumentOutOfRangeException(nameof(turn)),
    };

    /// <summary>The eight ways a picture can be turned and mirrored (EXIF orientations 1-8), the untouched one first.</summary>
    internal static readonly Func<Mat, Mat>[] Turns =
    [
        m => m.Clone(),
        m => m.Flip(FlipMode.Y),
        m => m.Flip(FlipMode.XY),
        m => m.Flip(FlipMode.X),
        m => Transposed(m),
        m => { using var t = Transposed(m); return t.Flip(FlipMode.Y); },
        m => { using var t = Transposed(m); return t.Flip(FlipMode.XY); },
        m => { using var t = Transposed(m); return t.Flip(FlipMode.X); },
    ];

    private static Mat Transposed(Mat m)
    {
        var t = new Mat();
        Cv2.Transpose(m, t);
        return t;
    }

    /// <summary>OpenCV refuses a TIFF whose orientation tag transposes the picture (5–8, a camera held sideways) with
    /// an assertion ('original_ptr == real_mat.data'), though the file is sound, and does so even when told to ignore
    /// the tag: such a file is decoded from a copy whose tag says "as stored" (1) and turned here, so faces are upright
    /// for the detector as in any other photo. Null when that is not the problem.</summary>
    private static (byte[] Bytes, int Orientation)? TransposedTiffBytes(string path)
    {
        var (orientation, at) = TiffOrientationAt(path);
        if (orientation is < 5 or > 8) return null;
        var bytes = File.ReadAllBytes(path);
        bytes[at] = bytes[0] == 'I' ? (byte)1 : (byte)0;
        bytes[at + 1] = bytes[0] == 'I' ? (byte)0 : (byte)1;
        return (bytes, orientation);
    }

    private static Mat? ReadTransposedTiff(byte[] bytes, int orientation)
    {
        using var stored = Decode("", bytes, ImreadModes.Color);
        if (stored is null) return null;
        var upright = new Mat();
        try
        {
            Cv2.Transpose(stored, upright);
            // Transposed, 6 (turn clockwise to view) still needs a mirror left to right, 8 top to bottom, 7 both.
            FlipMode? flip = orientation switch { 6 => FlipMode.Y, 7 => FlipMode.XY, 8 => FlipMode.X, _ => null };
            if (flip is { } code) Cv2.Flip(upright, upright, code);
            return upright;
        }
        catch
        {
            upright.Dispose();
            throw;
        }
    }

    /// <summary>The TIFF orientation tag (274) of the first image, 1 when the file is not a TIFF or has none.</summary>
    internal static int TiffOrientation(string path) => TiffOrientationAt(path).Value;

    /// <summary>The orientation and the file offset of its two bytes (0 when absent).</summary>
    private static (int Value, int At) TiffOrientationAt(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[8];
        if (file.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8) return (1, 0);
        bool little = head[0] == 'I' && head[1] == 'I';
        if (!little && !(head[0] == 'M' && head[1] == 'M')) return (1, 0);
        ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
        uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        if (U16(head[2..]) != 42) return (1, 0);
        long ifd = U32(head[4..]);
        Span<byte> entry = stackalloc byte[12];
        if (ifd + 2 > file.Length) return (1, 0);
        file.Position = ifd;
        if (file.ReadAtLeast(entry[..2], 2, throwOnEndOfStream: false) < 2) return (1, 0);
        int count = U16(entry);
        const ushort OrientationTag = 274, ShortType = 3;
        for (int i = 0; i < count; i++)
        {
            if (file.ReadAtLeast(entry, 12, throwOnEndOfStream: false) < 12) return (1, 0);
            // One SHORT sits in the first two bytes of the entry's value field.
            if (U16(entry) == OrientationTag && U16(entry[2..]) == ShortType) return (U16(entry[8..]), checked((int)(ifd + 2 + 12 * i + 8)));
        }
        return (1, 0);
    }

    internal static Frame ToFrame(Mat mat)
    {
        using var packed = mat.IsContinuous() ? null : mat.Clone();
        var source = packed ?? mat;
        var frame = new Frame(source.Width, source.Height);
        unsafe
        {
            new ReadOnlySpan<byte>((void*)source.Data, frame.ByteLength).CopyTo(frame.Data);
        }
        GC.KeepAlive(source);
        return frame;
    }

    private const int JpegSamplingFactor = 7;
    private const int JpegSampling444 = 0x111111;

    /// <summary>Encodes <paramref name="frame"/> in the format named by <paramref name="extension"/> (".jpg", ".png"…)
    /// into <paramref name="output"/> (a locked temporary file's stream: see <see cref="TempFile"/>).</summary>
    public static unsafe void Write(Frame frame, Stream output, string extension)
    {
        int[] parameters = extension.ToLowerInvariant() switch
        {
            // Full-resolution chroma (4:4:4; OpenCV's IMWRITE_JPEG_SAMPLING_FACTOR, which OpenCvSharp does not
            // name): with 4:2:0 the fill colour bleeds into a 2-px fringe, which on a 12-px face is a visible seam.
            ".jpg" or ".jpeg" => [(int)ImwriteFlags.JpegQuality, 95, JpegSamplingFactor, JpegSampling444],
            ".webp" => [(int)ImwriteFlags.WebPQuality, 95],
            _ => [],
        };
        fixed (byte* p = frame.Pixels)
        {
            using var mat = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, (IntPtr)p, frame.Stride);
            if (!Cv2.ImEncode(extension, mat, out byte[] encoded, parameters))
                throw new MediaException($"could not encode the image as {extension}");
            output.Write(encoded);
        }
    }
}
