using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Redactor.Tests;

/// <summary>
/// Video stays with its audio (issue 27): each picture is shown at its input time within one frame, whatever the
/// input's frame timing, and the video lasts as long as the input's. Checked by where a colour change falls.
/// </summary>
public class TimingTests
{
    private static double Num(JsonElement e, string name) => double.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static (JsonElement Video, JsonElement Audio) Probe(string path)
    {
        var streams = SourceBytesTests.Streams(path);
        return (streams.Single(s => s.GetProperty("codec_type").GetString() == "video"), streams.Single(s => s.GetProperty("codec_type").GetString() == "audio"));
    }

    /// <summary>Where a stream ends (s): its last packet's presentation time plus duration, in any container.</summary>
    private static double End(string path, string stream)
    {
        var r = TestPaths.Tool("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time,duration_time", "-of", "json", path);
        Assert.True(r.Exit == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("packets").EnumerateArray()
            .Max(p => double.Parse(p.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture)
                      + (p.TryGetProperty("duration_time", out var d) ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture) : 0));
    }

    /// <summary>Presentation time (s) of the first picture that is more blue than red: every frame's time from ffprobe,
    /// its colour from the picture shrunk to one pixel, in the same (presentation) order.</summary>
    internal static double FirstBlue(string path)
    {
        var times = TestPaths.Tool("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time", "-of", "json", path);
        Assert.True(times.Exit == 0, times.Err);
        var t = JsonDocument.Parse(times.Out).RootElement.GetProperty("frames").EnumerateArray()
            .Select(f => f.TryGetProperty("best_effort_timestamp_time", out var x) ? double.Parse(x.GetString()!, CultureInfo.InvariantCulture) : double.NaN).ToList();
        var raw = path + ".rgb";
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-vf", "scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var px = File.ReadAllBytes(raw);
        Assert.Equal(t.Count * 3, px.Length);
        for (int i = 0; i < t.Count; i++)
            if (px[i * 3 + 2] > px[i * 3]) return double.IsNaN(t[i]) ? throw new Xunit.Sdk.XunitException("the first blue frame has no time") : t[i];
        throw new Xunit.Sdk.XunitException("no blue frame");
    }

    private static string Redact(string input, string ext)
    {
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        // A decoder that went on without complaint is not damage.
        Assert.DoesNotContain("damage", err);
        return Path.Combine(Path.GetDirectoryName(input)!, Path.GetFileNameWithoutExtension(input) + ".redacted." + ext);
    }

    [Theory]
    [InlineData("mp4")]
    [InlineData("mkv")]
    public void Variable_frame_rate_video_keeps_each_picture_at_its_time_and_lasts_as_long_as_its_audio(string ext)
    {
        var dir = TestPaths.NewTempDir();
        // 100 frames: 50 red ones 0.02 s apart (1 s), then 50 blue ones 0.06 s apart (3 s); 4 s of tone. ffprobe then
        // says r_frame_rate 50, avg about 25, and passing the frames through at 25 a second put the change at 2 s.
        var input = SourceBytesTests.Make(dir, "vfr.mp4",
            "-f", "lavfi", "-i", "color=c=red:size=160x120:rate=50:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
            "-vf", "drawbox=c=blue:t=fill:enable='gte(n,50)',setpts='if(lt(N,50),N*0.02,1+(N-50)*0.06)/TB'", "-fps_mode", "vfr",
            "-c:v", "libx264", "-c:a", "aac");
        // In Matroska's millisecond timestamps ffprobe says r_frame_rate = avg; passing frames through, the rawvideo
        // muxer then complained of non-monotonic timestamps, which came out as 'the decoder reported damage'.
        if (ext == "mkv") input = SourceBytesTests.Make(dir, "vfr.mkv", "-i", input, "-c", "copy");
        double blue = FirstBlue(input);
        Assert.InRange(blue, 0.95, 1.05);
        var output = Redact(input, ext);
        var (v, _) = Probe(output);
        double frame = 1 / SourceBytesTests.Rate(v.GetProperty("avg_frame_rate").GetString()!);
        Assert.InRange(frame, 1 / 30.0, 1 / 20.0);
        Assert.InRange(FirstBlue(output), blue - frame, blue + frame);
        Assert.InRange(End(output, "v:0"), End(input, "v:0") - frame, End(input, "v:0") + frame);
        // One AAC frame (1024 samples, 23 ms at 44.1 kHz) either way.
        Assert.InRange(End(output, "a:0"), End(input, "a:0") - 0.025, End(input, "a:0") + 0.025);
    }

