using System.Diagnostics;
using System.Text;

namespace Redactor.FFmpeg;

/// <summary>
/// Finds ffmpeg/ffprobe and starts them with an argument list (never a hand-quoted command line).
/// stderr is drained on a background task into a bounded buffer, so a chatty ffmpeg can never block on a
/// full pipe, and the tail is kept for error messages.
/// </summary>
public sealed class FfmpegProcess : IDisposable
{
    private const int MaxStderrChars = 16_384;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private FfmpegProcess(Process process)
    {
        _process = process;
        _stderrPump = Task.Run(PumpStderr);
    }

    public Stream StandardInput => _process.StandardInput.BaseStream;
    public Stream StandardOutput => _process.StandardOutput.BaseStream;
    public bool HasExited => _process.HasExited;

    /// <summary>Tail of what the tool printed on stderr so far.</summary>
    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Path of a tool: $REDACTOR_FFMPEG_DIR/NAME if set, else the first NAME on PATH.</summary>
    public static string Locate(string name)
    {
        var dir = Environment.GetEnvironmentVariable("REDACTOR_FFMPEG_DIR");
        var dirs = !string.IsNullOrEmpty(dir) ? [dir] : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        foreach (var d in dirs)
        {
            if (string.IsNullOrEmpty(d)) continue;
            var candidate = Path.Combine(d, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new MediaException($"{name} is not installed (needed for video); install it with 'apt-get install ffmpeg'");
    }

    public static FfmpegProcess Start(string tool, IEnumerable<string> arguments, bool redirectInput = false, bool redirectOutput = false)
    {
        var path = Locate(tool);
        var psi = new ProcessStartInfo(DeathSignal ?? path)
        {
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
            UseShellExecute = false,
        };
        if (DeathSignal is not null) foreach (var a in new[] { "--pdeathsig", "KILL", "--", path }) psi.ArgumentList.Add(a);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        var process = Spawner.Start(psi) ?? throw new MediaException($"could not start {tool}");
        return new FfmpegProcess(process);
    }

    /// <summary>
    /// util-linux's setpriv, which sets PR_SET_PDEATHSIG and then runs the tool (same process: exec). Without it, an
    /// encoder outlived a killed run (kill -9, the OOM killer): its stdin closed, it took that for the end of the video and
    /// finished the temporary file into a playable, partly redacted copy with all of the source's audio. With it the
    /// kernel kills the tool when we die, and an encoder killed mid-file leaves an MP4 with no index (unplayable). MKV,
    /// WebM and AVI stay playable when cut, so the next run into the folder removes such leftovers
    /// (<see cref="TempFiles.RemoveStale"/>). Null where setpriv is missing or cannot set the signal (a sandbox that
    /// forbids prctl): the tools then run as before, rather than every video failing.
    /// </summary>
    internal static string? DeathSignal => WithoutDeathSignal.Value ? null : LazyDeathSignal.Value;

    /// <summary>Whether the tools are killed with us (<see cref="DeathSignal"/>): without it a killed run's encoder may
    /// finish a partial copy, which the user is warned of.</summary>
    public static bool ToolsDieWithUs => DeathSignal is not null;

    /// <summary>Test seam: in this flow of execution, run as if setpriv were missing (a static flag would reach the
    /// tests running beside it).</summary>
    internal static readonly AsyncLocal<bool> WithoutDeathSignal = new();

    private static readonly Lazy<string?> LazyDeathSignal = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return null;
        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        if (setpriv is null) return null;
        try
        {
            var psi = new ProcessStartInfo(setpriv) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--pdeathsig", "KILL", "--", setpriv, "--version" }) psi.ArgumentList.Add(a);
            using var trial = Process.Start(psi);
            if (trial is null) return null;
            trial.StandardOutput.ReadToEnd();
            trial.StandardError.ReadToEnd();
            return trial.WaitForExit(5000) && trial.ExitCode == 0 ? setpriv : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return null;
        }
    });

    /// <summary>
    /// Starts every child from one thread that lives as long as the process. prctl(2) documents the death signal as sent
    /// when the *thread* that forked the child ends, and .NET forks on the calling thread: a pool thread retired after a
    /// quiet spell would then kill a live encoder mid-file. (Linux 6.18 here waited for the process, but the documented
    /// behaviour is the one to be safe against.)
    /// </summary>
    private static class Spawner
    {
        private static readonly System.Collections.Concurrent.BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process?> Done)> Queue = new();

        static Spawner()
        {
            new Thread(() =>
            {
                foreach (var (info, done) in Queue.GetConsumingEnumerable())
                {
                    try
                    {
                        done.SetResult(Process.Start(info));
                    }
                    catch (Exception e)
                    {
                        done.SetException(e);
                    }
                }
            }) { IsBackground = true, Name = "child process spawner" }.Start();
        }

        public static Process? Start(ProcessStartInfo info)
        {
            var done = new TaskCompletionSource<Process?>(TaskCreationOptions.RunContinuationsAsynchronously);
            Queue.Add((info, done));
            return done.Task.GetAwaiter().GetResult();
        }
    }

    /// <summary>Runs a tool to completion and returns its stdout; a non-zero exit raises a <see cref="MediaException"/>
    /// explained from stderr.</summary>
    public static string Run(string tool, IEnumerable<string> arguments, CancellationToken ct)
    {
        using var p = Start(tool, arguments, redirectOutput: true);
        var output = p._process.StandardOutput.ReadToEndAsync(ct);
        p.WaitForExit(ct);
        var text = output.GetAwaiter().GetResult();
        if (p.ExitCode != 0) throw FfmpegErrors.Explain(tool, p.Stderr);
        return text;
    }

    public int ExitCode => _process.ExitCode;

    public void WaitForExit(CancellationToken ct)
    {
        try
        {
            _process.WaitForExitAsync(ct).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        _stderrPump.Wait(TimeSpan.FromSeconds(5));
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }

    private async Task PumpStderr()
    {
        var reader = _process.StandardError;
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, n);
                if (_stderr.Length > MaxStderrChars) _stderr.Remove(0, _stderr.Length - MaxStderrChars);
            }
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}

/// <summary>Turns ffmpeg's stderr into the one-line reasons users see.</summary>
public static class FfmpegErrors
{
    public static MediaException Explain(string tool, string stderr)
    {
        string s = stderr;
        string reason =
            s.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) ? "disk full (no space left on device)" :
            s.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) ? "permission denied" :
            s.Contains("moov atom not found", StringComparison.OrdinalIgnoreCase) ? "truncated or damaged file (no index: moov atom not found)" :
            s.Contains("Invalid data found when processing input", StringComparison.OrdinalIgnoreCase) ? "not a video, or damaged (invalid data)" :
            s.Contains("Decoder not found", StringComparison.OrdinalIgnoreCase) || s.Contains("unsupported codec", StringComparison.OrdinalIgnoreCase)
                ? "unsupported codec" :
            s.Contains("Unknown encoder", StringComparison.OrdinalIgnoreCase) ? "this ffmpeg lacks a needed encoder (install Debian's ffmpeg)" :
            $"{tool} failed: {LastLine(s)}";
        return new MediaException(reason, s);
    }

    internal static string LastLine(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no message" : lines[^1];
    }
}
