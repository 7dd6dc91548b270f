using OpenCvSharp;

namespace Redactor.OpenCv;

/// <summary>
/// Small JPEG pictures of frames for the review page: what it shows is a picture of the input, never the input's own
/// bytes (no metadata, no hidden pixels: frames come decoded, flattened and turned as the detectors see them).
/// </summary>
public static class PreviewPictures
{
    /// <summary>The size <paramref name="width"/>×<paramref name="height"/> fitted within <paramref name="maxWidth"/>×
    /// <paramref name="maxHeight"/>, aspect kept, never enlarged (each side at least 1).</summary>
    public static (int Width, int Height) Fit(int width, int height, int maxWidth, int maxHeight)
    {
        double scale = Math.Min(1.0, Math.Min((double)maxWidth / width, (double)maxHeight / height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>JPEG of <paramref name="frame"/> resized to <paramref name="width"/>×<paramref name="height"/>
    /// (area-averaged when smaller).</summary>
    public static unsafe byte[] Encode(Frame frame, int width, int height, int quality = 82)
    {
        fixed (byte* p = frame.Pixels)
        {
            using var whole = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, (IntPtr)p, frame.Stride);
            using var small = width == frame.Width && height == frame.Height ? null : new Mat();
            if (small is not null)
                Cv2.Resize(whole, small, new Size(width, height), 0, 0, width < frame.Width ? InterpolationFlags.Area : InterpolationFlags.Linear);
            if (!Cv2.ImEncode(".jpg", small ?? whole, out byte[] encoded, [(int)ImwriteFlags.JpegQuality, quality]))
                throw new MediaException("could not encode a preview picture");
            return encoded;
        }
    }

    /// <summary>A JPEG made by <see cref="Encode"/>, decoded to a frame (BGR).</summary>
    public static Frame Decode(byte[] jpeg)
    {
        using var mat = Cv2.ImDecode(jpeg, ImreadModes.Color);
        if (mat.Empty()) throw new MediaException("could not decode a preview picture");
        return ImageFiles.ToFrame(mat);
    }
}
