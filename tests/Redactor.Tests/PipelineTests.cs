using Xunit;

namespace Redactor.Tests;

public class PipelineTests
{
    /// <summary>Frames whose first byte is their index, so a detector can tell which frame it was given.</summary>
    private sealed class CountingSource(int frames) : IFrameSource
    {
        private int _next;
        public int Width => 8;
        public int Height => 8;
        public long? FrameCountHint => frames;

        public bool Read(Frame frame, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_next == frames) return false;
            frame.Pixels.AsSpan().Clear();
            frame.Pixels[0] = (byte)_next;
            frame.Index = _next++;
            frame.Time = frame.Index / 25.0;
            return true;
        }

        public void Dispose() { }
    }

    private sealed class EchoDetector(int seed, int failAt = -1) : IFaceDetector
    {
        private readonly Random _random = new(seed);

        public IReadOnlyList<Detection> Detect(Frame frame)
        {
            Thread.Sleep(_random.Next(0, 3));
            if (frame.Index == failAt) throw new MediaException("detector broke");
            return [new Detection(new Box(frame.Pixels[0], 0, 10, 10), 0.9f)];
        }

        public void Dispose() { }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Concurrent_detection_keeps_every_frame_in_order(int workers)
    {
        var detectors = Enumerable.Range(0, workers).Select(i => (IFaceDetector)new EchoDetector(i)).ToList();
        var result = VideoPipeline.Detect(new CountingSource(200), detectors, null, CancellationToken.None);
        Assert.Equal(200, result.Count);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(i, result[i].Index);
            Assert.Equal((byte)i, (byte)result[i].Detections.Single().Box.X);
        }
        // The picture's shift from the frame before reaches the tracker whichever worker detected the frame.
        Assert.Null(result[0].Shift);
        Assert.All(result.Skip(1), r => Assert.NotNull(r.Shift));
    }

    [Fact]
    public void A_failing_worker_reports_its_own_error()
    {
        var detectors = new IFaceDetector[] { new EchoDetector(1, failAt: 50), new EchoDetector(2, failAt: 50) };
        var e = Assert.Throws<MediaException>(() => VideoPipeline.Detect(new CountingSource(200), detectors, null, CancellationToken.None));
        Assert.Equal("detector broke", e.Message);
    }

    [Fact]
    public void Cancellation_stops_the_pass()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Done > 20) cts.Cancel(); });
        var detectors = new IFaceDetector[] { new EchoDetector(1), new EchoDetector(2) };
        Assert.ThrowsAny<OperationCanceledException>(() => VideoPipeline.Detect(new CountingSource(100_000), detectors, progress, cts.Token));
    }

    /// <summary>Keeps what it is given: the first byte of each frame and whether its region was filled.</summary>
    private sealed class RecordingSink(int failAt = -1) : IFrameSink
    {
        public List<(byte First, byte Covered)> Frames { get; } = [];

        public void Write(Frame frame, CancellationToken cancellationToken)
        {
            if (Frames.Count == failAt) throw new MediaException("encoder broke");
            Frames.Add((frame.Pixels[0], frame.Pixels[(4 * 8 + 4) * 3]));
        }

        public void Complete(CancellationToken cancellationToken) { }
        public void Dispose() { }
    }

    private static IReadOnlyList<Region>[] EveryOtherFrameCovered(int frames) => Enumerable.Range(0, frames)
        .Select(i => (IReadOnlyList<Region>)(i % 2 == 0 ? [new Region(new Box(2, 2, 5, 5), 1, null, RegionSource.Detected)] : []))
        .ToArray();

    private static FrameRedactor Fill => new(new RedactionOptions(RedactionStyle.Fill, MaskShape.Box, maskScale: 1, color: new Rgb(255, 255, 255), maskMargin: 0));

    [Fact]
    public void Render_writes_every_frame_in_order_with_its_own_regions()
    {
        var sink = new RecordingSink();
        var result = VideoPipeline.Render(new CountingSource(300), EveryOtherFrameCovered(300), 300, Fill, sink, null, CancellationToken.None);
        Assert.Equal(new RenderResult(300, 150), result);
        Assert.Equal(300, sink.Frames.Count);
        for (int i = 0; i < 300; i++)
        {
            Assert.Equal((byte)i, sink.Frames[i].First);
            Assert.Equal(i % 2 == 0 ? 255 : 0, sink.Frames[i].Covered);
        }
    }

    [Theory]
    [InlineData(299)]
    [InlineData(301)]
    public void Render_fails_when_the_second_decode_differs_from_the_first(int framesNow)
    {
        var e = Assert.Throws<MediaException>(() =>
            VideoPipeline.Render(new CountingSource(framesNow), EveryOtherFrameCovered(300), 300, Fill, new RecordingSink(), null, CancellationToken.None));
        Assert.Contains("second pass", e.Message);
    }

    /// <summary>A source that gives up with a cancellation nobody asked for.</summary>
    private sealed class QuittingSource(int quitAt) : IFrameSource
    {
        private readonly CountingSource _inner = new(1000);
        private int _read;
        public int Width => 8;
        public int Height => 8;
        public long? FrameCountHint => 1000;

        public bool Read(Frame frame, CancellationToken cancellationToken) =>
            _read++ == quitAt ? throw new OperationCanceledException() : _inner.Read(frame, cancellationToken);

        public void Dispose() { }
    }

    [Fact]
    public void A_render_cut_short_without_an_error_is_not_a_whole_video()
    {
        var sink = new RecordingSink();
        var e = Assert.Throws<MediaException>(() =>
            VideoPipeline.Render(new QuittingSource(50), EveryOtherFrameCovered(1000), 1000, Fill, sink, null, CancellationToken.None));
        Assert.Contains("of 1000 frames", e.Message);
        Assert.InRange(sink.Frames.Count, 1, 50);
    }

    [Fact]
    public void Render_reports_the_sinks_own_error()
    {
        var e = Assert.Throws<MediaException>(() =>
            VideoPipeline.Render(new CountingSource(300), EveryOtherFrameCovered(300), 300, Fill, new RecordingSink(failAt: 40), null, CancellationToken.None));
        Assert.Equal("encoder broke", e.Message);
    }

    [Fact]
    public void Cancellation_stops_the_render()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Done > 20) cts.Cancel(); });
        var sink = new RecordingSink();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            VideoPipeline.Render(new CountingSource(100_000), EveryOtherFrameCovered(100_000), 100_000, Fill, sink, progress, cts.Token));
        Assert.InRange(sink.Frames.Count, 21, 30);
    }

    [Fact]
    public void A_tracker_failing_inside_the_render_reports_its_own_error()
    {
        IEnumerable<IReadOnlyList<Region>> Failing()
        {
            foreach (var r in EveryOtherFrameCovered(300).Take(40)) yield return r;
            throw new InvalidOperationException("tracker broke");
        }
        var sink = new RecordingSink();
        var e = Assert.Throws<InvalidOperationException>(() =>
            VideoPipeline.Render(new CountingSource(300), Failing(), 300, Fill, sink, null, CancellationToken.None));
        Assert.Equal("tracker broke", e.Message);
        Assert.InRange(sink.Frames.Count, 0, 40);
    }

    [Fact]
    public void Fewer_regions_than_frames_fail_the_render()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            VideoPipeline.Render(new CountingSource(300), EveryOtherFrameCovered(200), 300, Fill, new RecordingSink(), null, CancellationToken.None));
        Assert.Contains("no regions for frame 200", e.Message);
    }

    private sealed class SyncProgress(Action<PipelineProgress> report) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => report(value);
    }
}
