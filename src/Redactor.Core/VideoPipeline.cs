using System.Collections.Concurrent;

namespace Redactor;

/// <summary>What the second pass did: frames written and regions covered in them.</summary>
public readonly record struct RenderResult(long Frames, long Regions);

/// <summary>Where a long job stands, for progress display.</summary>
public readonly record struct PipelineProgress(string Stage, long Done, long? Total);

/// <summary>
/// Frames flow source → detector → tracker → redactor → sink in two passes over the file: the first
/// decodes every frame, detects faces and cuts, and keeps only the (small) detections; the second decodes again, and
/// the tracker works out each frame's regions from the detections a window around it while the frames are redacted
/// and encoded, the stages concurrently. No frame is kept between passes, and no region: what the video keeps is its
/// detections, which the second pass lets go of as it reads them.
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
                var shift = cuts.Shift(frame);
                results.Add(new FrameDetections(frame.Index, frame.Time, Compact(detectors[0].Detect(frame)), cut) { Shift = shift });
                progress?.Report(new PipelineProgress("detect", results.Count, source.FrameCountHint));
            }
            return results.Select(r => r!).ToList();
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var free = new BlockingCollection<Frame>();
        using var work = new BlockingCollection<(Frame Frame, bool Cut, PictureShift? Shift)>(detectors.Count * 2);
        for (int i = 0; i < detectors.Count * 2 + 1; i++) free.Add(new Frame(source.Width, source.Height));
        long completed = 0;
        var workers = detectors.Select(detector => Task.Run(() =>
        {
            try
            {
                foreach (var (frame, cut, shift) in work.GetConsumingEnumerable(stop.Token))
                {
                    var found = Compact(detector.Detect(frame));
                    lock (results) results[(int)frame.Index] = new FrameDetections(frame.Index, frame.Time, found, cut) { Shift = shift };
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
                var shift = cuts.Shift(frame);
                lock (results) results.Add(null);
                work.Add((frame, cut, shift), stop.Token);
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
            WaitForStages(ct, rethrow: true, workers);
        }
        progress?.Report(new PipelineProgress("detect", results.Count, source.FrameCountHint));
        return results.Select(r => r!).ToList();
    }

    /// <summary>A frame's detections as kept until the second pass: an array, without a list's spare capacity (up to half
    /// again, for an hour of crowd video a hundred MiB).</summary>
    private static Detection[] Compact(IReadOnlyList<Detection> found) => [.. found];

    /// <summary>
    /// Second pass. Decoding, redaction and encoding overlap: a reader task decodes into a fixed pool of frame
    /// buffers, a redactor task covers the regions, and this thread hands frames to the sink, in order. The queues
    /// between them are bounded (the pool holds <see cref="RenderBuffers"/> frames), so a slow encoder holds the
    /// decoder back instead of buffering video. Serial, the redaction waited for the encoder and the encoder for it:
    /// on wider-720p with the blur, read 3.4 s + redact 7.4 s + write 9.5 s one after another.
    /// </summary>
    /// <param name="regions">Each frame's regions in frame order, enumerated once as the frames are redacted (a tracker's
    /// output is worked out then).</param>
    /// <param name="frameCount">Frames the first pass decoded: the second must decode as many.</param>
    public static RenderResult Render(
        IFrameSource source, IEnumerable<IReadOnlyList<Region>> regions, long frameCount, FrameRedactor redactor, IFrameSink sink,
        IProgress<PipelineProgress>? progress, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var free = new BlockingCollection<Frame>();
        using var decoded = new BlockingCollection<Frame>(RenderBuffers);
        using var redacted = new BlockingCollection<Frame>(RenderBuffers);
        for (int i = 0; i < RenderBuffers; i++) free.Add(new Frame(source.Width, source.Height));

        var reader = Stage(stop, decoded, () =>
        {
            long n = 0;
            while (true)
            {
                var frame = free.Take(stop.Token);
                if (!source.Read(frame, stop.Token)) break;
                if (n >= frameCount)
                    throw new MediaException($"the decoder returned more frames on the second pass than on the first ({frameCount})");
                frame.Index = n++;
                decoded.Add(frame, stop.Token);
            }
            if (n != frameCount)
                throw new MediaException($"the decoder returned {n} frames on the second pass but {frameCount} on the first");
        });
        long covered = 0;
        var covering = Stage(stop, redacted, () =>
        {
            using var next = regions.GetEnumerator();
            foreach (var frame in decoded.GetConsumingEnumerable(stop.Token))
            {
                if (!next.MoveNext()) throw new InvalidOperationException($"no regions for frame {frame.Index}");
                redactor.Apply(frame, next.Current);
                covered += next.Current.Count;
                redacted.Add(frame, stop.Token);
            }
        });

        long written = 0;
        bool failed = false;
        try
        {
            foreach (var frame in redacted.GetConsumingEnumerable(stop.Token))
            {
                sink.Write(frame, stop.Token);
                free.Add(frame);
                written++;
                progress?.Report(new PipelineProgress("redact", written, frameCount));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A stage failed and stopped the others; its own error is thrown below.
        }
        catch
        {
            failed = true;
            stop.Cancel();
            throw;
        }
        finally
        {
            // Stages blocked on a full queue or an empty pool wake up on cancellation. While the sink's own error is
            // on its way out, theirs (caused by it, or later) must not replace it.
            if (written != frameCount) stop.Cancel();
            WaitForStages(ct, rethrow: !failed, reader, covering);
        }
        ct.ThrowIfCancellationRequested();
        // A stage that stopped without an error of its own (a source cancelling by itself) must not pass for a whole video.
        if (written != frameCount)
            throw new MediaException($"the second pass stopped after {written} of {frameCount} frames");
        return new RenderResult(written, covered);
    }

    /// <summary>
    /// The first pass's detections handed over one frame at a time, each let go of in <paramref name="frames"/> once
    /// handed: the second pass reads them in order, and an hour of crowd video holds hundreds of MiB of them.
    /// </summary>
    public static IEnumerable<FrameDetections> Handing(List<FrameDetections> frames)
    {
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            frames[i] = null!;
            yield return f;
        }
    }

    /// <summary>Frame buffers in flight in the second pass: one being decoded, redacted and encoded, one queued
    /// between each pair of stages, one spare.</summary>
    private const int RenderBuffers = 6;

    /// <summary>Runs one stage; when it ends its output is complete, when it fails the other stages stop.</summary>
    private static Task Stage(CancellationTokenSource stop, BlockingCollection<Frame> output, Action body) => Task.Run(() =>
    {
        try
        {
            body();
        }
        catch
        {
            stop.Cancel();
            throw;
        }
        finally
        {
            output.CompleteAdding();
        }
    });

    /// <summary>Waits for stages and, when <paramref name="rethrow"/>, rethrows the first real failure among them (not the
    /// cancellations it caused).</summary>
    private static void WaitForStages(CancellationToken ct, bool rethrow, params Task[] stages)
    {
        try
        {
            Task.WaitAll(stages);
        }
        catch (AggregateException all) when (rethrow && !ct.IsCancellationRequested
            && all.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
        catch (AggregateException)
        {
            // Cancelled by the caller: the OperationCanceledException below says so.
        }
    }
}
