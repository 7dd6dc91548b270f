using System.Text.Json.Nodes;
using Redactor;
using Redactor.Cli;
using Redactor.FFmpeg;

/// <summary>
/// How <see cref="SecondLook"/>'s thresholds were chosen: every detection 40 px or taller in a saved first pass
/// (`dump-detections`) is searched again on its crop (the square twice its longer side, cut at the frame's edge, scaled to
/// 256 px) by YuNet, YuNet-n, RetinaFace and YOLOv5n-face, and each one's best score overlapping the box (IoU 0.3) is written out.
/// `track DETECTIONS doubt=THIS_OUTPUT [vh=80 vs=0.8 vt=0.3]` then replays tracking with the boxes of vh px or taller,
/// scoring under vs, that neither YuNet nor RetinaFace found again at vt, marked doubtful (vnets=yunet,retina,yolo to choose
/// the verifiers).
///   dotnet run -c Release --project tests/Redactor.Benchmarks -- verify DETECTIONS.jsonl VIDEO OUT.jsonl
/// </summary>
internal static class Verify
{
    private static readonly Dictionary<string, double> Times = [];

    public static void Run(string[] args)
    {
        string dets = args[0], video = args[1], output = args[2];
        // "small [mul side]": the boxes under 40 px instead (weak ones too), each on a square mul times its longer side,
        // moved inside the frame and scaled to side px; a small false box of a crowd's texture is then seen from closer up.
        bool small = args.Length > 3 && args[3] == "small";
        float mul = small && args.Length > 4 ? float.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 3;
        int cropSide = small && args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 128;
        var dir = DetectorBenchmarks.ModelDir();
        var models = new (string Name, IFaceModel Model)[]
        {
            ("yunet", new Redactor.Onnx.YuNetOnnxModel(Path.Combine(dir, "face_detection_yunet_2023mar.onnx"), 0.02f, 1)),
            ("yunetn", new Redactor.Onnx.YuNetOnnxModel(Path.Combine(dir, "yunet_n_640_640.onnx"), 0.02f, 1)),
            ("retina", new Redactor.Onnx.RetinaFaceOnnxModel(Path.Combine(dir, "retinaface_mnet025_640.onnx"), 0.02f, 1)),
            // ../shared/models keeps YOLOv5n-face in candidates/; a model store at its top.
            ("yolo", new Redactor.Onnx.YoloFaceOnnxModel(new[] { dir, Path.Combine(dir, "candidates") }.Select(d => Path.Combine(d, "yolov5n-face_640.onnx")).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"yolov5n-face_640.onnx is neither in {dir} nor in its candidates/"), 0.02f, 1)),
        };
        var info = Engine.ProbeVideo(video, CancellationToken.None);
        using var source = new FfmpegFrameSource(video, info);
        var frame = new Frame(source.Width, source.Height);
        var lines = File.ReadLines(dets).Skip(1).GetEnumerator();
        using var o = File.CreateText(output);
        int n = 0;
        while (source.Read(frame, CancellationToken.None) && lines.MoveNext())
        {
            var f = JsonNode.Parse(lines.Current)!;
            var arr = f["d"]!.AsArray();
            for (int k = 0; k < arr.Count; k++)
            {
                var a = arr[k]!.AsArray();
                var box = new Box(a[0]!.GetValue<float>(), a[1]!.GetValue<float>(), a[2]!.GetValue<float>(), a[3]!.GetValue<float>());
                bool weak = a[5]!.GetValue<bool>();
                if (small ? box.Height >= 40 : box.Height < 40 || weak) continue;
                float side = Math.Max(box.Width, box.Height);
                PixelRect roi;
                float scale;
                if (small)
                {
                    roi = SecondLook.Crop(box, frame.Width, frame.Height, mul);
                    scale = (float)cropSide / MathF.Ceiling(mul * side);
                }
                else
                {
                    // A fixed input size (256 px square around the box, 2x its longer side, clipped at the frame's edge): a
                    // new input size costs the runtimes a new plan.
                    roi = PixelRect.Cover(Box.FromCenter(box.CenterX, box.CenterY, 2 * side, 2 * side), frame.Width, frame.Height);
                    scale = 256f / (2 * side);
                }
                var line = new JsonObject { ["i"] = f["i"]!.GetValue<long>(), ["k"] = k, ["box"] = new JsonArray(box.X, box.Y, box.Width, box.Height), ["score"] = a[4]!.GetValue<float>(), ["weak"] = weak };
                foreach (var (name, model) in models)
                {
                    if (small && name == "yunetn") continue;
                    float best = 0;
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    foreach (var d in model.Detect(frame, roi, scale))
                        if (d.Box.IoU(box) >= 0.3f) best = Math.Max(best, d.Score);
                    line[name] = Math.Round(best, 3);
                    Times[name] = Times.GetValueOrDefault(name) + clock.Elapsed.TotalMilliseconds;
                }
                o.WriteLine(line.ToJsonString());
                n++;
            }
        }
        Console.WriteLine($"{n} candidates -> {output}; ms: {string.Join(", ", Times.Select(kv => $"{kv.Key} {kv.Value / Math.Max(1, n):F1}"))}");
        foreach (var (_, m) in models) m.Dispose();
    }
}
