namespace Redactor;

/// <summary>
/// Spots hard cuts by comparing each frame with the one before on a coarse luma thumbnail and histogram.
/// Pans and zooms change both slowly; a cut changes both at once. Pure C#, samples a few thousand pixels a frame.
/// </summary>
public sealed class SceneCutDetector
{
    private const int GridW = 32, GridH = 18, Bins = 16;
    private float[]? _prevThumb;
    private float[]? _prevHist;

    /// <summary>Mean absolute luma difference (0..255) of the thumbnails above which a frame starts a new scene.</summary>
    public float ThumbThreshold { get; init; } = 30f;

    /// <summary>Histogram L1 distance (0..2) above which a frame starts a new scene.</summary>
    public float HistogramThreshold { get; init; } = 0.6f;

    /// <summary>True when <paramref name="frame"/> begins a new scene (never for the first frame).</summary>
    public bool IsCut(Frame frame)
    {
        var (thumb, hist) = Measure(frame);
        bool cut = false;
        if (_prevThumb is not null && _prevHist is not null)
        {
            float diff = 0, hd = 0;
            for (int i = 0; i < thumb.Length; i++) diff += Math.Abs(thumb[i] - _prevThumb[i]);
            for (int i = 0; i < Bins; i++) hd += Math.Abs(hist[i] - _prevHist[i]);
            diff /= thumb.Length;
            cut = diff > ThumbThreshold || (hd > HistogramThreshold && diff > ThumbThreshold / 3);
        }
        _prevThumb = thumb;
        _prevHist = hist;
        return cut;
    }

    private static (float[] Thumb, float[] Hist) Measure(Frame frame)
    {
        var thumb = new float[GridW * GridH];
        var hist = new float[Bins];
        var data = frame.Data;
        const int samples = 4; // samples a cell side
        int n = 0;
        for (int gy = 0; gy < GridH; gy++)
            for (int gx = 0; gx < GridW; gx++)
            {
                float sum = 0;
                for (int sy = 0; sy < samples; sy++)
                    for (int sx = 0; sx < samples; sx++)
                    {
                        int x = (int)((gx + (sx + 0.5f) / samples) * frame.Width / GridW);
                        int y = (int)((gy + (sy + 0.5f) / samples) * frame.Height / GridH);
                        int p = y * frame.Stride + x * 3;
                        float luma = 0.114f * data[p] + 0.587f * data[p + 1] + 0.299f * data[p + 2];
                        sum += luma;
                        hist[Math.Min(Bins - 1, (int)(luma * Bins / 256))]++;
                        n++;
                    }
                thumb[gy * GridW + gx] = sum / (samples * samples);
            }
        for (int i = 0; i < Bins; i++) hist[i] /= n;
        return (thumb, hist);
    }
}
