using System.Diagnostics;
using Xunit;

namespace Redactor.Tests;

/// <summary>A temporary file is removed by another run only when its lock can be taken: its pid, host tag and mtime can
/// all lie (pid namespaces, shared default host names, a file server's skewed clock), the kernel's lock cannot.</summary>
public class TempFileLockTests
{
    private static int DeadPid()
    {
        int dead = 5_000_000; // above Linux's largest pid (2^22)
        while (Directory.Exists($"/proc/{dead}")) dead++;
        return dead;
    }

    /// <summary>Whether another process (util-linux's flock) finds <paramref name="path"/> locked.</summary>
    private static bool LockedElsewhere(string path) => TestPaths.Tool("flock", "-n", "-E", "75", path, "true").Exit == 75;

    /// <summary>Holds <paramref name="file"/> locked from another process until disposed. -o: the lock is flock's own,
    /// not inherited by sleep, so killing flock lets go of it.</summary>
    private static Process HoldLocked(string file)
    {
        var holder = Process.Start(new ProcessStartInfo("flock") { ArgumentList = { "-o", file, "sleep", "60" } })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!LockedElsewhere(file)) Assert.True(DateTime.UtcNow < deadline, "flock never took the lock");
        return holder;
    }

    [Fact]
    public void A_file_another_live_process_holds_locked_is_kept_whatever_its_name_and_age_and_removed_once_let_go()
    {
        var dir = TestPaths.NewTempDir();
        int dead = DeadPid();
        string[] names =
        [
            $".clip.{dead}-{TempFiles.HostTag}-0123abcd{TempFiles.LockedTag}{TempFiles.Marker}.mkv",
            // Named as before locks, with a dead pid of this host's: removed before, though its run may live in another
            // pid namespace (a container) or on another machine of the same name.
            $".clip.{dead}-{TempFiles.HostTag}-89abcdef{TempFiles.Marker}.mp4",
        ];
        var files = names.Select(n => Path.Combine(dir, n)).ToList();
        var holders = new List<Process>();
        try
        {
            foreach (var file in files)
            {
                File.WriteAllText(file, "x");
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow - TimeSpan.FromDays(1));
                holders.Add(HoldLocked(file));
            }
            Assert.Empty(TempFiles.RemoveStale(dir));
            Assert.All(files, f => Assert.True(File.Exists(f)));
        }
        finally
        {
            foreach (var h in holders)
            {
                h.Kill(entireProcessTree: true);
                h.WaitForExit();
                h.Dispose();
            }
        }
        Assert.Equal(names.Order(), TempFiles.RemoveStale(dir).Order());
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void A_temporary_file_is_locked_from_creation_to_publish_and_ffmpeg_writes_it_under_the_lock()
    {
        var dir = TestPaths.NewTempDir();
        var final = Path.Combine(dir, "o.mp4");
        using (var temp = TempFile.Beside(final))
        {
            Assert.Equal(dir, Path.GetDirectoryName(temp.Path));
            Assert.True(LockedElsewhere(temp.Path));
            // Our own cleanup opens the file anew, and a lock held by another open of it excludes that one too.
            Assert.Empty(TempFiles.RemoveStale(dir));
            // ffmpeg opens the path with O_TRUNC (the same file), and +faststart rewrites it in place.
            var made = TestPaths.Tool("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:duration=1",
                "-movflags", "+faststart", "-f", "mp4", temp.Path);
            Assert.True(made.Exit == 0, made.Err);
            Assert.True(LockedElsewhere(temp.Path));
            Assert.Empty(TempFiles.RemoveStale(dir));
            temp.Publish(final, overwrite: false);
            Assert.False(File.Exists(temp.Path));
        }
        Assert.False(LockedElsewhere(final));
        Assert.Equal(["o.mp4"], Directory.GetFiles(dir).Select(Path.GetFileName));

        // Not published: deleted before the lock is let go.
        string path;
        using (var temp = TempFile.Beside(final)) path = temp.Path;
        Assert.False(File.Exists(path));
    }

    /// <summary>The protection setpriv gives (tools killed with us) cannot silently disappear: a run that encodes says
    /// once that it is missing.</summary>
    [Fact]
    public void Without_setpriv_a_run_that_encodes_video_warns_once()
    {
        var dir = TestPaths.NewTempDir();
        var videos = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        foreach (var n in new[] { "a.mp4", "b.mp4" })
        {
            var made = TestPaths.Tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=5:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
                Path.Combine(videos, n));
            Assert.True(made.Exit == 0, made.Err);
        }
        const string warning = "warning: setpriv (util-linux) is not available here: if redactor is killed, its encoder may finish a partial copy; the next run into that folder removes it";
        Redactor.FFmpeg.FfmpegProcess.WithoutDeathSignal.Value = true;
        try
        {
            var (code, _, err) = Cli.Run(Cli.WithModels("redact", videos, "-o", Path.Combine(dir, "out"), "--detector", "yunet"));
            Assert.True(code == 0, err);
            Assert.Equal(1, err.Split('\n').Count(l => l.Trim() == warning));
            var photo = Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");
            (code, _, err) = Cli.Run(Cli.WithModels("redact", photo, "-o", Path.Combine(dir, "p.jpg"), "--detector", "yunet"));
            Assert.True(code == 0, err);
            Assert.DoesNotContain("setpriv", err);
        }
        finally
        {
            Redactor.FFmpeg.FfmpegProcess.WithoutDeathSignal.Value = false;
        }
        var (code2, _, err2) = Cli.Run(Cli.WithModels("redact", Path.Combine(videos, "a.mp4"), "-o", Path.Combine(dir, "again.mp4"), "--detector", "yunet"));
        Assert.True(code2 == 0, err2);
        Assert.DoesNotContain("setpriv", err2);
    }
}
