using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using Redactor.OpenCv;

namespace Redactor.Onnx;

/// <summary>
/// YOLOv5-face (yolov5n-face or yolov5n-0.5-face, deepcam-cn/yolov5-face, converted from ncnn to ONNX with a fixed
/// 1×3×640×640 input) run by ONNX Runtime and decoded here. Input RGB scaled to 0..1, padded with grey 114 as the network
/// was trained (letterbox). Each stride's head is raw logits [1, 48, H/s, W/s]: 3 anchors × (x, y, w, h, obj, 10 landmark
/// coordinates, cls), decoded the YOLOv5 way (sigmoid; centre = (2σ − 0.5 + cell) × stride, size = (2σ)² × anchor),
/// then NMS. The score is √(σ(obj) × σ(cls)), the geometric mean YuNet reports, not YOLOv5's product: the product of two
/// probabilities sits far lower for the same certainty, and the thresholds (<see cref="ScorePolicy"/>) are shared by every
/// model. With the product, `--detector yolo` left 19.7% of wider-416's faces visible at the default 0.2 and 10.0% at 0.04
/// (0.2²), over-redaction 1.5% and 3.1% (2026-12-06).
/// </summary>
public sealed class YoloFaceOnnxModel : IFaceModel
{
    /// <summary>The converted network's declared input side (pixels).</summary>
    public const int Side = 640;

    private static readonly int[] Strides = [8, 16, 32];

    /// <summary>Anchor width, height pairs (input pixels) of each stride, from yolov5-face's yolov5n-face.yaml.</summary>
    internal static readonly float[][] Anchors = [[4, 5, 8, 10, 13, 16], [23, 29, 43, 55, 73, 105], [146, 217, 231, 300, 335, 433]];

    private const int AnchorsPerCell = 3, Channels = 16; // x, y, w, h, obj, 10 landmarks, cls
    private const int ObjChannel = 4, ClsChannel = 15;
    private const float NmsIou = 0.45f; // yolov5-face's NMS IoU
    private const int Align = 32;
    /// <summary>Grey of the letterbox padding (0..255), as the network was trained.</summary>
    private const float PadGrey = 114;

    /// <summary>Largest pass (padded, pixels) searched as one input; larger ones go through 640 windows.</summary>
    public const int MaxWholePixels = 2048 * 1152;

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string _inputName;
    private readonly string[] _outputNames;
    private readonly float _threshold;
    private readonly bool _wholeInputs;
    // One planar input per picture size, reused frame after frame; keyed by the unpadded size so that the padding, filled
    // with grey once when the buffer is made and never written again, stays grey.
    private const int MaxCached = 6;
    private readonly List<((int W, int H) Size, float[] Buffer)> _inputs = [];

