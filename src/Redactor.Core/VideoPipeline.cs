using System.Collections.Concurrent;

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
    /// <summary>
    /// First pass. With several detectors (one per worker thread; detectors are not thread-safe), frames are
    /// detected concurrently while this thread decodes and spots cuts, which must see frames in order. Frame
    /// buffers come from a fixed pool of two per worker, so memory is bounded whatever the video's length.
    /// </summary>
    public static List<FrameDetections> Detect(
        IFrameSource source, IReadOnlyList<IFaceDetector> detectors, IProgress<PipelineProgress>? progress, CancellationToken ct)
    {
        if (detectors.Count == 0) throw new ArgumentException("at least one detector is needed", nameof(detectors));
        var cuts = new SceneCutDetector();
        var results = new List<FrameDetections?>();
        if (detectors.Count == 1)
        {
            var frame = new Frame(source.Width, source.Height);
            while (source.Read(frame, ct))
            {
                bool cut = cuts.IsCut(frame);
                results.Add(new FrameDetections(frame.Index, frame.Time, detectors[0].Detect(frame), cut));
                progress?.Report(new PipelineProgress("detect", results.Count, source.FrameCountHint));
            }
            return results.Select(r => r!).ToList();
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var free = new BlockingCollection<Frame>();
        using var work = new BlockingCollection<(Frame Frame, bool Cut)>(detectors.Count * 2);
        for (int i = 0; i < detectors.Count * 2 + 1; i++) free.Add(new Frame(source.Width, source.Height));
        long completed = 0;
        var workers = detectors.Select(detector => Task.Run(() =>
        {
            try
            {
                foreach (var (frame, cut) in work.GetConsumingEnumerable(stop.Token))
                {
                    var found = detector.Detect(frame);
                    lock (results) results[(int)frame.Index] = new FrameDetections(frame.Index, frame.Time, found, cut);
                    Interlocked.Increment(ref completed);
                    free.Add(frame);
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        })).ToArray();

        bool readAll = false;
        try
        {
            while (true)
            {
                var frame = free.Take(stop.Token);
                if (!source.Read(frame, stop.Token)) break;
                bool cut = cuts.IsCut(frame);
                lock (results) results.Add(null);
                work.Add((frame, cut), stop.Token);
                progress?.Report(new PipelineProgress("detect", Interlocked.Read(ref completed), source.FrameCountHint));
            }
            readAll = true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A worker failed and stopped the reader; its own error is thrown below.
        }
        finally
        {
            if (!readAll) stop.Cancel();
            work.CompleteAdding();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException all) when (!ct.IsCancellationRequested
                && all.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) is { } first)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
            catch (AggregateException)
            {
                // Workers stopped by cancellation or by the reader's own error, which propagates.
            }
        }
        progress?.Report(new PipelineProgress("detect", results.Count, source.FrameCountHint));
        return results.Select(r => r!).ToList();
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
