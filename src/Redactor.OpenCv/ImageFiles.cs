using OpenCvSharp;

namespace Redactor.OpenCv;

/// <summary>Photo decode and encode. Decoding applies the EXIF orientation, so faces are upright for the
/// detector and the output shows the same way with no orientation tag; encoding writes pixels only
/// (no EXIF, XMP, IPTC or comments).</summary>
public static class ImageFiles
{
    public static Frame Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MediaException("file not found");
        if (info.Length == 0) throw new MediaException("empty file");
        if (ImagePages.Multiple(path) is var (kind, count, unit))
            throw new MediaException($"{kind} of {count} {unit}: only still images are redacted (the decoder would read the first of them and drop the rest); convert it to a video or to single images first");
        using var mat = Cv2.ImRead(path, ImreadModes.Color);
        if (mat.Empty()) throw new MediaException("not a readable image (damaged, truncated or not an image)");
        return ToFrame(mat);
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
