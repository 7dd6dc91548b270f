namespace Redactor;

/// <summary>
/// How the picture moved from one frame to the next, as pan and zoom (a similarity without rotation): a point at
/// (x, y) in the earlier frame is at (Scale·x + Dx, Scale·y + Dy) in the later one, in frame pixels.
/// </summary>
public readonly record struct CameraStep(float Scale, float Dx, float Dy)
{
    public static CameraStep Identity => new(1, 0, 0);

    /// <summary>Where a box of the earlier frame is in the later one.</summary>
    public Box Forward(Box b) => Box.FromCenter(Scale * b.CenterX + Dx, Scale * b.CenterY + Dy, b.Width * Scale, b.Height * Scale);

    /// <summary>Where a box of the later frame was in the earlier one.</summary>
    public Box Backward(Box b) => Box.FromCenter((b.CenterX - Dx) / Scale, (b.CenterY - Dy) / Scale, b.Width / Scale, b.Height / Scale);
}

/// <summary>
/// Estimates the camera's move between two frames from the faces seen in both (the same track's detections).
/// In a crowd most faces move with the camera, and a few boxes jump (a detector's box on a neighbour, a poor box):
/// a least-squares fit of the centres, refitted without the boxes that stray from it, follows the many.
/// </summary>
public static class CameraMotion
{
    /// <summary>Zoom beyond this a frame is not a camera move but a bad fit.</summary>
    private const float MaxScaleStep = 1.25f;

    /// <summary>Residual (pixels) under which a face counts as following the fit, whatever the spread of the rest:
    /// detectors' boxes jitter by about a pixel.</summary>
    private const float JitterPixels = 1.5f;

    /// <returns>The move, or null with fewer than <paramref name="minFaces"/> faces: with one or two, their own motion
    /// cannot be told from the camera's.</returns>
    public static CameraStep? Estimate(ReadOnlySpan<(Box From, Box To)> pairs, int minFaces = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minFaces, 1);
        if (pairs.Length < minFaces) return null;
        var keep = new bool[pairs.Length];
        Array.Fill(keep, true);
        var residual = new float[pairs.Length];
        CameraStep step = CameraStep.Identity;
        for (int round = 0; round < 4; round++)
        {
            step = Fit(pairs, keep);
            int kept = 0;
            for (int i = 0; i < pairs.Length; i++)
            {
                var p = step.Forward(pairs[i].From);
                residual[i] = MathF.Sqrt(Sq(p.CenterX - pairs[i].To.CenterX) + Sq(p.CenterY - pairs[i].To.CenterY));
                if (keep[i]) kept++;
            }
            var keptResiduals = new float[kept];
            for (int i = 0, j = 0; i < pairs.Length; i++) if (keep[i]) keptResiduals[j++] = residual[i];
            float limit = Math.Max(2.5f * Median(keptResiduals), JitterPixels);
            bool changed = false;
            for (int i = 0; i < pairs.Length; i++)
            {
                bool k = residual[i] <= limit;
                changed |= k != keep[i];
                keep[i] = k;
            }
            if (!changed || !keep.Contains(true)) break;
        }
        return step;
    }

    private static CameraStep Fit(ReadOnlySpan<(Box From, Box To)> pairs, bool[] keep)
    {
        double px = 0, py = 0, qx = 0, qy = 0;
        int n = 0;
        for (int i = 0; i < pairs.Length; i++)
        {
            if (!keep[i]) continue;
            px += pairs[i].From.CenterX; py += pairs[i].From.CenterY; qx += pairs[i].To.CenterX; qy += pairs[i].To.CenterY;
            n++;
        }
        if (n == 0) return CameraStep.Identity;
        px /= n; py /= n; qx /= n; qy /= n;
        double cross = 0, spread = 0;
        for (int i = 0; i < pairs.Length; i++)
        {
            if (!keep[i]) continue;
            double ax = pairs[i].From.CenterX - px, ay = pairs[i].From.CenterY - py;
            cross += ax * (pairs[i].To.CenterX - qx) + ay * (pairs[i].To.CenterY - qy);
            spread += ax * ax + ay * ay;
        }
        // Faces bunched within a few pixels say nothing about zoom from their positions; their sizes do.
        double scale = n >= 2 && spread > 100 ? cross / spread : SizeRatio(pairs, keep);
        scale = Math.Clamp(scale, 1 / MaxScaleStep, MaxScaleStep);
        return new CameraStep((float)scale, (float)(qx - scale * px), (float)(qy - scale * py));
    }

    private static double SizeRatio(ReadOnlySpan<(Box From, Box To)> pairs, bool[] keep)
    {
        var ratios = new List<float>();
        for (int i = 0; i < pairs.Length; i++)
            if (keep[i] && pairs[i].From.Area > 0) ratios.Add(MathF.Sqrt(pairs[i].To.Area / pairs[i].From.Area));
        return ratios.Count == 0 ? 1 : Median([.. ratios]);
    }

    private static float Median(float[] values)
    {
        if (values.Length == 0) return 0;
        Array.Sort(values);
        int m = values.Length / 2;
        return values.Length % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }

    private static float Sq(float v) => v * v;
}
