using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Redactor.OpenCv;

/// <summary>
/// YuNet through OpenCV's <see cref="FaceDetectorYN"/>, which decodes the network's outputs and runs NMS.
/// The detector is bound to one input size, so one instance is kept per size seen (a video has one or two).
/// </summary>
public sealed class YuNetModel : IFaceModel
{
    private readonly string _modelPath;
    private readonly float _threshold;
    // Each instance holds a network sized for one input (tens of MiB of buffers); photos of many sizes would
    // otherwise pile them up, so only the most recently used few are kept.
    private const int MaxCached = 4;
    private readonly List<((int W, int H) Size, FaceDetectorYN Detector)> _bySize = [];

    public YuNetModel(string modelPath, float scoreThreshold)
    {
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(scoreThreshold));
        NativeHeap.Tune();
        _modelPath = modelPath;
        _threshold = scoreThreshold;
    }

    public unsafe IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale)
    {
        int w = Math.Max(1, (int)Math.Round(roi.Width * scale));
        int h = Math.Max(1, (int)Math.Round(roi.Height * scale));
        // FaceDetectorYN pads to its stride itself; padding here gained nothing once the heap was tuned
        // (1280x720 36.0 ms vs 1280x736 35.9 ms), so the scaled ROI goes in as it is.
        var detector = DetectorFor(w, h);
        var found = new List<Detection>();
        using (var input = FrameMats.Scaled(frame, roi, w, h))
        {
            using var faces = new Mat();
            detector.Detect(input, faces);
            // One row a face: x, y, w, h, five landmarks (x, y), score; in the resized ROI's pixels.
            int rows = faces.Rows;
            if (rows > 0)
            {
                if (faces.Cols != 15 || !faces.IsContinuous()) throw new InvalidOperationException("unexpected FaceDetectorYN output layout");
                var values = new ReadOnlySpan<float>((void*)faces.Data, rows * 15);
                for (int i = 0; i < rows; i++)
                {
                    var r = values.Slice(i * 15, 15);
                    if (r[2] <= 0 || r[3] <= 0) continue;
                    found.Add(new Detection(new Box(roi.X + r[0] / scale, roi.Y + r[1] / scale, r[2] / scale, r[3] / scale), r[14]));
                }
                GC.KeepAlive(faces);
            }
        }
        return found;
    }

    private FaceDetectorYN DetectorFor(int w, int h)
    {
        int i = _bySize.FindIndex(e => e.Size == (w, h));
        FaceDetectorYN detector;
        if (i >= 0)
        {
            detector = _bySize[i].Detector;
            _bySize.RemoveAt(i);
        }
        else
        {
            detector = FaceDetectorYN.Create(_modelPath, "", new Size(w, h), _threshold, 0.3f, 5000, Backend.OPENCV, Target.CPU);
            if (_bySize.Count >= MaxCached)
            {
                _bySize[0].Detector.Dispose();
                _bySize.RemoveAt(0);
            }
        }
        _bySize.Add(((w, h), detector));
        return detector;
    }

    public void Dispose()
    {
        foreach (var (_, d) in _bySize) d.Dispose();
        _bySize.Clear();
    }
}
