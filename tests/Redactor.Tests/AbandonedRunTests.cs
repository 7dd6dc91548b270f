using System.Diagnostics;
using Xunit;

namespace Redactor.Tests;

/// <summary>A run killed outright (kill -9, the OOM killer) cannot clean up: what it leaves must not be a playable
/// partial copy, and the next run into the folder removes it (issue 27).</summary>
public class AbandonedRunTests
{
    private static string Photo => Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");

    /// <summary>Processes (not zombies) whose command line mentions <paramref name="text"/>.</summary>
    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                bool zombie = stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
                if (!zombie && cmdline.Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }
        return found;
    }

    private static long DecodableFrames(string video)
    {
        var probe = TestPaths.Tool("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", video);
        return probe.Exit == 0 && long.TryParse(probe.Out.Trim().Split('\n')[0], out long n) ? n : 0;
    }

    [Fact]
    public async Task A_killed_run_leaves_no_playable_partial_file_and_the_next_run_removes_what_it_left()
    {
        Assert.NotNull(Redactor.FFmpeg.FfmpegProcess.DeathSignal); // util-linux's setpriv, present on Debian
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "in.mp4");
        var make = TestPaths.Tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=12",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=12", "-vf", "noise=alls=20:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", input);
        Assert.True(make.Exit == 0, make.Err);
        var outDir = Path.Combine(dir, "out");
        var dll = Path.Combine(AppContext.BaseDirectory, "redactor.dll");
        // Lossless encoding (--crf 0) of a noisy picture keeps the encoder busy long enough to be killed mid-file.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { dll, "redact", input, "-o", Path.Combine(outDir, "o.mp4"), "--detector", "yunet", "--min-face", "64", "--crf", "0", "-q", "--models", TestPaths.Store })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();

        string? temp = null;
        long seen = 0;
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            if (p.HasExited) Assert.Fail($"finished (exit {p.ExitCode}) before it could be killed: {await stderr}");
            Assert.True(DateTime.UtcNow < deadline, "no temporary output seen growing");
            temp = Directory.Exists(outDir) ? Directory.GetFiles(outDir).FirstOrDefault(f => f.Contains(TempFiles.Marker) && new FileInfo(f).Length > 0) : null;
            long size = temp is null ? 0 : new FileInfo(temp).Length;
            if (seen > 0 && size > seen) break;
            seen = size;
            await Task.Delay(100);
        }

        p.Kill(entireProcessTree: false); // SIGKILL to the tool alone, as kill -9 PID
        p.WaitForExit();
        await Task.WhenAll(stderr, stdout);
        // The kernel kills the tool's children as it dies; give it a moment to be seen in /proc.
        var gone = DateTime.UtcNow.AddSeconds(10);
        while (ProcessesMentioning(dir).Count > 0 && DateTime.UtcNow < gone) await Task.Delay(100);
        Assert.Empty(ProcessesMentioning(dir));
        Assert.False(File.Exists(Path.Combine(outDir, "o.mp4")));
        // An encoder that outlived the tool took its closed stdin for the end and finished a playable file (182 frames).
        if (File.Exists(temp)) Assert.Equal(0, DecodableFrames(temp));

        // Any run that writes into the folder removes it, and says so.
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "-o", Path.Combine(outDir, "p.jpg"), "--detector", "yunet"));
        Assert.True(code == 0, err);
        Assert.Contains($"note: {outDir}: removed 1 unfinished temporary file", err);
        Assert.Contains(Path.GetFileName(temp!), err);
        Assert.Equal(new[] { "p.jpg" }, Directory.GetFiles(outDir).Select(Path.GetFileName));
    }

    /// <summary>The death signal follows the thread that forked the child, and .NET forks from the calling thread: a child
    /// started from a worker thread must outlive that thread.</summary>
    [Fact]
    public async Task A_tool_started_from_a_thread_that_ends_lives_on()
    {
        Redactor.FFmpeg.FfmpegProcess? tool = null;
        var starter = new Thread(() => tool = Redactor.FFmpeg.FfmpegProcess.Start("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "rawvideo", "-s", "8x8", "-i", "pipe:0", "-f", "null", "-"], redirectInput: true));
        starter.Start();
        starter.Join();
        using (tool)
        {
            Assert.NotNull(tool);
            // Waiting for the encoder to end: it must not, as its stdin is still open.
            var ended = Task.Run(() => tool!.WaitForExit(CancellationToken.None));
            Assert.NotSame(ended, await Task.WhenAny(ended, Task.Delay(2000)));
            tool!.StandardInput.Close();
            await ended.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, tool.ExitCode);
        }
    }

    /// <summary>A file whose lock can be taken is abandoned, whatever pid and host its name gives; one named before runs
    /// locked theirs is judged by its age as well, since an older redactor may still be writing it.</summary>
    [Fact]
    public void Stale_temporary_files_are_removed_and_those_of_live_runs_kept()
    {
        var dir = TestPaths.NewTempDir();
        int dead = 5_000_000; // above Linux's largest pid (2^22)
        while (Directory.Exists($"/proc/{dead}")) dead++;
        string host = TempFiles.HostTag, elsewhere = host == "0000" ? "0001" : "0000", locked = TempFiles.LockedTag + TempFiles.Marker;
        string[] stale =
        [
            $".clip.{dead}-{host}-0123abcd{locked}.mkv", $".p.q.{dead}-{host}-89abcdef{locked}.jpg",
            $".clip.{Environment.ProcessId}-{host}-0123abcd{locked}.mkv", // our pid, but not held by us: not ours
            $".clip.1-{host}-0123abcd{locked}.webm", // a live pid, and not held
            $".clip.{dead}-{elsewhere}-0123abcd{locked}.webm", // another machine's, written just now, and not held
        ];
        string[] kept =
        [
            $".young.0123abcd{TempFiles.Marker}.mp4", // named before locks, and written just now
            $".clip.{dead}-{host}-0123abcd{TempFiles.Marker}.mkv", // the same
            $"clip{TempFiles.Marker}.mp4", ".hidden.jpg", "clip.mkv",
        ];
        foreach (var f in stale.Concat(kept)) File.WriteAllText(Path.Combine(dir, f), "x");
        string[] old = [$".old.0123abcd{TempFiles.Marker}.mp4", $".clip.{dead}-{elsewhere}-89abcdef{TempFiles.Marker}.mp4"];
        foreach (var f in old)
        {
            File.WriteAllText(Path.Combine(dir, f), "x");
            File.SetLastWriteTimeUtc(Path.Combine(dir, f), DateTime.UtcNow - TempFiles.UnownedAge - TimeSpan.FromMinutes(1));
        }
        // A live run's file, held since its creation.
        using var live = TempFile.Beside(Path.Combine(dir, "live.mkv"));
        File.SetLastWriteTimeUtc(live.Path, DateTime.UtcNow - TimeSpan.FromDays(1));
        kept = [.. kept, Path.GetFileName(live.Path)];

        var removed = TempFiles.RemoveStale(dir);
        Assert.Equal(stale.Concat(old).Order(), removed.Order());
        Assert.Equal(kept.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Matches($@"^\.name\.{Environment.ProcessId}-{host}-[0-9a-f]{{8}}-locked\.redactor-tmp\.mkv$", Path.GetFileName(TempFiles.PathBeside("/x/name.mkv")));
    }
}
