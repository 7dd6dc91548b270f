namespace Redactor;

/// <summary>One run of the face model: the frame area it sees (source pixels), the resize factor applied to it, and
/// the tallest face (source pixels) this pass is trusted with. Larger boxes from it are dropped: a coarser pass sees
/// such faces at a size the model knows, and oversized boxes from fine passes are mostly false (flags, walls).</summary>
public readonly record struct DetectionPass(PixelRect Roi, float Scale, float MaxFace = float.PositiveInfinity);

/// <summary>Where and at which scales a face model searches a frame of a given size (source pixels).</summary>
public interface IScalePlan
{
    IReadOnlyList<DetectionPass> Plan(int width, int height);
}

/// <summary>
/// Chooses where and at which scales to search a frame. YuNet finds faces of roughly
/// <see cref="ModelMinFace"/>..<see cref="ModelMaxFace"/> pixels in the picture it is given, so a frame is
/// searched at full resolution (in tiles when large), downscaled for close-ups, and upscaled when faces
/// smaller than the model's minimum are wanted and the cost stays within <see cref="UpscaleBudgetPixels"/>.
/// </summary>
public sealed record ScalePlanner : IScalePlan
{
    /// <summary>Smallest face (pixels, in the model's input) the model finds reliably.</summary>
    public const float ModelMinFace = 16;
    /// <summary>Largest face (pixels, in the model's input) the model finds reliably.</summary>
    public const float ModelMaxFace = 280;

    public ScalePlanner(float minFace = 10, int tileSize = 1280, int upscaleBudgetPixels = 2_400_000)
    {
        if (!(minFace >= 4 && minFace <= 512)) throw new ArgumentOutOfRangeException(nameof(minFace), minFace, "min face must be 4..512 px");
        if (tileSize < 320) throw new ArgumentOutOfRangeException(nameof(tileSize));
        MinFace = minFace;
        TileSize = tileSize;
        UpscaleBudgetPixels = upscaleBudgetPixels;
    }

    /// <summary>Smallest face height, in source pixels, the plan tries to find.</summary>
    public float MinFace { get; }

    /// <summary>Largest side of a tile when a scaled frame is too large to search whole.</summary>
    public int TileSize { get; }

    /// <summary>Most scaled pixels an upscaled pass may cost (it is skipped above this); also the largest scaled frame
    /// searched whole, without tiles.</summary>
    public int UpscaleBudgetPixels { get; }

    /// <summary>Most a frame is enlarged: enough to bring <see cref="MinFace"/>-sized faces to the model's minimum.</summary>
    public float MaxUpscale => Math.Max(1f, ModelMinFace / MinFace);

    public IReadOnlyList<DetectionPass> Plan(int width, int height)
    {
        var passes = new List<DetectionPass>();
        var whole = new PixelRect(0, 0, width, height);
        int longSide = Math.Max(width, height);

        // Close-ups: faces larger than the model's maximum at full size are found on a downscaled copy.
        float down = 640f / longSide;
        if (down < 0.9f) passes.Add(new DetectionPass(whole, down));
        // The faces of a third of the picture or more need a still smaller copy.
        float down2 = 320f / longSide;
        if (down2 < 0.45f && longSide * ModelMinFace / ModelMaxFace * 3 > 320) passes.Add(new DetectionPass(whole, down2));

        // Full resolution, or upscaled so that MinFace-sized faces reach the model's minimum.
        float up = MaxUpscale;
        if (up > 1f && (double)width * height * up * up > UpscaleBudgetPixels) up = 1f;
        if (up > 1f) AddTiled(passes, width, height, up);
        else if (down < 0.6f) AddTiled(passes, width, height, MidScale);
        AddTiled(passes, width, height, 1f);

        float coarsest = passes.Min(p => p.Scale);
        return passes.Select(p => p.Scale == coarsest ? p : p with { MaxFace = ModelMaxFace * TrustMargin / p.Scale }).ToList();
    }

