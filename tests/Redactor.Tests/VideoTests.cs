using System.Text.Json;
using Xunit;

namespace Redactor.Tests;

/// <summary>Redacts the 720p pan-zoom video once (it takes a while) for the tests that inspect the output.</summary>
public sealed class RedactedPanzoom
{
    public RedactedPanzoom()
    {
        Dir = TestPaths.NewTempDir();
        Output = Path.Combine(Dir, "out.mp4");
        InputHash = ModelStore.Sha256Of(TestPaths.Panzoom720);
        (Exit, Stdout, Stderr) = Cli.Run(Cli.WithModels("redact", TestPaths.Panzoom720, "-o", Output, "--style", "fill", "--color", "ff00ff"));
    }

    public string Dir { get; }
    public string Output { get; }
    public string InputHash { get; }
    public int Exit { get; }
    public string Stdout { get; }
    public string Stderr { get; }
}

public class VideoTests(RedactedPanzoom run) : IClassFixture<RedactedPanzoom>
{
    private static JsonElement Probe(string path)
    {
        var (exit, output, err) = TestPaths.Tool("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_chapters", "-count_frames", path);
        Assert.True(exit == 0, err);
        return JsonDocument.Parse(output).RootElement;
    }

    private static double Duration(JsonElement e) => double.Parse(e.GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Run_succeeds_and_leaves_the_input_untouched()
    {
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(run.InputHash, ModelStore.Sha256Of(TestPaths.Panzoom720));
        Assert.Single(Directory.GetFiles(run.Dir));
    }

    [Fact]
    public void Output_has_the_same_frames_and_duration_and_exactly_video_plus_audio()
    {
        var input = Probe(TestPaths.Panzoom720);
        var output = Probe(run.Output);
        var streams = output.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(2, streams.Count);
        var v = streams.Single(s => s.GetProperty("codec_type").GetString() == "video");
        var a = streams.Single(s => s.GetProperty("codec_type").GetString() == "audio");
        Assert.Equal("h264", v.GetProperty("codec_name").GetString());
        Assert.Equal("yuv420p", v.GetProperty("pix_fmt").GetString());
        var iv = input.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
        var ia = input.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "audio");
        long frames = long.Parse(v.GetProperty("nb_read_frames").GetString()!), inFrames = long.Parse(iv.GetProperty("nb_read_frames").GetString()!);
        Assert.InRange(frames, inFrames - 1, inFrames + 1);
        Assert.InRange(Duration(v), Duration(iv) - 1 / 30.0, Duration(iv) + 1 / 30.0);
        Assert.InRange(Duration(a), Duration(ia) - 0.05, Duration(ia) + 0.05);
        Assert.Equal(ia.GetProperty("codec_name").GetString(), a.GetProperty("codec_name").GetString());
    }

    [Fact]
    public void No_planted_tag_survives_in_ffprobe_or_exiftool()
    {
        // What make_panzoom.py planted in the input, so the check cannot pass by looking for the wrong words.
        var input = Probe(TestPaths.Panzoom720).GetProperty("format").GetProperty("tags");
        var planted = new[] { "title", "artist", "comment" }.Select(k => input.GetProperty(k).GetString()!).ToList();
        Assert.Contains(input.EnumerateObject(), t => t.Name.Contains("location", StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("2026-11-01", input.GetProperty("creation_time").GetString());

        var output = Probe(run.Output);
        // major_brand, minor_version and compatible_brands are the file type box of MP4 itself, not metadata.
        var structural = new[] { "major_brand", "minor_version", "compatible_brands" };
        if (output.GetProperty("format").TryGetProperty("tags", out var tags))
            Assert.All(tags.EnumerateObject(), t => Assert.Contains(t.Name, structural));
        Assert.Empty(output.GetProperty("chapters").EnumerateArray());
        foreach (var s in output.GetProperty("streams").EnumerateArray())
            if (s.TryGetProperty("tags", out var st))
                Assert.All(st.EnumerateObject(), t =>
                {
                    // What the muxer writes itself: language 'und', generic handler names, and our own encoder's name
                    // (the MP4 compressor name field), never the source's.
                    Assert.Contains(t.Name, new[] { "language", "handler_name", "vendor_id", "encoder" });
                    if (t.Name == "encoder") Assert.Equal("Lavc libx264", t.Value.GetString());
                    Assert.DoesNotContain("2026", t.Value.GetString());
                });

        var exif = TestPaths.Tool("exiftool", "-a", "-G1", "-ee", run.Output);
        Assert.Equal(0, exif.Exit);
        foreach (var p in planted) Assert.DoesNotContain(p, exif.Out);
        Assert.DoesNotContain("2026:11:01", exif.Out);
        Assert.DoesNotContain("GPS", exif.Out);
        Assert.DoesNotContain("Location", exif.Out, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Lavf", exif.Out);
    }

    [Fact]
    public void Progress_is_reported_and_the_summary_names_the_output()
    {
        Assert.Contains("detect", run.Stderr);
        Assert.Contains("redact", run.Stderr);
        Assert.Contains("600 frames", run.Stdout);
    }
}
