namespace Redactor;

/// <summary>Where a long job stands, for progress display.</summary>
public readonly record struct PipelineProgress(string Stage, long Done, long? Total);

/// <summary>
/// Frames flow source → detector → tracker → redactor → sink in two passes over the file: the first
/// decodes every frame, detects faces and cuts, and keeps only the (small) detections; the tracker then
/// sees the whole video at once; the second pass decodes again, redacts and encodes. No frame is kept
/// between passes, so memory does not grow with the video's length.
/// </summary>
public static class VideoPipeline
{
    public static List<FrameDetections> Detect(
        IFrameSource source, IFaceDetector detector, IProgress<PipelineProgress>? progress, CancellationToken ct)
    {
        var result = new List<FrameDetections>();
        var cuts = new SceneCutDetector();
        var frame = new Frame(source.Width, source.Height);
        while (source.Read(frame, ct))
        {
            ct.ThrowIfCancellationRequested();
            bool cut = cuts.IsCut(frame);
            result.Add(new FrameDetections(frame.Index, frame.Time, detector.Detect(frame), cut));
            progress?.Report(new PipelineProgress("detect", result.Count, source.FrameCountHint));
        }
        return result;
    }

    public static long Render(
        IFrameSource source, IReadOnlyList<IReadOnlyList<Region>> regions, FrameRedactor redactor, IFrameSink sink,
        IProgress<PipelineProgress>? progress, CancellationToken ct)
    {
        var frame = new Frame(source.Width, source.Height);
        long n = 0;
        while (source.Read(frame, ct))
        {
            ct.ThrowIfCancellationRequested();
            if (n >= regions.Count)
                throw new MediaException($"the decoder returned more frames on the second pass than on the first ({regions.Count})");
            redactor.Apply(frame, regions[(int)n].Select(r => r.Box));
            sink.Write(frame, ct);
            n++;
            progress?.Report(new PipelineProgress("redact", n, regions.Count));
        }
        if (n != regions.Count)
            throw new MediaException($"the decoder returned {n} frames on the second pass but {regions.Count} on the first");
        return n;
    }
}
