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

    public static Frame Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MediaException("file not found");
        if (info.Length == 0) throw new MediaException("empty file");
        if (ImagePages.Multiple(path) is var (kind, count, unit))
            throw new MediaException($"{kind} of {count} {unit}: only still images are redacted (the decoder would read the first of them and drop the rest); convert it to a video or to single images first");
        using var mat = Cv2.ImRead(path, ImreadModes.Color);
        if (!mat.Empty()) return ToFrame(mat);
        using var turned = ReadTransposedTiff(path);
        if (turned is null) throw new MediaException("not a readable image (damaged, truncated or not an image)");
        return ToFrame(turned);
    }

    /// <summary>OpenCV refuses a TIFF whose orientation tag transposes the picture (5–8, a camera held sideways) with
    /// an assertion ('original_ptr == real_mat.data'), though the file is sound, and does so even when told to ignore
    /// the tag: such a file is decoded from a copy whose tag says "as stored" (1) and turned here, so faces are upright
    /// for the detector as in any other photo. Null when that is not the problem.</summary>
    private static Mat? ReadTransposedTiff(string path)
    {
        var (orientation, at) = TiffOrientationAt(path);
        if (orientation is < 5 or > 8) return null;
        var bytes = File.ReadAllBytes(path);
        bytes[at] = bytes[0] == 'I' ? (byte)1 : (byte)0;
        bytes[at + 1] = bytes[0] == 'I' ? (byte)0 : (byte)1;
        using var stored = Cv2.ImDecode(bytes, ImreadModes.Color);
        if (stored.Empty()) return null;
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

    /// <summary>Encodes <paramref name="frame"/> in the format named by <paramref name="extension"/> (".jpg", ".png"…).</summary>
    public static unsafe void Write(Frame frame, string path, string extension)
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
            File.WriteAllBytes(path, encoded);
        }
    }
}