    /// <param name="threads">Cores one network run may use; 0 for all of them.</param>
    /// <param name="wholeInputs">Free the graph's spatial size so a pass is one input of its own size (up to
    /// <see cref="MaxWholePixels"/>); otherwise every pass is cut into the declared 640×640 windows.</param>
    public YoloFaceOnnxModel(string modelPath, float scoreThreshold, int threads = 0, bool wholeInputs = true)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        _threshold = scoreThreshold;
        _wholeInputs = wholeInputs;
        var bytes = File.ReadAllBytes(modelPath);
        _session = OrtRuntime.Open(wholeInputs ? OnnxShapes.ShuffleToMatch(OnnxShapes.FreeMapSize(bytes)) : bytes, threads);
        _inputName = _session.InputMetadata.Keys.Single();
        // Outputs named by stride (stride_8, stride_16, stride_32 in the converted files); ordered by stride.
        _outputNames = [.. Strides.Select(s => _session.OutputMetadata.Keys.SingleOrDefault(n => n.EndsWith("_" + s, StringComparison.Ordinal) || n == s.ToString())
            ?? throw new InvalidDataException($"{modelPath}: no output for stride {s} (outputs: {string.Join(", ", _session.OutputMetadata.Keys)})"))];
    }

    public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale)
    {
        int w = Math.Max(1, (int)Math.Round(roi.Width * scale));
        int h = Math.Max(1, (int)Math.Round(roi.Height * scale));
        int pw = (w + Align - 1) / Align * Align, ph = (h + Align - 1) / Align * Align;
        if (!_wholeInputs || (long)pw * ph > MaxWholePixels)
            return FixedWindows.Detect(frame, roi, scale, Side, Side, new Scalar(PadGrey, PadGrey, PadGrey), window => Run(window, Side, Side, Side, Side));
        List<Detection> found;
        using (var scaled = FrameMats.Scaled(frame, roi, w, h))
            found = Run(scaled, w, h, pw, ph);
        return found.Select(d => new Detection(
            new Box(roi.X + d.Box.X / scale, roi.Y + d.Box.Y / scale, d.Box.Width / scale, d.Box.Height / scale), d.Score)).ToList();
    }

    /// <summary>Runs the network on a <paramref name="w"/>×<paramref name="h"/> BGR picture padded to
    /// <paramref name="pw"/>×<paramref name="ph"/>; boxes in the picture's pixels, after NMS.</summary>
    private List<Detection> Run(Mat picture, int w, int h, int pw, int ph)
    {
        var input = InputFor(w, h, pw, ph);
        OrtRuntime.FillPlanar(picture, input, pw, ph, default, rgb: true, scale: 1 / 255.0);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, ph, pw]);
        using var outputs = _session.Run(_run, [_inputName], [tensor], _outputNames);
        var boxes = new List<Rect2d>();
        var scores = new List<float>();
        for (int k = 0; k < Strides.Length; k++)
        {
            int s = Strides[k];
            Decode(outputs[k].GetTensorDataAsSpan<float>(), s, ph / s, pw / s, Anchors[k], _threshold, boxes, scores);
        }
        var found = new List<Detection>();
        if (boxes.Count == 0) return found;
        CvDnn.NMSBoxes(boxes, scores, _threshold, NmsIou, out int[] keep);
        foreach (int i in keep)
        {
            var b = boxes[i];
            if (b.Width > 0 && b.Height > 0) found.Add(new Detection(new Box((float)b.X, (float)b.Y, (float)b.Width, (float)b.Height), scores[i]));
        }
        return found;
    }

    /// <summary>
    /// Decodes one stride's head, [1, 3×16, rows, cols] raw logits, into boxes (input pixels, top-left origin) scoring at
    /// least <paramref name="threshold"/>. <paramref name="anchors"/> holds the stride's three anchor width, height pairs.
    /// </summary>
    internal static void Decode(ReadOnlySpan<float> head, int stride, int rows, int cols, float[] anchors, float threshold, List<Rect2d> boxes, List<float> scores)
    {
        int plane = rows * cols;
        if (head.Length != AnchorsPerCell * Channels * plane)
            throw new InvalidDataException($"YOLOv5-face head of stride {stride}: {head.Length} values, expected {AnchorsPerCell * Channels}×{rows}×{cols}");
        // √(σ(obj) × σ(cls)) ≥ t needs σ(obj) ≥ t²: most cells are dropped by comparing the raw logit.
        float t2 = threshold * threshold, minLogit = MathF.Log(t2 / (1 - t2));
        for (int a = 0; a < AnchorsPerCell; a++)
        {
            var ch = head.Slice(a * Channels * plane, Channels * plane);
            var obj = ch.Slice(ObjChannel * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                if (obj[i] < minLogit) continue;
                float score = MathF.Sqrt(Sigmoid(obj[i]) * Sigmoid(ch[ClsChannel * plane + i]));
                if (score < threshold) continue;
                int r = i / cols, c = i % cols;
                float cx = (2 * Sigmoid(ch[i]) - 0.5f + c) * stride;
                float cy = (2 * Sigmoid(ch[plane + i]) - 0.5f + r) * stride;
                float sw = 2 * Sigmoid(ch[2 * plane + i]), sh = 2 * Sigmoid(ch[3 * plane + i]);
                float bw = sw * sw * anchors[2 * a], bh = sh * sh * anchors[2 * a + 1];
                boxes.Add(new Rect2d(cx - bw / 2, cy - bh / 2, bw, bh));
                scores.Add(score);
            }
        }
    }

    private static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));

    private float[] InputFor(int w, int h, int pw, int ph)
    {
        int i = _inputs.FindIndex(e => e.Size == (w, h));
        if (i >= 0)
        {
            var hit = _inputs[i];
            _inputs.RemoveAt(i);
            _inputs.Add(hit);
            return hit.Buffer;
        }
        if (_inputs.Count >= MaxCached) _inputs.RemoveAt(0);
        var buffer = new float[3 * pw * ph];
        Array.Fill(buffer, PadGrey / 255);
        _inputs.Add(((w, h), buffer));
        return buffer;
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