    /// <summary>
    /// Scale of the extra pass for frames too large for an upscaled pass (1080p and up). A face seen at two scales
    /// is found more often than at one: on 720p video, removing one of three overlapping passes left 12.2% of
    /// face-frames visible instead of 10.0%. Without it, faces of 16-48 px in 1080p are seen by the 1x pass only.
    /// </summary>
    private const float MidScale = 2f / 3;

    /// <summary>Longest side, in the model's input, of a pass searched whole.</summary>
    private const int MaxWholeSide = 4096;

    /// <summary>How far past <see cref="ModelMaxFace"/> a fine pass's box may go before a coarser pass takes over.</summary>
    private const float TrustMargin = 1.15f;

    /// <summary>
    /// The whole frame in one input while its scaled size stays within the budget (and no side beyond
    /// <see cref="MaxWholeSide"/>, so a panorama is still tiled): on wider-720p the 1.6x pass as one 2048x1152 input
    /// instead of two tiles took detection from 61-65 to 52-53 CPU-s and left fewer faces exposed
    /// (9.3% against 9.9%), since no face is cut by a tile edge; it costs about 90 MiB more peak memory per detection worker. Larger
    /// frames (4K) are cut into tiles overlapping by the largest face the model finds, so every face lies wholly in
    /// some tile.
    /// </summary>
    private void AddTiled(List<DetectionPass> passes, int width, int height, float scale)
    {
        if ((double)width * height * scale * scale <= UpscaleBudgetPixels && Math.Max(width, height) * scale <= MaxWholeSide)
        {
            passes.Add(new DetectionPass(new PixelRect(0, 0, width, height), scale));
            return;
        }
        int tile = (int)(TileSize / scale);
        int overlap = (int)Math.Min(tile / 2, ModelMaxFace / scale);
        foreach (var (x, w) in Spans(width, tile, overlap))
            foreach (var (y, h) in Spans(height, tile, overlap))
                passes.Add(new DetectionPass(new PixelRect(x, y, w, h), scale));
    }

    public static IEnumerable<(int Start, int Length)> Spans(int total, int tile, int overlap)
    {
        if (total <= tile) { yield return (0, total); yield break; }
        int step = tile - overlap;
        int count = (int)Math.Ceiling((double)(total - tile) / step) + 1;
        for (int i = 0; i < count; i++)
        {
            // Spread tiles evenly so the last one ends exactly at the edge.
            int start = (int)Math.Round((double)(total - tile) * i / (count - 1));
            yield return (start, tile);
        }
    }
}

/// <summary>
/// One pass over the whole frame, scaled to fit <see cref="LongSide"/> × <see cref="ShortSide"/> (sides swapped for
/// a portrait frame) and enlarged by at most <see cref="MaxScale"/>: a fixed cost a frame whatever its size. For a
/// second model beside the main one's multi-scale search, where a different model finds faces the first misses
/// (turned, shadowed, partly covered) at a price known in advance.
/// </summary>
public sealed record FittedPlan : IScalePlan
{
    public FittedPlan(int longSide, int shortSide, float maxScale)
    {
        if (shortSide < 32) throw new ArgumentOutOfRangeException(nameof(shortSide), shortSide, "the short side must be at least 32");
        if (longSide < shortSide) throw new ArgumentOutOfRangeException(nameof(longSide), longSide, "the long side must not be shorter than the short side");
        // 4 is the most ScalePlanner.MaxUpscale can be (16 px model minimum over the 4 px smallest --min-face).
        if (!(maxScale > 0 && maxScale <= 4)) throw new ArgumentOutOfRangeException(nameof(maxScale), maxScale, "max scale must be in (0, 4]");
        LongSide = longSide;
        ShortSide = shortSide;
        MaxScale = maxScale;
    }

    public int LongSide { get; }
    public int ShortSide { get; }
    public float MaxScale { get; }

    public IReadOnlyList<DetectionPass> Plan(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        float scale = Math.Min(MaxScale, Math.Min((float)LongSide / Math.Max(width, height), (float)ShortSide / Math.Min(width, height)));
        return [new DetectionPass(new PixelRect(0, 0, width, height), scale)];
    }
}
