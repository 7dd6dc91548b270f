using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using Redactor.OpenCv;

namespace Redactor.Onnx;

/// <summary>
/// RetinaFace (MobileNet 0.25) run by ONNX Runtime with the decoder of <see cref="RetinaFaceModel"/> (OpenCV's DNN, which
/// runs the published 640×640 graph over 640-pixel windows). The graph handed to the runtime has its spatial size freed and
/// its two upsamplings made to follow the input (<see cref="OnnxShapes.UpsampleToMatch"/>), so a pass up to
/// <see cref="MaxWholePixels"/> is one input: the default's 1280×720 frame at 0.875× is 1120×640 (0.72 megapixels)
/// instead of two overlapping 640 windows (0.82), and no face is cut by a window's edge.
/// </summary>
public sealed class RetinaFaceOnnxModel : IFaceModel
{
    /// <summary>The published network's input side (pixels): the short side of the default detector's pass.</summary>
    public const int Side = 640;

    /// <summary>Long side of the default detector's pass (<c>combined</c>): the width two 640 windows overlapping by a
    /// quarter covered, kept when the pass became one input so that it searches the same scale.</summary>
    public const int TwoWindowsLongSide = 2 * Side - Side / FixedWindows.OverlapDivisor;

    // The network's strides divide 32: inputs are padded right and bottom to a multiple of it.
    private const int Align = 32;
    private static readonly Scalar Mean = new(104, 117, 123);
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string _inputName;
    private readonly float _threshold;
    // One planar input and its priors per picture size, reused frame after frame (a video has one or a few pass sizes, and
    // SecondLook's crops one more; photos of many sizes would pile them up, so only a few are kept). Keyed by the unpadded size so that the padding,
    // never written, stays zero: after the mean is subtracted, the mean colour FixedWindows pads windows with.
    private const int MaxCached = 6;
    private readonly List<((int W, int H) Size, float[] Input, float[] Priors)> _inputs = [];

    /// <param name="threads">Cores one network run may use; 0 for all of them.</param>
    public RetinaFaceOnnxModel(string modelPath, float scoreThreshold, int threads = 0)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        _threshold = scoreThreshold;
        _session = OrtRuntime.Open(OnnxShapes.UpsampleToMatch(OnnxShapes.FreeSpatialSize(File.ReadAllBytes(modelPath))), threads);
        _inputName = _session.InputMetadata.Keys.Single();
    }

    /// <summary>
    /// The largest input searched whole (padded, in pixels): the default detector's pass. A larger pass (the ensemble's 1×
    /// and 1.6× at 720p) is cut into 640 windows overlapping by a quarter, as before: on wider-720p the ensemble searched
    /// whole left more faces visible (leak 3.41% against 2.89%, faces visible in some frame 6.38% against 6.09%, scoring the
    /// `detect --json` regions; 86 s against 151 s) and needed 1051 MiB instead of 713, the activations of a 2048×1152 input
    /// in each of two workers.
    /// </summary>
    public const int MaxWholePixels = TwoWindowsLongSide * Side;

    public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale)
    {
        int w = Math.Max(1, (int)Math.Round(roi.Width * scale));
        int h = Math.Max(1, (int)Math.Round(roi.Height * scale));
        int pw = (w + Align - 1) / Align * Align, ph = (h + Align - 1) / Align * Align;
        if ((long)pw * ph > MaxWholePixels) return FixedWindows.Detect(frame, roi, scale, Side, Side, Mean, RunWindow);
        List<Detection> found;
        using (var scaled = FrameMats.Scaled(frame, roi, w, h))
            found = Run(scaled, w, h, pw, ph);
        var all = found.Select(d => new Detection(
            new Box(roi.X + d.Box.X / scale, roi.Y + d.Box.Y / scale, d.Box.Width / scale, d.Box.Height / scale), d.Score));
        // Raw anchors overlap heavily: suppress at a lower IoU than the merge across passes (as FixedWindows does).
        return BoxMerger.Merge(all, iouThreshold: 0.4f);
    }

    private List<Detection> RunWindow(Mat window) => Run(window, Side, Side, Side, Side);

    /// <summary>Runs the network on a <paramref name="w"/>×<paramref name="h"/> BGR picture padded to
    /// <paramref name="pw"/>×<paramref name="ph"/>; boxes in the picture's pixels.</summary>
    private List<Detection> Run(Mat picture, int w, int h, int pw, int ph)
    {
        var (input, priors) = BuffersFor(w, h, pw, ph);
        OrtRuntime.FillPlanar(picture, input, pw, ph, Mean);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, ph, pw]);
        using var outputs = _session.Run(_run, [_inputName], [tensor], ["output0", "output1"]);
        return RetinaFaceModel.Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[1].GetTensorDataAsSpan<float>(), _threshold, priors);
    }

    private (float[] Input, float[] Priors) BuffersFor(int w, int h, int pw, int ph)
    {
        int i = _inputs.FindIndex(e => e.Size == (w, h));
        if (i >= 0)
        {
            var hit = _inputs[i];
            _inputs.RemoveAt(i);
            _inputs.Add(hit);
            return (hit.Input, hit.Priors);
        }
        if (_inputs.Count >= MaxCached) _inputs.RemoveAt(0);
        var entry = ((w, h), new float[3 * pw * ph], RetinaFaceModel.BuildPriors(pw, ph));
        _inputs.Add(entry);
        return (entry.Item2, entry.Item3);
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
