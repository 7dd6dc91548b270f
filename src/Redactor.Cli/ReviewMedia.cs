using System.Collections.Concurrent;
using Redactor.OpenCv;
using Redactor.Review;

namespace Redactor.Cli;

/// <summary>
/// The review page's pictures and render: a video's from its <see cref="FrameCache"/>, photos decoded on first view
/// (as <c>redact</c> reads them: turned upright, transparency flattened) and kept in memory as small JPEGs.
/// </summary>
/// <param name="input">The video, or the folder the plan's photo paths are relative to.</param>
/// <param name="items">The plan's items (only their paths and identities are read: a review never changes them).</param>
internal sealed class ReviewMedia(string input, IReadOnlyList<PlanItem> items, FrameCache? video,
    Func<ReviewPlan, RedactionOptions, IProgress<double>, CancellationToken, ExportResult> export) : IReviewMedia
{
    /// <summary>Photos are shown at most this size (pixels, long side) in the page.</summary>
    public const int MaxPhotoSide = 1600;

    private readonly ConcurrentDictionary<int, byte[]> _photos = new();

    public byte[] FrameJpeg(int item, long frame, CancellationToken ct)
    {
        if (video is not null) return video.Get(frame);
        if (frame != 0) throw new ArgumentOutOfRangeException(nameof(frame), frame, "a photo has one frame (0)");
        return Photo(item);
    }

    public byte[] PreviewJpeg(int item, long frame, IReadOnlyList<Region> regions, RedactionOptions style, CancellationToken ct)
    {
        var picture = PreviewPictures.Decode(FrameJpeg(item, frame, ct));
        var stored = StoredSize(item);
        // Regions are in the stored picture's pixels; the picture is smaller (and in square pixels): scale each box, and the
        // mask's margin by the mean scale, so the preview covers what the render will.
        float sx = (float)picture.Width / stored.Width, sy = (float)picture.Height / stored.Height;
        var scaled = regions.Select(r => r with { Box = new Box(r.Box.X * sx, r.Box.Y * sy, r.Box.Width * sx, r.Box.Height * sy) }).ToList();
        var options = new RedactionOptions(style.Style, style.Shape, style.MaskScale, style.Color, style.CellsAcross, style.NoiseAmplitude,
            style.Seed, Math.Clamp(style.MaskMargin * (sx + sy) / 2, 0, 64), style.LargeFaceGrowth);
        new FrameRedactor(options).Apply(picture, scaled);
        return PreviewPictures.Encode(picture, picture.Width, picture.Height, FrameCache.Quality);
    }

    public ExportResult Export(ReviewPlan plan, RedactionOptions style, IProgress<double> progress, CancellationToken ct) =>
        export(plan, style, progress, ct);

    /// <summary>The stored picture's size, which plan boxes are in.</summary>
    private (int Width, int Height) StoredSize(int item) => (items[item].Identity.Width, items[item].Identity.Height);

    /// <summary>A photo item's file.</summary>
    internal string FileOf(int item) => Path.Combine(input, items[item].Path.Replace('/', Path.DirectorySeparatorChar));

    private byte[] Photo(int item) => _photos.GetOrAdd(item, i =>
    {
        var frame = ImageFiles.Read(FileOf(i));
        var size = PreviewPictures.Fit(frame.Width, frame.Height, MaxPhotoSide, MaxPhotoSide);
        return PreviewPictures.Encode(frame, size.Width, size.Height, FrameCache.Quality);
    });
}
