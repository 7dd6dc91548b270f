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
/// In a crowd most faces move with the camera, and a few boxes jump (a detector's box on a neighbour, a poor box).
/// A least-squares fit alone leans towards a jumped box and, with few faces, never sheds it; so the fit starts from
/// the move that leaves the smallest median error among the moves two faces define (least median of squares), keeps
/// the faces that follow that, and fits them by least squares.
/// </summary>
public static class CameraMotion
{
    /// <summary>A zoom beyond this in one frame is not a camera move but a bad fit: no estimate.</summary>
    private const float MaxScaleStep = 1.1f;

    /// <summary>Residual (pixels) under which a face counts as following the fit, whatever the spread of the rest:
    /// detectors' boxes jitter by about a pixel.</summary>
    private const float JitterPixels = 1.5f;

    /// <summary>Faces closer together than this (pixels, root mean square from their centre) say nothing reliable about
    /// zoom: a pixel of jitter on faces 14 px apart reads as a 7% zoom, which a hold multiplies far from them.</summary>
    private const float MinZoomSpread = 50f;

    /// <summary>Largest residual, as a share of the median face width, of a face that follows the camera.</summary>
    private const float MaxResidualOfWidth = 0.2f;

    /// <summary>Face pairs tried for the starting move; beyond this many, an even sample of them.</summary>
    private const int MaxSeeds = 200;

    /// <returns>The move, or null: fewer than <paramref name="minFaces"/> faces, or fewer following the fit (with one
    /// or two, their own motion cannot be told from the camera's), or a fit that is not a plausible camera move.</returns>
    public static CameraStep? Estimate(ReadOnlySpan<(Box From, Box To)> pairs, int minFaces = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minFaces, 1);
        int n = pairs.Length;
        if (n < minFaces) return null;
        foreach (var (a, b) in pairs)
            if (!float.IsFinite(a.CenterX + a.CenterY + b.CenterX + b.CenterY)) return null;

        var residual = new float[n];
        var seed = Seed(pairs, residual);
        // Following the camera means within a few times the typical error, and never by a fifth of a face a frame: with
        // few faces the median error itself can be one face's own motion.
        for (int i = 0; i < n; i++) residual[i] = pairs[i].From.Width;
        float faceWidth = Median(residual.AsSpan(0, n));
        float limit = Math.Max(Math.Min(2.5f * MedianResidual(pairs, seed, residual), MaxResidualOfWidth * faceWidth), JitterPixels);
        var keep = new bool[n];
        for (int i = 0; i < n; i++) keep[i] = Residual(pairs[i], seed) <= limit;
        for (int round = 0; round < 3; round++)
        {
            if (keep.Count(k => k) < minFaces) return null;
            var step = Fit(pairs, keep);
            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                bool k = Residual(pairs[i], step) <= limit;
                changed |= k != keep[i];
                keep[i] = k;
            }
            if (!changed) return Plausible(step);
        }
        return keep.Count(k => k) < minFaces ? null : Plausible(Fit(pairs, keep));
    }

    private static CameraStep? Plausible(CameraStep s) =>
        float.IsFinite(s.Scale) && float.IsFinite(s.Dx) && float.IsFinite(s.Dy) && s.Scale >= 1 / MaxScaleStep && s.Scale <= MaxScaleStep ? s : null;

    /// <summary>The move defined by two faces (pan from their midpoint, zoom from their distance when they are far
    /// enough apart, else none) with the smallest median residual over all faces; a pure pan from one face when there
    /// is one.</summary>
    private static CameraStep Seed(ReadOnlySpan<(Box From, Box To)> pairs, float[] scratch)
    {
        int n = pairs.Length;
        CameraStep best = Translation(pairs[0]);
        float bestMedian = MedianResidual(pairs, best, scratch);
        long combos = (long)n * (n - 1) / 2;
        long stride = Math.Max(1, combos / MaxSeeds);
        long c = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, c++)
            {
                if (c % stride != 0) continue;
                var (a, b) = (pairs[i], pairs[j]);
                float dx = b.From.CenterX - a.From.CenterX, dy = b.From.CenterY - a.From.CenterY;
                float ex = b.To.CenterX - a.To.CenterX, ey = b.To.CenterY - a.To.CenterY;
                float d = MathF.Sqrt(dx * dx + dy * dy);
                float scale = d >= 2 * MinZoomSpread ? MathF.Sqrt(ex * ex + ey * ey) / d : 1;
                float mx = (a.From.CenterX + b.From.CenterX) / 2, my = (a.From.CenterY + b.From.CenterY) / 2;
                float nx = (a.To.CenterX + b.To.CenterX) / 2, ny = (a.To.CenterY + b.To.CenterY) / 2;
                var s = new CameraStep(scale, nx - scale * mx, ny - scale * my);
                float m = MedianResidual(pairs, s, scratch);
                if (m < bestMedian) (best, bestMedian) = (s, m);
            }
        return best;
    }

    private static CameraStep Translation((Box From, Box To) p) => new(1, p.To.CenterX - p.From.CenterX, p.To.CenterY - p.From.CenterY);

    private static float Residual((Box From, Box To) p, CameraStep s)
    {
        float x = s.Scale * p.From.CenterX + s.Dx - p.To.CenterX, y = s.Scale * p.From.CenterY + s.Dy - p.To.CenterY;
        return MathF.Sqrt(x * x + y * y);
    }

    private static float MedianResidual(ReadOnlySpan<(Box From, Box To)> pairs, CameraStep s, float[] scratch)
    {
        for (int i = 0; i < pairs.Length; i++) scratch[i] = Residual(pairs[i], s);
        return Median(scratch.AsSpan(0, pairs.Length));
    }

    /// <summary>Median of <paramref name="values"/>, which it sorts.</summary>
    private static float Median(Span<float> values)
    {
        values.Sort();
        int m = values.Length / 2;
        return values.Length % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }

    /// <summary>Least squares over the kept faces; zoom only when they are spread widely enough to show it.</summary>
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
        double scale = spread / n >= MinZoomSpread * MinZoomSpread ? cross / spread : 1;
        return new CameraStep((float)scale, (float)(qx - scale * px), (float)(qy - scale * py));
    }
}
