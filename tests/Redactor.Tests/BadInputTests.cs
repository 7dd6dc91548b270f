using System.Diagnostics;
using Xunit;

namespace Redactor.Tests;

public class BadInputTests
{
    private static string Photo => Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");

    /// <summary>Runs redact on one input and checks the contract for a failed input: exit 1, one line naming the
    /// file and reason, no output or temporary file, input unchanged.</summary>
    private static void AssertFails(string input, string expectedReason)
    {
        var dir = Path.GetDirectoryName(input)!;
        var before = Directory.GetFiles(dir).ToDictionary(f => f, ModelStore.Sha256Of);
        var (code, stdout, err) = Cli.Run(Cli.WithModels("redact", input, "-q"));
        Assert.Equal(1, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(input, line);
        Assert.Contains(expectedReason, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", err);
        Assert.Equal(before, Directory.GetFiles(dir).ToDictionary(f => f, ModelStore.Sha256Of));
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Empty_file() 
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "empty.mp4");
        File.WriteAllBytes(f, []);
        AssertFails(f, "empty file");
    }

    [Fact]
    public void Animated_webp_is_refused_not_cut_to_its_first_frame()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "anim.webp");
        File.WriteAllBytes(f, ImagePagesTests.Riff(("VP8X", 10), ("ANIM", 6), ("ANMF", 31), ("ANMF", 31)));
        AssertFails(f, "animated WebP of 2 frames: only still images are redacted");
    }

    [Fact]
    public void Empty_photo()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "empty.jpg");
        File.WriteAllBytes(f, []);
        AssertFails(f, "empty file");
    }

    [Fact]
    public void Truncated_mp4()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "cut.mp4");
        var bytes = File.ReadAllBytes(TestPaths.Panzoom720);
        File.WriteAllBytes(f, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        AssertFails(f, "truncated");
    }

    [Fact]
    public void Truncated_mp4_with_its_index_first_is_redacted_as_far_as_it_goes_with_a_warning()
    {
        var dir = TestPaths.NewTempDir();
        var whole = Path.Combine(dir, "whole.mp4");
        var cut = TestPaths.Tool("ffmpeg", "-v", "error", "-i", TestPaths.Panzoom720, "-t", "2", "-c", "copy", "-movflags", "+faststart", whole);
        Assert.True(cut.Exit == 0, cut.Err);
        var input = Path.Combine(dir, "cut.mp4");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(input, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-q"));
        Assert.True(code == 0, err);
        Assert.Contains($"warning: {input}: the decoder reported damage", err);
        Assert.True(File.Exists(Path.Combine(dir, "cut.redacted.mp4")));
    }

    [Fact]
    public void Text_renamed_mp4()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "notes.mp4");
        File.WriteAllText(f, "These are my notes, not a video.\n");
        AssertFails(f, "not a video");
    }

    [Fact]
    public void Text_renamed_jpg()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "notes.jpg");
        File.WriteAllText(f, "not a picture\n");
        AssertFails(f, "not a readable image");
    }

    [Fact]
    public void Missing_path()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "nowhere.mp4");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", f));
        Assert.Equal(1, code);
        Assert.Contains($"{f}: file not found", err);
    }

    [Fact]
    public void Unsupported_extension_is_named()
    {
        var f = Path.Combine(TestPaths.NewTempDir(), "doc.txt");
        File.WriteAllText(f, "x");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", f));
        Assert.Equal(1, code);
        Assert.Contains("unsupported file type '.txt'", err);
    }

    [Fact]
    public void Unwritable_output_folder()
    {
        // Tests may run as root, for whom permission bits do not bind: a folder below a regular file can never be created.
        var dir = TestPaths.NewTempDir();
        var blocker = Path.Combine(dir, "a-file");
        File.WriteAllText(blocker, "x");
        var output = Path.Combine(blocker, "sub", "out.jpg");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "-o", output));
        Assert.Equal(1, code);
        Assert.Contains("not writable", err);
        Assert.Equal(new[] { blocker }, Directory.GetFiles(dir));
    }

    [Fact]
    public void Disk_full_is_reported_and_leaves_no_partial_file()
    {
        // A 200 KiB tmpfs stands in for a full disk (the tests run as root on the CI machines).
        var mountPoint = TestPaths.NewTempDir();
        var mount = TestPaths.Tool("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", mountPoint);
        Assert.True(mount.Exit == 0, "cannot mount a small tmpfs: " + mount.Err);
        try
        {
            var input = Path.Combine(TestPaths.NewTempDir(), "in.mp4");
            var cut = TestPaths.Tool("ffmpeg", "-v", "error", "-i", TestPaths.Panzoom720, "-t", "2", "-c", "copy", input);
            Assert.True(cut.Exit == 0, cut.Err);
            var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", Path.Combine(mountPoint, "out.mp4"), "-q"));
            Assert.Equal(1, code);
            Assert.Contains("disk full", err);
            Assert.Empty(Directory.GetFileSystemEntries(mountPoint));
        }
        finally
        {
            TestPaths.Tool("umount", mountPoint);
        }
    }

    [Fact]
    public void Existing_output_is_not_overwritten_without_the_flag_and_the_input_never_is()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "p.jpg");
        File.Copy(Photo, input);
        var existing = Path.Combine(dir, "p.redacted.jpg");
        File.WriteAllText(existing, "keep me");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input));
        Assert.Equal(1, code);
        Assert.Contains("already exists", err);
        Assert.Equal("keep me", File.ReadAllText(existing));

        Assert.Equal(0, Cli.Run(Cli.WithModels("redact", input, "--overwrite", "-q")).Exit);
        Assert.NotEqual("keep me", File.ReadAllText(existing));

        var hash = ModelStore.Sha256Of(input);
        var self = Cli.Run(Cli.WithModels("redact", input, "-o", input, "--overwrite"));
        Assert.Equal(1, self.Exit);
        Assert.Contains("overwrite the input", self.Err);
        Assert.Equal(hash, ModelStore.Sha256Of(input));
    }

    [Fact]
    public void One_bad_input_among_good_ones_exits_1_and_the_others_are_done()
    {
        var dir = TestPaths.NewTempDir();
        File.Copy(Photo, Path.Combine(dir, "good.jpg"));
        File.WriteAllText(Path.Combine(dir, "bad.png"), "nope");
        var (code, stdout, err) = Cli.Run(Cli.WithModels("redact", dir));
        Assert.Equal(1, code);
        Assert.True(File.Exists(Path.Combine(dir, "good.redacted.jpg")));
        Assert.False(File.Exists(Path.Combine(dir, "bad.redacted.png")));
        Assert.Contains("bad.png", err);
        Assert.Contains("1 redacted, 1 failed", stdout);
    }

    [Theory]
    [InlineData("--style", "smear")]
    [InlineData("--color", "purple")]
    [InlineData("--threshold", "1.5")]
    [InlineData("--mask-scale", "0.2")]
    [InlineData("--mask-margin", "-1")]
    [InlineData("--crf", "99")]
    public void Bad_option_values_are_usage_errors(string option, string value)
    {
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, option, value));
        Assert.Equal(2, code);
        Assert.NotEqual("", err.Trim());
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("--mask-scale", "0.2")]
    [InlineData("--mask-margin", "65")]
    public void A_bad_mask_value_names_the_option_as_typed(string option, string value)
    {
        var (_, _, err) = Cli.Run(Cli.WithModels("redact", Photo, option, value));
        Assert.StartsWith($"error: {option}: ", err);
        Assert.Contains($"(got {value})", err);
    }

    [Fact]
    public void A_colour_without_fill_is_named_as_unused()
    {
        var dir = TestPaths.NewTempDir();
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "-o", Path.Combine(dir, "x.jpg"), "--color", "ff00ff", "-q"));
        Assert.Equal(0, code);
        Assert.Contains("warning: --color is used with --style fill only", err);
        (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "-o", Path.Combine(dir, "y.jpg"), "--style", "fill", "--color", "ff00ff", "-q"));
        Assert.Equal(0, code);
        Assert.Equal("", err);
    }

    [Fact]
    public void Fast_without_tracking_is_a_usage_error()
    {
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "--fast", "--no-track"));
        Assert.Equal(2, code);
        Assert.Contains("--fast needs tracking", err);
    }

    [Fact]
    public void No_input_is_a_usage_error()
    {
        Assert.Equal(2, Cli.Run("redact").Exit);
        Assert.Equal(2, Cli.Run("frobnicate").Exit);
    }

    [Fact]
    public async Task Interrupted_run_leaves_no_output_or_temporary_file()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "in.mp4");
        // Six seconds of the pan-zoom video: long enough to interrupt during encoding, short enough for CI.
        var cut = TestPaths.Tool("ffmpeg", "-v", "error", "-i", TestPaths.Panzoom720, "-t", "6", "-c", "copy", input);
        Assert.True(cut.Exit == 0, cut.Err);
        var hash = ModelStore.Sha256Of(input);
        var dll = Path.Combine(AppContext.BaseDirectory, "redactor.dll");
        // A background job of a non-interactive shell (as CI may be) inherits SIGINT as ignored, and the .NET runtime
        // keeps an inherited 'ignore' as a shell would; 'env --default-signal=INT' gives the child the disposition
        // a terminal's foreground process has, so this test sends the Ctrl-C a user's terminal would.
        var psi = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", dll, "redact", input, "--models", TestPaths.Store }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (err) err.AppendLine(e.Data);
        };
        p.BeginErrorReadLine();
        var stdout = p.StandardOutput.ReadToEndAsync();
        // Wait until the encoder is writing (second pass), so a temporary output exists, then interrupt like Ctrl-C.
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (!Directory.GetFiles(dir).Any(f => f.Contains(TempFiles.Marker)))
        {
            Assert.False(p.HasExited, "finished before it could be interrupted: " + err);
            Assert.True(DateTime.UtcNow < deadline, "no temporary output seen: " + err);
            await Task.Delay(20);
        }
        await Task.Delay(300);
        Assert.Equal(0, TestPaths.Tool("kill", "-INT", p.Id.ToString()).Exit);
        Assert.True(p.WaitForExit(30_000), "did not stop within 30 s of SIGINT: " + err);
        p.WaitForExit();
        Assert.Equal(130, p.ExitCode);
        lock (err) Assert.Contains("interrupted", err.ToString());
        Assert.Equal(new[] { input }, Directory.GetFiles(dir));
        Assert.Equal(hash, ModelStore.Sha256Of(input));
        await stdout;
    }

    /// <summary>A named pipe stands for /dev/null, /dev/stdout and a shell's &gt;(…): special files an output
    /// rename would replace (a rename over /dev/null, run as root, turned the device into a regular file). A pipe in
    /// a temporary folder keeps a regression harmless.</summary>
    private static string NewFifo(string dir, string name)
    {
        var fifo = Path.Combine(dir, name);
        Assert.Equal(0, TestPaths.Tool("mkfifo", fifo).Exit);
        return fifo;
    }

    private static string FileType(string path) => TestPaths.Tool("stat", "-c", "%F", path).Out.Trim();

    [Fact]
    public async Task Detect_writes_its_report_into_a_pipe_and_leaves_the_pipe_a_pipe()
    {
        var dir = TestPaths.NewTempDir();
        var fifo = NewFifo(dir, "report");
        var reader = Task.Run(() => File.ReadAllText(fifo));
        var (code, _, err) = Cli.Run(Cli.WithModels("detect", Photo, "--json", fifo, "-q"));
        Assert.True(code == 0, err);
        var report = await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(report).RootElement.GetProperty("files").GetArrayLength());
        Assert.Equal("fifo", FileType(fifo));
        Assert.Single(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Redact_names_a_device_as_one_whether_or_not_it_looks_like_a_file()
    {
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "-o", "/dev/null", "--overwrite"));
        Assert.Equal(1, code);
        Assert.Contains("/dev/null is not a regular file (a device or a pipe)", err);
    }

    [Fact]
    public void Redact_refuses_to_write_a_photo_over_a_pipe_even_with_overwrite()
    {
        var dir = TestPaths.NewTempDir();
        var fifo = NewFifo(dir, "out.jpg");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", Photo, "-o", fifo, "--overwrite"));
        Assert.Equal(1, code);
        Assert.Contains("not a regular file", err);
        Assert.Equal("fifo", FileType(fifo));
        Assert.Single(Directory.GetFileSystemEntries(dir));
    }
}
