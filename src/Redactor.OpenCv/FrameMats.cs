using OpenCvSharp;

namespace Redactor.OpenCv;

internal static class FrameMats
{
    /// <summary>A new Mat (owned by the caller) holding <paramref name="roi"/> of the frame resized to
    /// <paramref name="width"/>×<paramref name="height"/>. The managed pixels are only borrowed inside this call.</summary>
    public static unsafe Mat Scaled(Frame frame, PixelRect roi, int width, int height)
    {
        var result = new Mat();
        fixed (byte* p = frame.Pixels)
        {
            using var whole = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, (IntPtr)p, frame.Stride);
            using var part = whole.SubMat(roi.Y, roi.Bottom, roi.X, roi.Right);
            if (width == roi.Width && height == roi.Height) part.CopyTo(result);
            else Cv2.Resize(part, result, new Size(width, height), 0, 0, width < roi.Width ? InterpolationFlags.Area : InterpolationFlags.Linear);
        }
        return result;
    }
}
