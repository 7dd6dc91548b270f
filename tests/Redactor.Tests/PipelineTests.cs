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

    private sealed class SyncProgress(Action<PipelineProgress> report) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => report(value);
    }
}
