using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using Redactor.OpenCv;

namespace Redactor.Onnx;

/// <summary>What the ONNX Runtime face models share: how a session is opened and how a BGR picture becomes the
/// planar float input.</summary>
internal static partial class OrtRuntime
{
    private static readonly Lock TelemetryLock = new();
    private static bool _telemetryOff;

    /// <summary>
    /// ONNX Runtime 1.31's Linux build records a telemetry event (a timestamp, a session id, the machine's details) in a
    /// database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/, beside a persistent device id, on every run, for
    /// upload later: on a seized laptop that is a log of when the tool was used. The event is written when the runtime's
    /// environment is created, before any API call could turn it off; the only switch that comes first is the process
    /// environment variable ORT_DISABLE_TELEMETRY=1, read by the native library at that moment. .NET's
    /// Environment.SetEnvironmentVariable changes a managed copy only on Linux, so libc's setenv sets it. Must run
    /// before anything touches ONNX Runtime (every session here opens through <see cref="Open"/>).
    /// </summary>
    internal static void TelemetryOff()
    {
        lock (TelemetryLock)
        {
            if (_telemetryOff) return;
            if (!OperatingSystem.IsWindows() && setenv("ORT_DISABLE_TELEMETRY", "1", 1) != 0)
                throw new InvalidOperationException("could not turn ONNX Runtime's telemetry off (setenv failed)");
            Environment.SetEnvironmentVariable("ORT_DISABLE_TELEMETRY", "1");
            // Also the API switch, for the events after creation (and on Windows, where the variable is not read).
            OrtEnv.Instance().DisableTelemetryEvents();
            _telemetryOff = true;
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    /// <param name="threads">Cores one network run may use; 0 for all of them.</param>
    public static InferenceSession Open(byte[] model, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        TelemetryOff();
        // The scaled frame and its planes are fresh native blocks of megabytes on every pass: without this, glibc
        // hands them back to the kernel each time and the page faults took as long as the network (one thread,
        // outside the CLI: 1280×720 took 20 ms to prepare for an 18–20 ms run; 2048×1152 37 ms for 45 ms).
        NativeHeap.Tune();
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            // A memory pattern is planned per input shape and kept, and each frame here brings two or three shapes
            // (one per pass) to YuNet: without it the peak is about 120 MiB lower, in the same time and with
            // byte-identical output (docs/results.md, Memory).
            EnableMemoryPattern = false,
        };
        return new InferenceSession(model, options);
    }

    /// <summary>
    /// Writes a BGR picture into a planar (NCHW) float input of planes <paramref name="planeWidth"/> ×
    /// <paramref name="planeHeight"/> (the picture at their top left; the rest is left as it is), B, G, R (R, G, B with
    /// <paramref name="rgb"/>), each channel minus its <paramref name="mean"/> (indexed B, G, R) and then times
    /// <paramref name="scale"/>. Whole-plane conversions by OpenCV; the float Mats are headers over the pinned managed buffer.
    /// </summary>
    public static unsafe void FillPlanar(Mat bgr, float[] input, int planeWidth, int planeHeight, Scalar mean, bool rgb = false, double scale = 1)
    {
        var planes = Cv2.Split(bgr);
        try
        {
            fixed (float* p = input)
            {
                for (int c = 0; c < 3; c++)
                {
                    int target = rgb ? 2 - c : c;
                    using var plane = Mat.FromPixelData(bgr.Rows, bgr.Cols, MatType.CV_32FC1, (IntPtr)(p + (long)target * planeWidth * planeHeight), planeWidth * sizeof(float));
                    planes[c].ConvertTo(plane, MatType.CV_32FC1, scale, -mean[c] * scale);
                }
            }
        }
        finally
        {
            foreach (var m in planes) m.Dispose();
        }
    }
}

/// <summary>What the composition root must do before anything else touches ONNX Runtime.</summary>
public static class OnnxRuntimeSetup
{
    /// <summary>Turns ONNX Runtime's telemetry off for the process (see <see cref="OrtRuntime.TelemetryOff"/>).</summary>
    public static void TelemetryOff() => OrtRuntime.TelemetryOff();
}
