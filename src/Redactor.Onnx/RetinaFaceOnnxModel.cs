using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using Redactor.OpenCv;

namespace Redactor.Onnx;

/// <summary>
/// RetinaFace (MobileNet 0.25) run by ONNX Runtime over the same 640-pixel windows and with the same decoder as
/// <see cref="RetinaFaceModel"/>, which runs it through OpenCV's DNN. Its FPN needs the 640×640 input, so unlike
/// YuNet the windows stay. One window on one thread: 23.7–24.7 ms against 33.1–35.3 ms on OpenCV's DNN, so two
/// workers of one thread each get through about 12 ms a window where OpenCV's DNN on both cores took 20–21 ms.
/// </summary>
public sealed class RetinaFaceOnnxModel : IFaceModel
{
    /// <summary>The network's input side (pixels).</summary>
    public const int Side = 640;

    /// <summary>Long side of a picture searched in exactly two windows, which overlap as <see cref="FixedWindows"/> cuts them.</summary>
    public const int TwoWindowsLongSide = 2 * Side - Side / FixedWindows.OverlapDivisor;

    private static readonly Scalar Mean = new(104, 117, 123);
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string _inputName;
    private readonly float _threshold;
    // The window's planar input, reused for every window (every window is Side×Side, so all of it is rewritten).
    private readonly float[] _input = new float[3 * Side * Side];

    /// <param name="threads">Cores one network run may use; 0 for all of them.</param>
    public RetinaFaceOnnxModel(string modelPath, float scoreThreshold, int threads = 0)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        _threshold = scoreThreshold;
        _session = OrtRuntime.Open(File.ReadAllBytes(modelPath), threads);
        _inputName = _session.InputMetadata.Keys.Single();
    }

    public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale) =>
        FixedWindows.Detect(frame, roi, scale, Side, Side, Mean, Run);

    private List<Detection> Run(Mat window)
    {
        OrtRuntime.FillPlanar(window, _input, Side, Side, Mean);
        using var tensor = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, Side, Side]);
        using var outputs = _session.Run(_run, [_inputName], [tensor], ["output0", "output1"]);
        var loc = outputs[0].GetTensorDataAsSpan<float>();
        var conf = outputs[1].GetTensorDataAsSpan<float>();
        int n = RetinaFaceModel.PriorCount;
        if (loc.Length != n * 4 || conf.Length != n * 2) throw new InvalidOperationException("unexpected RetinaFace output shape");
        return RetinaFaceModel.Decode(loc, conf, _threshold);
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
