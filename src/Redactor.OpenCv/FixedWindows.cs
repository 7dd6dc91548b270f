using OpenCvSharp;

namespace Redactor.OpenCv;

/// <summary>
/// Runs a network that only accepts one input size over any region at any scale: the region is scaled, cut into
/// windows of the network's size overlapping by a quarter, and the last windows padded with a neutral colour, so
/// no face is stretched. Detections come back in frame pixels.
/// </summary>
internal static class FixedWindows
{
    /// <summary>Windows overlap by their side divided by this (a quarter).</summary>
    public const int OverlapDivisor = 4;

    /// <param name="run">Detects in one <paramref name="width"/>×<paramref name="height"/> BGR window; boxes in window pixels.
    /// The window Mat is owned by the caller and only valid during the call.</param>
    public static IReadOnlyList<Detection> Detect(
        Frame frame, PixelRect roi, float scale, int width, int height, Scalar pad, Func<Mat, List<Detection>> run)
    {
        int w = Math.Max(1, (int)Math.Round(roi.Width * scale));
        int h = Math.Max(1, (int)Math.Round(roi.Height * scale));
        var all = new List<Detection>();
        using (var scaled = FrameMats.Scaled(frame, roi, w, h))
        {
            foreach (var (x0, tw) in ScalePlanner.Spans(w, width, width / OverlapDivisor))
                foreach (var (y0, th) in ScalePlanner.Spans(h, height, height / OverlapDivisor))
                {
                    using var window = new Mat(scaled, new Rect(x0, y0, tw, th));
                    using var input = new Mat();
                    Cv2.CopyMakeBorder(window, input, 0, height - th, 0, width - tw, BorderTypes.Constant, pad);
                    foreach (var d in run(input))
                        all.Add(new Detection(new Box(roi.X + (x0 + d.Box.X) / scale, roi.Y + (y0 + d.Box.Y) / scale, d.Box.Width / scale, d.Box.Height / scale), d.Score));
                }
        }
        // Raw anchors overlap heavily: suppress at a lower IoU than the merge across passes.
        return BoxMerger.Merge(all, iouThreshold: 0.4f);
    }
}
