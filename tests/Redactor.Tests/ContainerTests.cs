using System.Text.Json;
using Xunit;

namespace Redactor.Tests;

/// <summary>Container behaviour on small clips made with ffmpeg: stream selection, rotation, audio modes, formats.</summary>
public class ContainerTests
{
    private static string Ffmpeg(string dir, string name, params string[] args)
    {
        var path = Path.Combine(dir, name);
        var r = TestPaths.Tool("ffmpeg", ["-v", "error", "-y", .. args, path]);
        Assert.True(r.Exit == 0, r.Err);
        return path;
    }

    /// <summary>A 2 s clip: the test pattern with a dlib photo of faces over it, a tone, and whatever extra inputs follow.</summary>
    private static string[] Clip(params string[] extra) =>
    [
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
        .. extra,
    ];

    private static List<JsonElement> Streams(string path)
    {
        var r = TestPaths.Tool("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-count_frames", path);
        Assert.True(r.Exit == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("streams").EnumerateArray().ToList();
    }

    [Fact]
    public void Subtitles_and_other_streams_are_dropped_with_a_warning_naming_them()
    {
        var dir = TestPaths.NewTempDir();
        var srt = Path.Combine(dir, "s.srt");
        File.WriteAllText(srt, "1\n00:00:00,000 --> 00:00:01,500\nJane Source speaking\n");
        var input = Ffmpeg(dir, "in.mkv", [.. Clip("-i", srt), "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-c:a", "aac", "-c:s", "srt"]);
        Assert.Equal(3, Streams(input).Count);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-q"));
        Assert.True(code == 0, err);
        Assert.Contains("dropping stream #2 (subtitle", err);
        var output = Streams(Path.Combine(dir, "in.redacted.mkv"));
        Assert.Equal(new[] { "video", "audio" }, output.Select(s => s.GetProperty("codec_type").GetString()));
        // 50 pictures at 25 a second, from 0.023 s (the muxer delays the video by AAC's priming): the first is repeated
        // from 0, so 51 frames at 25. (Timed by the DURATION tag, 2.023 s, it came out as 50 frames at 24.7.)
        Assert.Equal("51", output[0].GetProperty("nb_read_frames").GetString());
        Assert.Equal("25/1", output[0].GetProperty("avg_frame_rate").GetString());
    }

    [Fact]
    public void An_odd_sized_picture_is_padded_with_its_own_edge_not_a_black_line()
    {
        var dir = TestPaths.NewTempDir();
        // Mid-grey: the padded column and row must match it, not be black.
        var input = Ffmpeg(dir, "odd.mp4", "-f", "lavfi", "-i", "color=c=0x808080:size=640x360:rate=25:duration=0.4", "-vf", "format=yuv444p,scale=641:359", "-c:v", "libx264");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-q"));
        Assert.True(code == 0, err);
        var output = Path.Combine(dir, "odd.redacted.mp4");
        var video = Streams(output).Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal((642, 360), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
        var raw = Path.Combine(dir, "first.rgb");
        Ffmpeg(dir, "first.rgb", "-i", output, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24");
        var px = File.ReadAllBytes(raw);
        Assert.Equal(642 * 360 * 3, px.Length);
        int At(int x, int y) => px[(y * 642 + x) * 3 + 1];
        Assert.InRange(At(641, 100), 118, 138);   // the padded column
        Assert.InRange(At(300, 359), 118, 138);   // the padded row
        Assert.InRange(At(641, 359), 118, 138);
    }

    [Fact]
    public void Variable_frame_rate_keeps_frame_count_and_duration()
    {
        var dir = TestPaths.NewTempDir();
        // 50 frames, with a half-second pause after frame 25: variable frame rate.
        var input = Ffmpeg(dir, "vfr.mp4", [.. Clip(), "-vf", "setpts='(N/25+gt(N,25)*0.5)/TB'", "-fps_mode", "vfr", "-c:v", "libx264", "-c:a", "aac"]);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-q"));
        Assert.True(code == 0, err);
        var a = Streams(input)[0];
        var b = Streams(Path.Combine(dir, "vfr.redacted.mp4")).Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal(a.GetProperty("nb_read_frames").GetString(), b.GetProperty("nb_read_frames").GetString());
        double da = double.Parse(a.GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        double db = double.Parse(b.GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(db, da - 0.05, da + 0.05);
    }

    [Fact]
    public void Audio_drop_writes_video_only()
    {
        var dir = TestPaths.NewTempDir();
        var input = Ffmpeg(dir, "in.mp4", [.. Clip(), "-c:v", "libx264", "-c:a", "aac"]);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--audio", "drop", "-q"));
        Assert.True(code == 0, err);
        Assert.Equal(new[] { "video" }, Streams(Path.Combine(dir, "in.redacted.mp4")).Select(s => s.GetProperty("codec_type").GetString()));
    }

    [Fact]
    public void Audio_the_container_cannot_hold_is_reencoded()
    {
        // PCM in AVI, written out as MP4: MP4 cannot hold pcm_s16le, so it becomes AAC.
        var dir = TestPaths.NewTempDir();
        var input = Ffmpeg(dir, "in.avi", [.. Clip(), "-c:v", "mpeg4", "-c:a", "pcm_s16le"]);
        var output = Path.Combine(dir, "out.mp4");
        // An .avi input may only be written as a video file; a different video container is fine.
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "-q"));
        Assert.True(code == 0, err);
        var streams = Streams(output);
        Assert.Equal("aac", streams.Single(s => s.GetProperty("codec_type").GetString() == "audio").GetProperty("codec_name").GetString());
    }

    [Fact]
    public void Phone_rotation_is_applied_and_the_output_is_upright_without_a_rotation_flag()
    {
        var dir = TestPaths.NewTempDir();
        var plain = Ffmpeg(dir, "plain.mp4", [.. Clip(), "-c:v", "libx264", "-c:a", "aac"]);
        // Mark the stream as 'rotate 90°' the way phones do (display matrix), without touching the pixels.
        var rotated = Ffmpeg(dir, "phone.mp4", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90");
        var before = Streams(rotated)[0];
        Assert.Contains(before.GetProperty("side_data_list").EnumerateArray(), d => d.TryGetProperty("rotation", out _));
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", rotated, "-q"));
        Assert.True(code == 0, err);
        var v = Streams(Path.Combine(dir, "phone.redacted.mp4"))[0];
        Assert.Equal((360, 640), (v.GetProperty("width").GetInt32(), v.GetProperty("height").GetInt32()));
        Assert.False(v.TryGetProperty("side_data_list", out var sd) && sd.EnumerateArray().Any(d => d.TryGetProperty("rotation", out _)));
    }

    [Fact]
    public void Detect_writes_json_with_a_frame_entry_per_video_frame()
    {
        var dir = TestPaths.NewTempDir();
        var input = Ffmpeg(dir, "in.mp4", [.. Clip(), "-c:v", "libx264", "-c:a", "aac"]);
        var photo = Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");
        var json = Path.Combine(dir, "r.json");
        var (code, _, err) = Cli.Run(Cli.WithModels("detect", input, photo, "--json", json, "-q"));
        Assert.True(code == 0, err);
        var files = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(50, files[0].GetProperty("frames").GetArrayLength());
        Assert.Equal(50, files[0].GetProperty("frame_count").GetInt32());
        Assert.Equal(0.04, files[0].GetProperty("frames")[1].GetProperty("time").GetDouble(), 3);
        var faces = files[1].GetProperty("frames")[0].GetProperty("regions").EnumerateArray()
            .Select(f => (Box: new Box(f.GetProperty("x").GetSingle(), f.GetProperty("y").GetSingle(), f.GetProperty("w").GetSingle(), f.GetProperty("h").GetSingle()),
                          Score: f.GetProperty("score").GetDouble())).ToList();
        // Ground truth of dlib-faces for this photo; a low threshold may add a small extra region, never lose these.
        Assert.Contains(faces, f => f.Box.IoU(new Box(145, 79, 76, 76)) > 0.4f);
        Assert.Contains(faces, f => f.Box.IoU(new Box(125, 214, 90, 91)) > 0.4f);
        // Every region counts: from the threshold, or a small one from half of it that two networks found
        // (NetworkAgreement); the report gives the box's own network's score.
        var policy = new ScorePolicy(weakEvidence: true);
        Assert.All(faces, f => Assert.True(f.Score >= ScorePolicy.DefaultThreshold || (f.Box.Height < policy.LargeFaceHeight && f.Score >= policy.WeakThreshold), $"{f}"));
        // With one network nothing is confirmed by another: a photo's report holds no weak box.
        var single = Path.Combine(dir, "yunet.json");
        (code, _, err) = Cli.Run(Cli.WithModels("detect", photo, "--json", single, "-q", "--detector", "yunet", "--threshold", "0.5"));
        Assert.True(code == 0, err);
        var scores = JsonDocument.Parse(File.ReadAllText(single)).RootElement.GetProperty("files")[0].GetProperty("frames")[0].GetProperty("regions")
            .EnumerateArray().Select(f => f.GetProperty("score").GetDouble()).ToList();
        Assert.NotEmpty(scores);
        Assert.All(scores, score => Assert.True(score >= 0.5, $"{score}"));
    }

    [Theory]
    [InlineData("mov", "mov,mp4,m4a,3gp,3g2,mj2", "h264")]
    [InlineData("webm", "matroska,webm", "vp9")]
    [InlineData("avi", "avi", "h264")]
    public void Each_container_family_is_written_in_its_own_format(string ext, string format, string codec)
    {
        var dir = TestPaths.NewTempDir();
        var input = Ffmpeg(dir, $"in.{ext}", [.. Clip(), "-t", "1", "-c:v", ext == "webm" ? "libvpx" : "mpeg4", "-c:a", ext == "webm" ? "libopus" : "mp3"]);
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-q"));
        Assert.True(code == 0, err);
        var r = TestPaths.Tool("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", Path.Combine(dir, $"in.redacted.{ext}"));
        var root = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(format, root.GetProperty("format").GetProperty("format_name").GetString());
        Assert.Equal(codec, root.GetProperty("streams")[0].GetProperty("codec_name").GetString());
        Assert.Equal(2, root.GetProperty("streams").GetArrayLength());
    }

    /// <summary>AAC and Opus take at most 8 channels: 12-channel PCM failed after both passes, or became 7.1 in WebM.</summary>
    [Theory]
    [InlineData("mov")]
    [InlineData("webm")]
    public void Audio_that_cannot_be_re_encoded_is_refused_before_any_work(string outputExt)
    {
        var dir = TestPaths.NewTempDir();
        var input = SourceBytesTests.Make(dir, "in.mov", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-filter_complex", "[1:a]pan=12 channels|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0|c6=c0|c7=c0|c8=c0|c9=c0|c10=c0|c11=c0[a]",
            "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-c:a", "pcm_s16le");
        Assert.Contains("\"channels\": 12", TestPaths.Tool("ffprobe", "-v", "error", "-show_streams", "-of", "json", input).Out);
        var output = Path.Combine(dir, $"out.{outputExt}");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet"));
        Assert.Equal(1, code);
        Assert.Contains("audio stream #1 (pcm_s16le) has 12 channels", err);
        Assert.Contains("--audio drop", err);
        Assert.DoesNotContain("frames/s", err);
        Assert.False(File.Exists(output));
        Assert.Equal([input], Directory.GetFiles(dir));
        var (dropped, _, derr) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet", "--audio", "drop", "-q"));
        Assert.True(dropped == 0, derr);
    }
}
