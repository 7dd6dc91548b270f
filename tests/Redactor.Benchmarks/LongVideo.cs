using Redactor;

/// <summary>
/// Memory of the whole video path over a long input, without the cost of the network: a synthetic source
/// (frames of the given size, nothing decoded), a stand-in detector that reports a crowd of moving faces and
/// misses some frames, the real tracker and redactor (fill), and a sink that drops frames. Detection time does
/// not depend on length; what can grow with length is what is kept between the passes (the detections), and that is
/// measured here.
///   dotnet run -c Release --project tests/Redactor.Benchmarks -- long-video [minutes=60] [width=1920] [height=1080] [faces=20]
/// </summary>
internal static class LongVideo
{
    public static void Run(string[] args)
    {
        double minutes = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 60;
        int width = args.Length > 1 ? int.Parse(args[1]) : 1920, height = args.Length > 2 ? int.Parse(args[2]) : 1080;
        int faces = args.Length > 3 ? int.Parse(args[3]) : 20;
        long frames = (long)(minutes * 60 * 30);
        var start = DateTime.UtcNow;
        using var detector = new CrowdDetector(width, height, faces);
        var detections = VideoPipeline.Detect(new SyntheticSource(width, height, frames), [detector], null, CancellationToken.None);
        var afterDetect = Snapshot();
        long kept = detections.Sum(d => (long)d.Detections.Count), count = detections.Count;
        // As the product runs it: the tracker works through the detections while the frames are drawn, and each frame's
        // are let go of once read. The managed heap is sampled at each tenth of the render.
        var regions = new Tracker(TrackerOptions.ForFrameRate(30)).Track(VideoPipeline.Handing(detections));
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Fill));
        var heaps = new List<long>();
        var sampling = new Sampler(done => { if (done % Math.Max(1, count / 10) == 0) heaps.Add(GC.GetTotalMemory(forceFullCollection: true) >> 20); });
        var result = VideoPipeline.Render(new SyntheticSource(width, height, frames), regions, count, redactor, new NullSink(), sampling, CancellationToken.None);
        Console.WriteLine($"{frames} frames of {width}x{height} ({minutes} min at 30 fps), {faces} faces a frame");
        Console.WriteLine($"detections kept: {kept}; regions covered: {result.Regions}; frames rendered: {result.Frames}");
        Console.WriteLine($"after detection: managed heap {afterDetect.Heap} MiB, peak RSS {afterDetect.Peak} MiB");
        Console.WriteLine($"during the render, each tenth: managed heap {string.Join(", ", heaps)} MiB");
        Console.WriteLine($"at the end:      peak RSS {Snapshot().Peak} MiB; {(DateTime.UtcNow - start).TotalSeconds:F0} s");
    }

    /// <summary>Progress called on the reporting thread itself (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Sampler(Action<long> onFrame) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => onFrame(value.Done);
    }

    private static (long Heap, long Peak) Snapshot()
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true) >> 20;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        long peak = line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) >> 10;
        return (heap, peak);
    }

    /// <summary>Frames with only their number and time set (the pixels stay as the previous frame left them), and a
    /// hard cut every 20 s so that tracks end as they do in real footage.</summary>
    private sealed class SyntheticSource(int width, int height, long count) : IFrameSource
    {
        private long _next;
        public int Width => width;
        public int Height => height;
        public long? FrameCountHint => count;

        public bool Read(Frame frame, CancellationToken cancellationToken)
        {
            if (_next >= count) return false;
            frame.Index = _next;
            frame.Time = _next / 30.0;
            // The cut detector looks at pixels: change one value at each scene start.
            if (_next % 600 == 0) Array.Fill(frame.Pixels, (byte)(_next / 600 % 2 * 200));
            _next++;
            return true;
        }

        public void Dispose() { }
    }

    /// <summary>A crowd drifting across the frame; each face is missed on one frame in four and gets a new
    /// position after every cut.</summary>
    private sealed class CrowdDetector(int width, int height, int faces) : IFaceDetector
    {
        public IReadOnlyList<Detection> Detect(Frame frame)
        {
            long scene = frame.Index / 600, t = frame.Index % 600;
            var found = new List<Detection>(faces);
            for (int i = 0; i < faces; i++)
            {
                if ((frame.Index + i) % 4 == 0) continue;
                var rng = new Random((int)(scene * 1000 + i));
                float size = 16 + rng.Next(120);
                float x = (rng.Next(width - 200) + t * 0.3f) % (width - size), y = rng.Next(height - 200);
                found.Add(new Detection(new Box(x, y, size * 0.8f, size), 0.5f + 0.4f * (float)rng.NextDouble()));
            }
            return found;
        }

        public void Dispose() { }
    }

    private sealed class NullSink : IFrameSink
    {
        public void Write(Frame frame, CancellationToken cancellationToken) { }
        public void Complete(CancellationToken cancellationToken) { }
        public void Dispose() { }
    }
}
