using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using Redactor.OpenCv;

namespace Redactor.Onnx;

/// <summary>
/// SCRFD-1G (InsightFace, converted from nihui/ncnn-android-scrfd's ncnn files to ONNX with a fixed 1×3×640×640 input) run by
/// ONNX Runtime and decoded here. Input RGB, (x − 127.5) / 128. Per stride s: <c>score_s</c> [1, 2, H/s, W/s] (two anchors a
/// cell, sigmoid already applied) and <c>bbox_s</c> [1, 8, H/s, W/s] (per anchor the distances left, top, right, bottom from the
/// cell's corner point (column × s, row × s), in strides). The graph's group-wise reshapes carry its 640×640 sizes as
/// constants, so every pass goes through 640×640 windows (padded with the mean colour, zero after normalisation). The weights
/// are for non-commercial research only (InsightFace's terms): never part of a default.
/// </summary>
public sealed class ScrfdOnnxModel : IFaceModel
{
    public const int Side = 640;
    private static readonly int[] Strides = [8, 16, 32];
    private const int AnchorsPerCell = 2;
    private const float NmsIou = 0.4f; // InsightFace's SCRFD NMS threshold
    private static readonly Scalar Mean = new(127.5, 127.5, 127.5);

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string _inputName;
    private readonly float _threshold;
    private readonly float[] _input = new float[3 * Side * Side];

    /// <param name="threads">Cores one network run may use; 0 for all of them.</param>
    public ScrfdOnnxModel(string modelPath, float scoreThreshold, int threads = 0)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        _threshold = scoreThreshold;
        _session = OrtRuntime.Open(File.ReadAllBytes(modelPath), threads);
        _inputName = _session.InputMetadata.Keys.Single();
    }

    public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale) =>
        FixedWindows.Detect(frame, roi, scale, Side, Side, Mean, RunWindow);

    /// <summary>One 640×640 BGR window; boxes in its pixels, after NMS.</summary>
    private List<Detection> RunWindow(Mat window)
    {
        OrtRuntime.FillPlanar(window, _input, Side, Side, Mean, rgb: true, scale: 1 / 128.0);
        using var tensor = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, Side, Side]);
        using var outputs = _session.Run(_run, [_inputName], [tensor], [.. Strides.SelectMany(s => new[] { $"score_{s}", $"bbox_{s}" })]);
        var boxes = new List<Rect2d>();
        var scores = new List<float>();
        for (int k = 0; k < Strides.Length; k++)
            Decode(outputs[2 * k].GetTensorDataAsSpan<float>(), outputs[2 * k + 1].GetTensorDataAsSpan<float>(), Strides[k], Side / Strides[k], Side / Strides[k], _threshold, boxes, scores);
        var found = new List<Detection>();
        if (boxes.Count == 0) return found;
        CvDnn.NMSBoxes(boxes, scores, _threshold, NmsIou, out int[] keep);
        foreach (int i in keep)
            if (boxes[i].Width > 0 && boxes[i].Height > 0)
                found.Add(new Detection(new Box((float)boxes[i].X, (float)boxes[i].Y, (float)boxes[i].Width, (float)boxes[i].Height), scores[i]));
        return found;
    }

    /// <summary>Decodes one stride: <paramref name="score"/> [2, rows, cols], <paramref name="bbox"/> [2×4, rows, cols]
    /// (anchor-major: anchor 0's left, top, right, bottom, then anchor 1's), into boxes in input pixels.</summary>
    internal static void Decode(ReadOnlySpan<float> score, ReadOnlySpan<float> bbox, int stride, int rows, int cols, float threshold, List<Rect2d> boxes, List<float> scores)
    {
        int plane = rows * cols;
        if (score.Length != AnchorsPerCell * plane || bbox.Length != 4 * AnchorsPerCell * plane)
            throw new InvalidDataException($"SCRFD head of stride {stride}: {score.Length} scores and {bbox.Length} box values for {rows}×{cols} cells");
        for (int a = 0; a < AnchorsPerCell; a++)
            for (int i = 0; i < plane; i++)
            {
                float sc = score[a * plane + i];
                if (sc < threshold) continue;
                float cx = i % cols * stride, cy = i / cols * stride;
                var d = bbox.Slice(4 * a * plane, 4 * plane);
                float x0 = cx - d[i] * stride, y0 = cy - d[plane + i] * stride, x1 = cx + d[2 * plane + i] * stride, y1 = cy + d[3 * plane + i] * stride;
                boxes.Add(new Rect2d(x0, y0, x1 - x0, y1 - y0));
                scores.Add(sc);
            }
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
