using Redactor.Cli;
using Xunit;

namespace Redactor.Tests;

/// <summary>What a folder holds and where outputs go, spelt through links (a hostile test pass, issue 27).</summary>
public class FolderInputTests
{
    private static string Photo => Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");

    private static (int Exit, string Out, string Err) Redact(params string[] args) => Cli.Run(Cli.WithModels(["redact", .. args, "--detector", "yunet"]));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void The_input_is_never_overwritten_through_a_linked_folder_or_a_hard_link()
    {
        var dir = TestPaths.NewTempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir, "photos")).FullName;
        var input = Path.Combine(folder, "a.jpg");
        File.Copy(Photo, input);
        var link = Path.Combine(dir, "link");
        Directory.CreateSymbolicLink(link, folder);
        var hard = Path.Combine(dir, "hard.jpg");
        Assert.Equal(0, TestPaths.Tool("ln", input, hard).Exit);
        var hash = ModelStore.Sha256Of(input);

        foreach (var args in new[] { new[] { folder, "-o", link }, [input, "-o", Path.Combine(link, "a.jpg")], [input, "-o", hard], [input, "-o", Path.Combine(link, "..", "hard.jpg")] })
        {
            var (code, _, err) = Redact([.. args, "--overwrite", "-q"]);
            Assert.Equal(1, code);
            Assert.Equal([$"error: {input}: the output would overwrite the input; choose another output name"], Lines(err));
            Assert.Equal(hash, ModelStore.Sha256Of(input));
            Assert.Equal(hash, ModelStore.Sha256Of(hard));
        }
        Assert.Equal(new[] { input }, Directory.GetFiles(folder));
    }

    [Fact]
    public void Detect_refuses_a_report_path_that_is_an_input_through_a_linked_folder_and_a_hard_link()
    {
        var dir = TestPaths.NewTempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir, "photos")).FullName;
        var input = Path.Combine(folder, "a.jpg");
        File.Copy(Photo, input);
        Assert.Equal(0, TestPaths.Tool("ln", input, Path.Combine(folder, "report.json")).Exit);
        var link = Path.Combine(dir, "link");
        Directory.CreateSymbolicLink(link, folder);
        var (code, _, err) = Cli.Run(Cli.WithModels("detect", input, "--json", Path.Combine(link, "report.json"), "--detector", "yunet"));
        Assert.Equal(2, code);
        Assert.Contains("is the input", err);
        // Through '..' after a link, where the kernel would find another file: checked where it is written.
        var elsewhere = Directory.CreateDirectory(Path.Combine(TestPaths.NewTempDir(), "sub")).FullName;
        File.WriteAllText(Path.Combine(elsewhere, "..", "report.json"), "another file");
        Directory.CreateSymbolicLink(Path.Combine(folder, "linked"), elsewhere);
        (code, _, err) = Cli.Run(Cli.WithModels("detect", input, "--json", Path.Combine(folder, "linked", "..", "report.json"), "--detector", "yunet"));
        Assert.Equal(2, code);
        Assert.Contains("is the input", err);
        Assert.Equal(ModelStore.Sha256Of(Photo), ModelStore.Sha256Of(Path.Combine(folder, "report.json")));
    }

    /// <summary>The output is written where its path's text leads ('..' taken away before the kernel sees a link), so
    /// that is where it is checked.</summary>
    [Fact]
    public void An_output_through_a_link_and_dot_dot_is_checked_where_it_is_written()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "a.jpg");
        File.Copy(Photo, input);
        var elsewhere = Directory.CreateDirectory(Path.Combine(TestPaths.NewTempDir(), "sub")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(dir, "linked"), elsewhere);
        // What the kernel finds at linked/../a.jpg: another file.
        File.WriteAllText(Path.Combine(elsewhere, "..", "a.jpg"), "another file");
        var hash = ModelStore.Sha256Of(input);
        var (code, _, err) = Redact(input, "-o", Path.Combine(dir, "linked", "..", "a.jpg"), "--overwrite", "-q");
        Assert.Equal(1, code);
        Assert.Contains("the output would overwrite the input", err);
        Assert.Equal(hash, ModelStore.Sha256Of(input));
    }

    [Fact]
    public void An_output_that_is_another_input_is_refused()
    {
        var dir = TestPaths.NewTempDir();
        var a = Path.Combine(dir, "a.jpg");
        var b = Path.Combine(dir, "a.redacted.jpg");
        File.WriteAllText(a, "");
        File.WriteAllText(b, "");
        var items = Inputs.Plan([a, b], null, false, true);
        Assert.Equal($"the output {b} is the input {b}; choose another output name", items[0].Error);
    }

    [Fact]
    public void An_output_folder_inside_the_input_folder_is_not_read_again()
    {
        var dir = TestPaths.NewTempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir, "photos")).FullName;
        File.Copy(Photo, Path.Combine(folder, "a.jpg"));
        var output = Path.Combine(folder, "out");
        var link = Path.Combine(dir, "link");
        Directory.CreateSymbolicLink(link, folder);

        // The second run names the same output folder through a link.
        foreach (var o in new[] { output, Path.Combine(link, "out") })
        {
            var (code, stdout, err) = Redact(folder, "-r", "-o", o, "--overwrite");
            Assert.True(code == 0, err);
            Assert.Contains("a.jpg -> ", stdout);
            Assert.DoesNotContain("out/a.jpg -> ", stdout);
        }
        Assert.Equal(new[] { "a.jpg" }, Directory.GetFiles(output).Select(Path.GetFileName));
        Assert.Empty(Directory.GetDirectories(output));
        Assert.Contains($"note: skipped the output folder: {output}", Redact(folder, "-r", "-o", output, "--overwrite").Err);
    }

    [Fact]
    public void A_folder_names_every_file_it_does_not_redact_and_fails_for_photos_and_videos_it_cannot_read()
    {
        var dir = TestPaths.NewTempDir();
        File.Copy(Photo, Path.Combine(dir, "PHOTO.JPG"));
        File.Copy(Photo, Path.Combine(dir, "._PHOTO.JPG")); // AppleDouble: not a picture, however it is named
        File.Copy(Photo, Path.Combine(dir, ".hidden.jpg"));
        foreach (var f in new[] { "IMG_0001.HEIC", "anim.gif", "notes.txt", "README" }) File.WriteAllText(Path.Combine(dir, f), "x");
        // An AVCHD camera's clip and a phone's 3GP: read, and written as MP4.
        var mts = TestPaths.Tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
            "-c:v", "libx264", "-c:a", "ac3", "-f", "mpegts", Path.Combine(dir, "00001.MTS"));
        Assert.True(mts.Exit == 0, mts.Err);
        var gp = TestPaths.Tool("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=176x144:rate=15:duration=1", "-f", "lavfi", "-i", "sine=duration=1:sample_rate=8000",
            "-c:v", "h263", "-c:a", "aac", "-ac", "1", Path.Combine(dir, "phone.3gp"));
        Assert.True(gp.Exit == 0, gp.Err);

        var (code, stdout, err) = Redact(dir);
        Assert.Equal(1, code);
        Assert.Contains("3 redacted, 2 failed, 4 skipped", stdout);
        var lines = Lines(err);
        Assert.Contains(lines, l => l.StartsWith($"error: {Path.Combine(dir, "IMG_0001.HEIC")}: HEIC/HEIF photos cannot be read here", StringComparison.Ordinal) && l.Contains("convert it to JPEG"));
        Assert.Contains(lines, l => l.StartsWith($"error: {Path.Combine(dir, "anim.gif")}: GIF is not redacted", StringComparison.Ordinal));
        Assert.Contains($"note: skipped 2 hidden files (named with a leading '.'; '._' files are macOS resource forks, not pictures): {Path.Combine(dir, "._PHOTO.JPG")}, {Path.Combine(dir, ".hidden.jpg")}", lines);
        Assert.Contains($"note: skipped 2 files that are not a photo or video: {Path.Combine(dir, "README")}, {Path.Combine(dir, "notes.txt")}", lines);
        Assert.True(File.Exists(Path.Combine(dir, "PHOTO.redacted.JPG")));
        foreach (var video in new[] { "00001.redacted.mp4", "phone.redacted.mp4" })
        {
            var probe = TestPaths.Tool("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", Path.Combine(dir, video));
            Assert.True(probe.Exit == 0 && int.Parse(probe.Out.Trim()) > 0, video + probe.Err);
        }
        Assert.False(File.Exists(Path.Combine(dir, "._PHOTO.redacted.JPG")));
    }

    [Fact]
    public void A_recursive_scan_names_the_hidden_and_linked_folders_it_passes_over()
    {
        var dir = TestPaths.NewTempDir();
        foreach (var sub in new[] { ".thumbnails", "real" }) Directory.CreateDirectory(Path.Combine(dir, sub));
        File.WriteAllText(Path.Combine(dir, ".thumbnails", "a.jpg"), "");
        File.WriteAllText(Path.Combine(dir, "real", "b.jpg"), "");
        Directory.CreateSymbolicLink(Path.Combine(dir, "loop"), "..");
        var items = Inputs.Plan([dir], null, recursive: true, withOutputs: true, out var skipped);
        Assert.Equal(new[] { "b.jpg" }, items.Select(i => Path.GetFileName(i.Input)));
        Assert.Equal([new Skipped(Path.Combine(dir, ".thumbnails"), SkipReason.Hidden), new Skipped(Path.Combine(dir, "loop"), SkipReason.LinkedFolder)], skipped);
    }

    [Fact]
    public void Files_refused_before_any_work_are_named_without_needing_a_model()
    {
        var dir = TestPaths.NewTempDir();
        foreach (var f in new[] { "a.heic", "b.HEIF" }) File.WriteAllText(Path.Combine(dir, f), "x");
        var (code, _, err) = Cli.Run("redact", dir, "-q", "--models", TestPaths.NewTempDir());
        Assert.Equal(1, code);
        Assert.Equal(2, Lines(err).Count(l => l.Contains("HEIC/HEIF photos cannot be read here")));
        Assert.DoesNotContain("model", err);
    }

    [Fact]
    public void Hidden_and_other_files_alone_are_named_but_do_not_fail_the_run()
    {
        var dir = TestPaths.NewTempDir();
        File.Copy(Photo, Path.Combine(dir, "a.jpg"));
        File.Copy(Photo, Path.Combine(dir, "._a.jpg"));
        File.WriteAllText(Path.Combine(dir, "a.json"), "{}");
        var (code, stdout, err) = Redact(dir);
        Assert.True(code == 0, err);
        Assert.Contains("1 redacted, 0 failed, 2 skipped", stdout);
        Assert.Contains($"._a.jpg", err);
        Assert.Contains($"a.json", err);
    }

    [Fact]
    public void A_video_only_read_is_written_as_mp4_and_an_output_file_must_be_of_a_written_type()
    {
        var dir = TestPaths.NewTempDir();
        var clip = Path.Combine(dir, "CLIP.M2TS");
        File.WriteAllText(clip, "");
        Assert.Equal(Path.Combine(dir, "CLIP.redacted.mp4"), Assert.Single(Inputs.Plan([clip], null, false, true)).Output);
        Assert.Equal(Path.Combine(dir, "o", "CLIP.mp4"), Inputs.Plan([dir], Path.Combine(dir, "o"), false, true).Single().Output);
        Assert.Contains("must have a video extension that can be written (.mp4", Inputs.Plan([clip], Path.Combine(dir, "x.mts"), false, true).Single().Error);
        Assert.Null(Inputs.Plan([clip], Path.Combine(dir, "x.MKV"), false, true).Single().Error);
    }
}
