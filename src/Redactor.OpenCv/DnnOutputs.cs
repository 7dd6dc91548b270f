using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Redactor.OpenCv;

/// <summary>Decodes two float outputs of a network, given as spans over their whole tensors.</summary>
internal delegate List<Detection> TwoOutputDecoder(ReadOnlySpan<float> first, ReadOnlySpan<float> second);

internal static class DnnOutputs
{
    /// <summary>
    /// Runs <paramref name="net"/> on <paramref name="blob"/> and decodes the two named float outputs. The spans
    /// point into native Mats owned here: they are valid only during <paramref name="decode"/>.
    /// </summary>
    public static unsafe List<Detection> Forward(Net net, Mat blob, string first, string second, TwoOutputDecoder decode)
    {
        net.SetInput(blob);
        Mat[] outs = [new Mat(), new Mat()];
        try
        {
            net.Forward(outs, [first, second]);
            var a = new ReadOnlySpan<float>((void*)outs[0].Data, checked((int)outs[0].Total()));
            var b = new ReadOnlySpan<float>((void*)outs[1].Data, checked((int)outs[1].Total()));
            var result = decode(a, b);
            GC.KeepAlive(outs);
            return result;
        }
        finally
        {
            foreach (var m in outs) m.Dispose();
        }
    }
}
