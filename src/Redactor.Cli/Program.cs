using System.Runtime.InteropServices;
using Redactor.Cli;
using Redactor.OpenCv;

ImageFiles.SilenceNativeLog();
// Before any thread could read the environment (glibc's setenv is not safe beside a concurrent getenv), and before any
// ONNX Runtime session: see OrtRuntime.TelemetryOff.
Redactor.Onnx.OnnxRuntimeSetup.TelemetryOff();

using var cancel = new CancellationTokenSource();
// Ctrl-C and SIGTERM cancel the work; the pipeline's finally blocks then kill ffmpeg and remove temporary files.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    cancel.Cancel();
});
return App.Run(args, Console.Out, Console.Error, cancel.Token);
