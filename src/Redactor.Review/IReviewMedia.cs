namespace Redactor.Review;

/// <summary>
/// The pictures and the render behind the review page, given by the composition root (the CLI, with OpenCV and
/// ffmpeg): the server itself handles no native type. Items and frames are as in the plan.
/// </summary>
public interface IReviewMedia
{
    /// <summary>The frame as the input shows it (JPEG): the whole picture at display aspect, no crop or padding (the page
    /// scales plan boxes, in stored pixels, by the picture's size over <see cref="MediaIdentity.Width"/> / Height).</summary>
    byte[] FrameJpeg(int item, long frame, CancellationToken ct);

    /// <summary>The same picture with <paramref name="regions"/> (stored pixels) covered by the real renderer in
    /// <paramref name="style"/> (JPEG).</summary>
    byte[] PreviewJpeg(int item, long frame, IReadOnlyList<Region> regions, RedactionOptions style, CancellationToken ct);

    /// <summary>Writes the redacted output(s) of <paramref name="plan"/> (a snapshot: edits made meanwhile are not
    /// in it) and returns where they went. <paramref name="progress"/> gets 0..1.</summary>
    ExportResult Export(ReviewPlan plan, RedactionOptions style, IProgress<double> progress, CancellationToken ct);
}

/// <summary>What an export wrote: output files, and the summary lines shown in the page and printed.</summary>
public sealed record ExportResult(IReadOnlyList<string> Outputs, IReadOnlyList<string> Summary);
