using Xunit;

namespace Redactor.Tests;

/// <summary>
/// A generated clip through the real pipeline (source → detector → tracker → redactor → sink): a bright square
/// "face" moves across a dark frame, the detector misses it on a third of the frames, and a hard cut changes the
/// scene halfway. With tracking, no frame may show any pixel of the face; without it, the misses show.
/// </summary>
public class TrackingEndToEndTests
{
    private const int W = 320, H = 180, Frames = 120, CutAt = 60, Side = 30;

    private static Box FaceAt(long i) => i < CutAt
        ? new Box(20 + 3 * i, 60, Side, Side)              // scene 1: moving right
        : new Box(250 - 2 * (i - CutAt), 40 + (i - CutAt), Side, Side); // scene 2: a new face moving left and down

    private sealed class Clip : IFrameSource
    {
        private int _next;
        public int Width => W;
        public int Height => H;
        public long? FrameCountHint => Frames;

        public bool Read(Frame frame, CancellationToken cancellationToken)
        {
            if (_next == Frames) return false;
            var data = frame.Data;
            // Scene 1 dark grey, scene 2 mid grey: a hard cut for the cut detector.
            data.Fill(_next < CutAt ? (byte)20 : (byte)120);
            var r = PixelRect.Cover(FaceAt(_next), W, H);
            for (int y = r.Y; y < r.Bottom; y++) data.Slice(y * frame.Stride + r.X * 3, r.Width * 3).Fill(250);
            frame.Index = _next;
            frame.Time = _next / 30.0;
            _next++;
            return true;
        }

        public void Dispose() { }
    }

    /// <summary>Sees the face exactly, but misses it on frames 5–14, on every third frame, and on the first 8 frames of scene 2.</summary>
    private sealed class ForgetfulDetector : IFaceDetector
    {
        public IReadOnlyList<Detection> Detect(Frame frame)
        {
            long i = frame.Index;
            bool miss = (i >= 5 && i < 15) || i % 3 == 0 || (i >= CutAt && i < CutAt + 8);
            return miss ? [] : [new Detection(FaceAt(i), 0.9f)];
        }

        public void Dispose() { }
    }

    private sealed class CheckingSink : IFrameSink
    {
        public List<long> FramesShowingFace { get; } = [];
        public int Written { get; private set; }

        public void Write(Frame frame, CancellationToken cancellationToken)
        {
            var data = frame.Data;
            var r = PixelRect.Cover(FaceAt(frame.Index), W, H);
            for (int y = r.Y; y < r.Bottom; y++)
                for (int x = r.X; x < r.Right; x++)
                    if (data[y * frame.Stride + x * 3] == 250 && data[y * frame.Stride + x * 3 + 1] == 250)
                    {
                        FramesShowingFace.Add(frame.Index);
                        Written++;
                        return;
                    }
            Written++;
        }

        public void Complete(CancellationToken cancellationToken) { }
        public void Dispose() { }
    }

    private static CheckingSink Run(ITracker tracker)
    {
        var detections = VideoPipeline.Detect(new Clip(), [new ForgetfulDetector()], null, CancellationToken.None);
        Assert.True(detections[CutAt].CutBefore, "the cut was not detected");
        Assert.Equal(1, detections.Count(d => d.CutBefore));
        // As the product runs it: regions worked out while the second pass draws, each frame's detections let go of once read.
        int count = detections.Count;
        var regions = tracker.Track(VideoPipeline.Handing(detections));
        var sink = new CheckingSink();
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Fill, MaskShape.Box, 1.3f));
        VideoPipeline.Render(new Clip(), regions, count, redactor, sink, null, CancellationToken.None);
        Assert.All(detections, Assert.Null);
        Assert.Equal(Frames, sink.Written);
        return sink;
    }

    [Fact]
    public void With_tracking_no_frame_shows_the_face()
    {
        var sink = Run(new Tracker(TrackerOptions.ForFrameRate(30)));
        Assert.Empty(sink.FramesShowingFace);
    }

    [Fact]
    public void Without_tracking_the_missed_frames_show_it()
    {
        var sink = Run(new NoTracker());
        Assert.Contains(5L, sink.FramesShowingFace);
        Assert.Contains((long)CutAt, sink.FramesShowingFace);
    }
}
