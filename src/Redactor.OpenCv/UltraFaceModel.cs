using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Redactor.OpenCv;

/// <summary>
/// UltraFace (Ultra-Light-Fast-Generic-Face-Detector, RFB-640) through OpenCV DNN. Fixed 1x3x480x640 RGB input
/// scaled as (x - 127) / 128, so the scaled ROI is cut into 640×480 windows (<see cref="FixedWindows"/>). The export
/// decodes its own priors: <c>boxes</c> are corners in 0..1 of the window, <c>scores</c> softmaxed (column 1 = face).
/// </summary>
public sealed class UltraFaceModel : IFaceModel
{
    private const int Width = 640, Height = 480;
    private readonly Net _net;
    private readonly float _threshold;

    public UltraFaceModel(string modelPath, float scoreThreshold)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        NativeHeap.Tune();
        _net = CvDnn.ReadNetFromOnnx(modelPath) ?? throw new MediaException($"cannot load {modelPath}");
        _threshold = scoreThreshold;
    }

    /// <summary>Decodes raw outputs (scores: N×2, boxes: N×4 corners in 0..1) into boxes in window pixels.</summary>
    internal static List<Detection> Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, float threshold)
    {
        var found = new List<Detection>();
        for (int k = 0; k < scores.Length / 2; k++)
        {
            float score = scores[k * 2 + 1];
            if (score < threshold) continue;
            float x0 = boxes[k * 4] * Width, y0 = boxes[k * 4 + 1] * Height;
            float x1 = boxes[k * 4 + 2] * Width, y1 = boxes[k * 4 + 3] * Height;
            if (x1 <= x0 || y1 <= y0) continue;
            found.Add(new Detection(new Box(x0, y0, x1 - x0, y1 - y0), score));
        }
        return found;
    }

    public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale) =>
        FixedWindows.Detect(frame, roi, scale, Width, Height, new Scalar(127, 127, 127), Run);

    private List<Detection> Run(Mat input)
    {
        using var blob = CvDnn.BlobFromImage(input, 1.0 / 128, new Size(Width, Height), new Scalar(127, 127, 127), swapRB: true, crop: false);
        return DnnOutputs.Forward(_net, blob, "scores", "boxes", (scores, boxes) =>
        {
            if (scores.Length % 2 != 0 || boxes.Length != scores.Length * 2) throw new InvalidOperationException("unexpected UltraFace output shape");
            return Decode(scores, boxes, _threshold);
        });
    }

    public void Dispose() => _net.Dispose();
}
