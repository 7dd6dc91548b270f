using System.Diagnostics;
using Xunit;

namespace Redactor.Tests;

/// <summary>What a run leaves on the machine besides its output: nothing. A seized laptop must not hold a log of use.</summary>
public class PrivacyTests
{
    /// <summary>
    /// Runs the real CLI as its own process with an empty home and temporary folder and a bare environment (ONNX Runtime
    /// stays silent when it sees a CI variable such as CI=true, which CI itself sets: the child must not inherit it, or
    /// the test would pass without the fix). Before the fix ONNX Runtime wrote
    /// ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db} on every run.
    /// </summary>
    [Fact]
    public async Task A_run_writes_nothing_to_the_home_or_temporary_folder()
    {
        var root = TestPaths.NewTempDir();
        string home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        string tmp = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
        string work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        var photo = Path.Combine(work, "face.jpg");
        File.Copy(Directory.GetFiles(Path.Combine(TestPaths.DlibFaces, "images"), "*.jpg").Order(StringComparer.Ordinal).First(), photo);
        var clip = Path.Combine(work, "clip.mp4");
        var cut = TestPaths.Tool("ffmpeg", "-v", "error", "-i", TestPaths.Panzoom720, "-t", "0.5", "-c", "copy", clip);
        Assert.True(cut.Exit == 0, cut.Err);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment.Clear();
        foreach (var name in new[] { "PATH", "DOTNET_ROOT", "LANG" })
            if (Environment.GetEnvironmentVariable(name) is { } value) psi.Environment[name] = value;
        psi.Environment["HOME"] = home;
        psi.Environment["TMPDIR"] = tmp;
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "redactor.dll"), "redact", photo, clip, "-o", Path.Combine(work, "out"), "--models", TestPaths.Store })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = await p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(300_000), "no exit within 5 minutes");
        Assert.True(p.ExitCode == 0, output + await err);

        Assert.Equal(2, Directory.GetFiles(Path.Combine(work, "out")).Length);
        Assert.Empty(Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFileSystemEntries(tmp, "*", SearchOption.AllDirectories));
        Assert.Equal(new[] { "clip.mp4", "face.jpg", "out" }, Directory.GetFileSystemEntries(work).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
