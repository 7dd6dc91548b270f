using OpenCvSharp;
using Redactor.Cli;
using Redactor.OpenCv;
using Xunit;

namespace Redactor.Tests;

/// <summary>Usage mistakes and files that once made the CLI do the wrong thing quietly (a black-box review of 2026-12-03).</summary>
public class CommandLineTests
{
    private static string Photo => Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");

    [Theory]
    [InlineData("--overwrite", "-o")]
    [InlineData("-o", "-q")]
    [InlineData("--threshold", "--overwrite")]
    [InlineData("--style", "--color=ff00ff")]
    public void An_option_without_its_value_is_a_usage_error_and_writes_nothing(string option, string next)
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "p.jpg");
        File.Copy(Photo, input);
        var (code, _, err) = Cli.Run("redact", input, option, next);
        Assert.Equal(2, code);
        // "--overwrite -o": -o is last; otherwise the option is followed by another one.
        Assert.Contains($"{(option == "--overwrite" ? next : option)} needs a value", err);
        Assert.Equal(new[] { input }, Directory.GetFiles(dir));
    }

    [Theory]
    [InlineData("--style must be one of blur, pixelate, fill (got 'smear')", "redact", "a.jpg", "--style", "smear")]
    [InlineData("--crf must be a whole number (got '1.5')", "redact", "a.jpg", "--crf", "1.5")]
    [InlineData("--style must be one of blur, pixelate, fill (got 'smear')", "redact", "a.jpg", "--style=smear")]
    [InlineData("Option 'bogus' is unknown", "redact", "a.jpg", "--bogus")]
    [InlineData("no input given: name the photos, videos or folders to process", "redact")]
    [InlineData("no action given: list or install", "models")]
    public void A_parse_error_is_one_line_and_a_pointer_to_help_not_a_screen_of_help(string reason, params string[] args)
    {
        var (code, stdout, err) = Cli.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal([$"error: {reason}", "Run 'redactor help' or 'redactor VERB --help' for usage."], err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("redact", "a.jpg", "--help")]
    [InlineData("redact", "-q", "-h")]
    [InlineData("detect", "a.jpg", "--json", "x.json", "--help")]
    [InlineData("models", "list", "--help")]
    public void Help_asked_for_after_other_arguments_is_the_verbs_help(params string[] args)
    {
        var (code, stdout, err) = Cli.Run(args);
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        Assert.Equal(Cli.Run(args[0], "--help").Out, stdout);
        Assert.Contains("--models", stdout);
    }

    [Fact]
    public void Version_asked_for_after_other_arguments_is_the_version()
    {
        var (code, stdout, _) = Cli.Run("redact", "a.jpg", "--version");
        Assert.Equal(0, code);
        Assert.StartsWith("redactor ", stdout);
    }

    [Fact]
    public void Detect_names_a_folder_given_for_the_report()
    {
        var dir = TestPaths.NewTempDir();
        var (code, _, err) = Cli.Run(Cli.WithModels("detect", Photo, "--json", dir));
        Assert.Equal(2, code);
        Assert.Contains($"--json {dir} is a folder", err);
    }

    [Fact]
    public void Values_that_look_like_nothing_special_are_left_alone()
    {
        Assert.Null(App.MissingValue(["detect", "a.jpg", "--json", "-"]));
        Assert.Null(App.MissingValue(["redact", "a.jpg", "-o", "out.jpg", "--overwrite", "--threshold", "0.3"]));
        Assert.Null(App.MissingValue(["redact", "--", "-o"]));
    }

    [Fact]
    public void Double_dash_ends_the_options_so_a_file_may_start_with_a_dash()
    {
        // Without "--" support the parser reads "-dash.jpg" as the options -d -a ... and stops with a usage error (2).
        // --models goes before "--": after it, it would be an input, and the run would need the default model store.
        var (code, _, err) = Cli.Run("redact", "-q", "--models", TestPaths.Store, "--", "-dash-nowhere.jpg");
        Assert.Equal(1, code);
        Assert.Contains("-dash-nowhere.jpg: file not found", err);
    }

    [Fact]
    public void Detect_never_writes_its_report_over_an_input_or_any_media_file()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "p.jpg");
        File.Copy(Photo, input);
        var other = Path.Combine(dir, "other.mp4");
        File.WriteAllText(other, "a video, say");
        var before = ModelStore.Sha256Of(input);

        var (code, _, err) = Cli.Run(Cli.WithModels("detect", input, "--json", input));
        Assert.Equal(2, code);
        Assert.Contains("is the input", err);
        (code, _, err) = Cli.Run(Cli.WithModels("detect", input, "--json", other));
        Assert.Equal(2, code);
        Assert.Contains("photo or video extension", err);

        Assert.Equal(before, ModelStore.Sha256Of(input));
        Assert.Equal("a video, say", File.ReadAllText(other));
        Assert.Equal(2, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public void A_recursive_search_does_not_follow_a_link_back_up_the_tree()
    {
        var dir = TestPaths.NewTempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir, "photos")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.jpg"), "");
        Directory.CreateDirectory(Path.Combine(folder, "real"));
        File.WriteAllText(Path.Combine(folder, "real", "b.jpg"), "");
        Directory.CreateSymbolicLink(Path.Combine(folder, "loop"), "..");
        var items = Inputs.Plan([folder], Path.Combine(dir, "out"), recursive: true, withOutputs: true);
        Assert.Equal(new[] { "a.jpg", "b.jpg" }, items.Select(i => Path.GetFileName(i.Input)));
    }

    [Fact]
    public void A_failure_while_the_run_is_being_interrupted_counts_as_the_interruption()
    {
        using var cancel = new CancellationTokenSource();
        // As the signal handler does, from a thread of its own (a timer could wait for a pool thread busy with other tests).
        new Thread(() => { Thread.Sleep(100); cancel.Cancel(); }).Start();
        Assert.Throws<OperationCanceledException>(() => Commands.ThrowIfInterrupted(cancel.Token));

        using var calm = new CancellationTokenSource();
        Commands.ThrowIfInterrupted(calm.Token);
        Commands.ThrowIfInterrupted(CancellationToken.None);
    }

    /// <summary>TIFF orientations 5–8, which OpenCV refuses to read: each stored turned or mirrored, and tagged to be shown
    /// upright. The photo read must be the upright picture, pixel for pixel (TIFF is lossless).</summary>
    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_tiff_tagged_to_be_turned_is_read_upright(int orientation)
    {
        var dir = TestPaths.NewTempDir();
        var file = Path.Combine(dir, $"o{orientation}.tif");
        using var upright = Cv2.ImRead(Photo);
        using (var stored = new Mat())
        {
            // What the camera stored, such that applying the tag gives back the upright picture.
            switch (orientation)
            {
                case 5: Cv2.Transpose(upright, stored); break;
                case 6: Cv2.Rotate(upright, stored, RotateFlags.Rotate90Counterclockwise); break;
                case 7: Cv2.Transpose(upright, stored); Cv2.Flip(stored, stored, FlipMode.XY); break;
                case 8: Cv2.Rotate(upright, stored, RotateFlags.Rotate90Clockwise); break;
            }
            Assert.True(Cv2.ImWrite(file, stored));
        }
        Assert.Equal(0, TestPaths.Tool("exiftool", "-overwrite_original", $"-Orientation={orientation}", "-n", file).Exit);
        Assert.Equal(orientation, ImageFiles.TiffOrientation(file));

        var frame = ImageFiles.Read(file);
        Assert.Equal((upright.Cols, upright.Rows), (frame.Width, frame.Height));
        var expected = new byte[frame.Width * frame.Height * 3];
        upright.GetArray(out Vec3b[] pixels);
        for (int i = 0; i < pixels.Length; i++) (expected[3 * i], expected[3 * i + 1], expected[3 * i + 2]) = (pixels[i].Item0, pixels[i].Item1, pixels[i].Item2);
        Assert.True(expected.AsSpan().SequenceEqual(frame.Pixels.AsSpan(0, frame.ByteLength)), "the photo read is not the upright picture");
    }

    [Fact]
    public void Orientation_of_a_file_that_is_not_a_tiff_is_upright()
    {
        Assert.Equal(1, ImageFiles.TiffOrientation(Photo));
        var empty = Path.Combine(TestPaths.NewTempDir(), "empty.tif");
        File.WriteAllBytes(empty, []);
        Assert.Equal(1, ImageFiles.TiffOrientation(empty));
    }
}
