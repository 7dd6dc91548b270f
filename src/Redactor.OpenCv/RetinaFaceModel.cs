using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Redactor.OpenCv;

/// <summary>
/// RetinaFace (MobileNet 0.25, Pytorch_Retinaface export) through OpenCV DNN. The network as published only accepts
/// 1x3x640x640 (its FPN upsamples to sizes traced as constants), so the scaled ROI is cut into 640-pixel windows
/// (<see cref="FixedWindows"/>). Kept as the reference the ONNX Runtime model, which runs any size, is tested against.
/// Decoding follows the reference: prior boxes of min sizes {16,32}, {64,128}, {256,512} on strides 8, 16, 32;
/// centre offsets × 0.1 and log sizes × 0.2 of the prior; scores are already softmaxed (column 1 = face).
/// </summary>
public sealed class RetinaFaceModel : IFaceModel
{
    private const int Side = 640;
    private static readonly (int Stride, int[] MinSizes)[] Levels = [(8, [16, 32]), (16, [64, 128]), (32, [256, 512])];
    private static readonly float[] Priors = BuildPriors();
    private readonly Net _net;
    private readonly float _threshold;

    public RetinaFaceModel(string modelPath, float scoreThreshold)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        NativeHeap.Tune();
        _net = CvDnn.ReadNetFromOnnx(modelPath) ?? throw new MediaException($"cannot load {modelPath}");
        _threshold = scoreThreshold;
    }

    /// <summary>Prior boxes as (cx, cy, w, h) in pixels of a <paramref name="width"/> × <paramref name="height"/> input, in the
    /// network's output order (level by level, then row, column and anchor).</summary>
    internal static float[] BuildPriors(int width = Side, int height = Side)
    {
        var list = new List<float>();
        foreach (var (stride, sizes) in Levels)
        {
            int rows = (int)Math.Ceiling((double)height / stride), cols = (int)Math.Ceiling((double)width / stride);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    foreach (var m in sizes)
                        list.AddRange([(j + 0.5f) * stride, (i + 0.5f) * stride, m, m]);
        }
        return [.. list];
    }

    internal static int PriorCount => Priors.Length / 4;

    /// <summary>Decodes raw outputs (loc: N×4, conf: N×2) of a 640-pixel window into boxes in its pixels.</summary>
    internal static List<Detection> Decode(ReadOnlySpan<float> loc, ReadOnlySpan<float> conf, float threshold) => Decode(loc, conf, threshold, Priors);

    /// <summary>Decodes raw outputs (loc: N×4, conf: N×2) against <paramref name="priors"/> (<see cref="BuildPriors"/> of the
    /// input's size) into boxes in the input's pixels.</summary>
    internal static List<Detection> Decode(ReadOnlySpan<float> loc, ReadOnlySpan<float> conf, float threshold, float[] priors)
    {
        int n = priors.Length / 4;
        if (loc.Length != n * 4 || conf.Length != n * 2) throw new InvalidOperationException("unexpected RetinaFace output shape");
        var found = new List<Detection>();
        for (int k = 0; k < n; k++)
        {
            float score = conf[k * 2 + 1];
            if (score < threshold) continue;
            float pcx = priors[k * 4], pcy = priors[k * 4 + 1], pw = priors[k * 4 + 2], ph = priors[k * 4 + 3];
            float cx = pcx + loc[k * 4] * 0.1f * pw, cy = pcy + loc[k * 4 + 1] * 0.1f * ph;
            float w = pw * MathF.Exp(loc[k * 4 + 2] * 0.2f), h = ph * MathF.Exp(loc[k * 4 + 3] * 0.2f);
            found.Add(new Detection(Box.FromCenter(cx, cy, w, h), score));
        }
        return found;
    }

    public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale) =>
        FixedWindows.Detect(frame, roi, scale, Side, Side, new Scalar(104, 117, 123), Run);

    private List<Detection> Run(Mat input)
    {
        using var blob = CvDnn.BlobFromImage(input, 1.0, new Size(Side, Side), new Scalar(104, 117, 123), false, false);
        return DnnOutputs.Forward(_net, blob, "output0", "output1", (loc, conf) => Decode(loc, conf, _threshold));
    }

    public void Dispose() => _net.Dispose();
}
