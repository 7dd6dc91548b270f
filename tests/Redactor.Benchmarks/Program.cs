using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Redactor;
using Redactor.OpenCv;

// Micro-benchmarks of the hot stages of video redaction. Run:
//   dotnet run -c Release --project tests/Redactor.Benchmarks -- --filter '*'
// The detector benchmark reads the model from $REDACTOR_MODELS (default ../shared/models).
// "long-video" instead measures memory over an hour of synthetic 1080p (see LongVideo.cs).
// "dump-detections" and "track" replay tracking on saved detections (see Replay.cs); "verify" scores their large boxes
// crops again (Verify.cs). "plan" makes a review plan with the first pass and times its file (PlanBench.cs).
// "review-steps URL" times the review page showing frames in chromium (ReviewSteps.cs).
if (args.Length > 0 && args[0] == "long-video") LongVideo.Run(args[1..]);
else if (args.Length > 0 && args[0] == "dump-detections") Replay.DumpDetections(args[1..]);
else if (args.Length > 0 && args[0] == "track") Replay.Track(args[1..]);
else if (args.Length > 0 && args[0] == "verify") Verify.Run(args[1..]);
else if (args.Length > 0 && args[0] == "plan") PlanBench.Run(args[1..]);
else if (args.Length > 0 && args[0] == "plan-hash") PlanBench.Hash(args[1..]);
else if (args.Length > 0 && args[0] == "review-steps") ReviewSteps.Run(args[1..]);
else BenchmarkSwitcher.FromAssembly(typeof(RedactionBenchmarks).Assembly).Run(args);

/// <summary>Cost of covering one 120-pixel face (grown ×1.3) in a 720p frame, per style.</summary>
[MemoryDiagnoser]
public class RedactionBenchmarks
{
    private Frame _frame = null!;
    private FrameRedactor _redactor = null!;

    [Params(RedactionStyle.Blur, RedactionStyle.Pixelate, RedactionStyle.Fill)]
    public RedactionStyle Style { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = new Frame(1280, 720);
        new Random(1).NextBytes(_frame.Pixels);
        _redactor = new FrameRedactor(new RedactionOptions(Style, seed: 1));
    }

    [Benchmark]
    public void RedactOneFace() => _redactor.Apply(_frame, [new Box(400, 200, 120, 120)]);
}

/// <summary>
/// Cost of one 1080p frame of a tracked crowd: 40 faces of 20-120 px, each covered by three regions a few pixels
/// apart (a track's box and its detections spread from the neighbouring frames), as on wider-1080p.
/// </summary>
[MemoryDiagnoser]
public class CrowdRedactionBenchmarks
{
    private Frame _frame = null!;
    private FrameRedactor _redactor = null!;
    private Region[] _regions = [];

    [Params(RedactionStyle.Blur, RedactionStyle.Pixelate, RedactionStyle.Fill)]
    public RedactionStyle Style { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = new Frame(1920, 1080);
        var random = new Random(1);
        random.NextBytes(_frame.Pixels);
        _redactor = new FrameRedactor(new RedactionOptions(Style, seed: 1));
        var regions = new List<Region>();
        for (int face = 0; face < 40; face++)
        {
            float h = 20 + random.Next(100), x = random.Next(1920 - 120), y = 200 + random.Next(600);
            for (int k = 0; k < 3; k++)
                regions.Add(new Region(new Box(x + 3 * k, y + 2 * k, h * 0.8f, h), 0.9f, face, RegionSource.Detected));
        }
        _regions = [.. regions];
    }

    [Benchmark]
    public void RedactCrowdFrame() => _redactor.Apply(_frame, _regions);
}

/// <summary>Per-frame work outside the network on a 720p frame: cut detection (two frames a call) and the picture's
/// shift (one frame a call once the first has been seen).</summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private readonly Frame _a = new(1280, 720), _b = new(1280, 720);
    private readonly SceneCutDetector _cuts = new();

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_a.Pixels);
        new Random(2).NextBytes(_b.Pixels);
    }

    [Benchmark]
    public bool SceneCut() => _cuts.IsCut(_a) | _cuts.IsCut(_b);

    [Benchmark]
    public PictureShift? PictureShift() => _cuts.Shift(_a) ?? _cuts.Shift(_b);
}

/// <summary>RetinaFace's pass in the default detector (the 720p frame at 0.875×, one 1120×640 input; two 640 windows before) on one
/// thread, as each video worker runs it.</summary>
public class SecondModelBenchmarks
{
    private IFaceModel _model = null!;
    private Frame _frame = null!;
    private DetectionPass _pass;

    [GlobalSetup]
    public void Setup()
    {
        var dir = DetectorBenchmarks.ModelDir();
        _model = new Redactor.Onnx.RetinaFaceOnnxModel(Path.Combine(dir, ModelStore.Find("retinaface").FileName), 0.1f, threads: 1);
        _frame = DetectorBenchmarks.CrowdFrame(dir);
        _pass = new FittedPlan(Redactor.Onnx.RetinaFaceOnnxModel.TwoWindowsLongSide, Redactor.Onnx.RetinaFaceOnnxModel.Side, 1.6f).Plan(_frame.Width, _frame.Height)[0];
    }

    [Benchmark]
    public int FittedPass() => _model.Detect(_frame, _pass.Roi, _pass.Scale).Count;

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();
}

/// <summary>YuNet per pass on a 720p frame: milliseconds for 0.92 MP at 1×, 0.23 MP at 0.5×, 2.4 MP at 1.6×;
/// ONNX Runtime on every core (photos), on one thread (each video worker), and OpenCV's DNN for comparison.</summary>
public class DetectorBenchmarks
{
    private IFaceModel _model = null!;
    private Frame _frame = null!;

    [Params(0.5f, 1f, 1.6f)]
    public float Scale { get; set; }

    [Params("ort", "ort-1-thread", "opencv")]
    public string Runtime { get; set; } = "ort";

    [GlobalSetup]
    public void Setup()
    {
        var dir = ModelDir();
        var path = Path.Combine(dir, "face_detection_yunet_2023mar.onnx");
        _model = Runtime switch
        {
            "opencv" => new YuNetModel(path, 0.35f),
            "ort-1-thread" => new Redactor.Onnx.YuNetOnnxModel(path, 0.35f, threads: 1),
            _ => new Redactor.Onnx.YuNetOnnxModel(path, 0.35f),
        };
        _frame = CrowdFrame(dir);
    }

    /// <summary>A real crowd photo stretched to 720p: noise would make the network propose boxes no frame has.</summary>
    internal static Frame CrowdFrame(string modelDir)
    {
        var photo = Path.Combine(modelDir, "..", "data", "wider-416", "images");
        var first = Directory.GetFiles(photo, "*.jpg").Order().First();
        using var m = OpenCvSharp.Cv2.ImRead(first);
        using var big = m.Resize(new OpenCvSharp.Size(1280, 720));
        var frame = new Frame(1280, 720);
        System.Runtime.InteropServices.Marshal.Copy(big.Data, frame.Pixels, 0, 1280 * 720 * 3);
        return frame;
    }

    [Benchmark]
    public int DetectPass() => _model.Detect(_frame, new PixelRect(0, 0, 1280, 720), Scale).Count;

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    /// <summary>$REDACTOR_MODELS, else ../shared/models beside the repository.</summary>
    internal static string ModelDir() =>
        Environment.GetEnvironmentVariable("REDACTOR_MODELS") ?? Path.Combine(FindRoot(), "..", "shared", "models");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Redactor.sln"))) dir = dir.Parent;
        return dir?.FullName ?? ".";
    }
}