    [Fact]
    public void An_mp4_copied_into_avi_keeps_its_speed()
    {
        var dir = TestPaths.NewTempDir();
        // x264's B-frames make the AVI muxer double the time base and index empty chunks: ffprobe then says avg 48 for
        // 24 frames a second. Red for 1.5 s, then blue.
        var mp4 = SourceBytesTests.Make(dir, "src.mp4",
            "-f", "lavfi", "-i", "color=c=red:size=160x120:rate=24:duration=3", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
            "-vf", "drawbox=c=blue:t=fill:enable='gte(n,36)'", "-c:v", "libx264", "-c:a", "aac");
        var input = SourceBytesTests.Make(dir, "remux.avi", "-i", mp4, "-c", "copy");
        var (iv, _) = Probe(input);
        Assert.NotEqual(iv.GetProperty("avg_frame_rate").GetString(), iv.GetProperty("r_frame_rate").GetString());
        const double frame = 1 / 24.0;
        // AVI keeps no presentation times: ffmpeg (and players) time the pictures from the chunks' order, which the
        // B-frames' reordering delay puts 2 frames late.
        double blue = FirstBlue(input);
        Assert.InRange(blue, 1.5, 1.5 + 2 * frame + 0.001);
        var output = Redact(input, "avi");
        var (v, a) = Probe(output);
        Assert.InRange(int.Parse(v.GetProperty("nb_read_frames").GetString()!), 72, 74);
        // 1 ms for the rounding of times in the AVI's 1/48 s time base.
        Assert.InRange(FirstBlue(output), blue - frame - 0.001, blue + frame + 0.001);
        Assert.InRange(Num(v, "duration"), 3.0 - frame, 3.0 + 3 * frame);
        Assert.InRange(Num(a, "duration"), Num(v, "duration") - 3 * frame, Num(v, "duration") + frame);
    }

    /// <summary>When the tone starts (s), as a player hears it: the first loud sample after the audio stream's start.</summary>
    private static double Onset(string path)
    {
        var raw = path + ".pcm";
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "s16le", raw);
        Assert.True(r.Exit == 0, r.Err);
        var pcm = File.ReadAllBytes(raw);
        var start = TestPaths.Tool("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=start_time", "-of", "csv=p=0", path);
        double offset = double.TryParse(start.Out.Trim(), CultureInfo.InvariantCulture, out double s) ? s : 0;
        for (int i = 0; i + 1 < pcm.Length; i += 2)
            if (Math.Abs((int)BitConverter.ToInt16(pcm, i)) > 3000) return offset + i / 2 / 48000.0;
        throw new Xunit.Sdk.XunitException("no tone");
    }

    [Fact]
    public void Video_written_as_avi_is_not_late_against_its_audio()
    {
        var dir = TestPaths.NewTempDir();
        // Red and silent for 1.5 s, then blue and a tone.
        var input = SourceBytesTests.Make(dir, "src.mp4",
            "-f", "lavfi", "-i", "color=c=red:size=160x120:rate=24:duration=3", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
            "-vf", "drawbox=c=blue:t=fill:enable='gte(n,36)'", "-af", "volume=volume=0:enable='lt(t,1.5)'", "-c:v", "libx264", "-c:a", "aac");
        const double frame = 1 / 24.0;
        // The volume filter switches at the start of an audio frame (1024 samples): the tone starts a little after 1.5 s.
        double before = FirstBlue(input) - Onset(input);
        Assert.InRange(before, -0.025, 0.001);
        var output = Path.Combine(dir, "out.avi");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        // With B-frames the AVI's pictures came 2 frames (83 ms) late against the tone.
        Assert.InRange(FirstBlue(output) - Onset(output), before - frame, before + frame);
    }

    [Fact]
    public void Video_that_starts_after_its_audio_stays_at_its_time()
    {
        var dir = TestPaths.NewTempDir();
        var video = SourceBytesTests.Make(dir, "v.mp4", "-f", "lavfi", "-i", "color=c=red:size=160x120:rate=25:duration=3",
            "-vf", "drawbox=c=blue:t=fill:enable='gte(n,25)'", "-c:v", "libx264");
        // The pictures start 0.5 s into the file, the tone at 0: blue at 1.5 s.
        var input = SourceBytesTests.Make(dir, "late.mp4", "-itsoffset", "0.5", "-i", video, "-f", "lavfi", "-i", "sine=frequency=440:duration=3.5",
            "-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "aac");
        Assert.Equal(1.5, FirstBlue(input), 3);
        var output = Redact(input, "mp4");
        // Passed through from the first picture, the video had started at 0: 0.5 s early against its audio.
        Assert.InRange(FirstBlue(output), 1.5 - 0.04, 1.5 + 0.04);
        Assert.InRange(End(output, "v:0"), End(input, "v:0") - 0.04, End(input, "v:0") + 0.04);
    }

    /// <summary>Matroska's DURATION tag is metadata anyone can write, with no effect on playback.</summary>
    [Theory]
    [InlineData("00:00:04.000000000")]
    [InlineData("09:00:02.000000000")]
    public void A_matroska_duration_tag_does_not_set_the_frame_rate(string tag)
    {
        var dir = TestPaths.NewTempDir();
        var made = SourceBytesTests.Make(dir, "made.mkv", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2", "-c:v", "libx264");
        // ffmpeg's muxer writes the true duration whatever -metadata says: edited in the file, as a tag editor would.
        var bytes = File.ReadAllBytes(made);
        var was = System.Text.Encoding.ASCII.GetBytes("00:00:02.000000000");
        int at = bytes.AsSpan().IndexOf(was);
        Assert.True(at >= 0, "no DURATION tag to edit");
        System.Text.Encoding.ASCII.GetBytes(tag).CopyTo(bytes, at);
        var input = Path.Combine(dir, "in.mkv");
        File.WriteAllBytes(input, bytes);
        var output = Redact(input, "mkv");
        var r = TestPaths.Tool("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets,avg_frame_rate", "-of", "csv=p=0", output);
        Assert.True(r.Exit == 0, r.Err);
        Assert.Equal("25/1,50", r.Out.Trim());
    }
}
