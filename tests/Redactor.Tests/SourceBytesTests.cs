using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Redactor.Tests;

/// <summary>
/// What an output file's bytes may still say (issue 27): nothing of the source's text, and no encoder or muxer
/// versions. Checked on the bytes, since a comment inside a copied audio stream is invisible to ffprobe and exiftool.
/// </summary>
public class SourceBytesTests
{
    private const string Planted = "SECRETNAME";

    /// <summary>Version strings: the source's (Lavc59.37.100 in an AAC stream, Lavf in a Xing frame, x264's settings
    /// SEI, LAME in MP3 frames) or our own encoders'.</summary>
    private static readonly Regex Versions = new(@"Lav[cf]\d|x264 - core|LAME\d|libvpx v\d|libopus \d|Xiph\.Org libVorbis", RegexOptions.Compiled);

    internal static string Make(string dir, string name, params string[] args)
    {
        var path = Path.Combine(dir, name);
        var r = TestPaths.Tool("ffmpeg", ["-v", "error", "-y", .. args, path]);
        Assert.True(r.Exit == 0, r.Err);
        return path;
    }

    internal static List<JsonElement> Streams(string path)
    {
        var r = TestPaths.Tool("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-count_frames", path);
        Assert.True(r.Exit == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("streams").EnumerateArray().ToList();
    }

    internal static double Rate(string rate)
    {
        var p = rate.Split('/');
        return double.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture) / (p.Length > 1 ? double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    }

    private static string Latin1(string path) => Encoding.Latin1.GetString(File.ReadAllBytes(path));

    [Theory]
    [InlineData("webm", "libvpx", "libopus", "opus")]
    [InlineData("webm", "libvpx", "libvorbis", "ogg")]
    [InlineData("mkv", "libx264", "libvorbis", "ogg")]
    [InlineData("mkv", "libx264", "libopus", "opus")]
    [InlineData("mkv", "libx264", "flac", "flac")]
    [InlineData("mkv", "libx264", "ac3", "ac3")]
    [InlineData("mp4", "libx264", "aac", "adts")]
    [InlineData("mov", "libx264", "aac", "adts")]
    [InlineData("avi", "libx264", "libmp3lame", "mp3")]
    [InlineData("avi", "libx264", "ac3", "ac3")]
    public void Audio_keeps_no_text_of_the_source_and_no_output_names_a_version(string ext, string videoCodec, string audioCodec, string audioFormat)
    {
        var dir = TestPaths.NewTempDir();
        // The audio is made in its own format first and copied in, the way a remux carries it: an Ogg file's Vorbis or
        // Opus comment header (ARTIST=...) becomes the Matroska track's codec private data; the default (not bitexact)
        // AAC encoder writes 'Lavc59.37.100' into the stream itself, libmp3lame 'LAME3.100' into its frames.
        var audio = Make(dir, $"a.{audioFormat}", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ac", "2", "-c:a", audioCodec,
            "-metadata", $"ARTIST={Planted}", "-f", audioFormat);
        var input = Make(dir, $"in.{ext}", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1", "-i", audio,
            "-map", "0", "-map", "1", "-c:v", videoCodec, "-c:a", "copy");
        // Then every 'Lavc59.37.100'/'Lavf59.27.100' (the Vorbis comment header's vendor, the AAC stream's fill element,
        // the muxer's own) is overwritten in place by text of the same length: a planted name where an encoder's text sits.
        var before = Regex.Replace(Latin1(input), @"Lav[cf]\d+\.\d+\.\d+", m => (Planted + new string('X', m.Length))[..m.Length]);
        File.WriteAllBytes(input, Encoding.Latin1.GetBytes(before));
        // The check must be able to see what it looks for: every source carries some of it.
        Assert.True(before.Contains(Planted) || Versions.IsMatch(before), $"the {audioCodec} source carries neither the planted text nor a version");

        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        var output = Path.Combine(dir, $"in.redacted.{ext}");
        var bytes = Latin1(output);
        Assert.DoesNotContain(Planted, bytes);
        // Checked apart from x264's SEI so that each fix is seen failing on its own.
        var fromAudio = new Regex(@"Lav[cf]\d|LAME\d|libopus \d|Xiph\.Org libVorbis").Match(bytes);
        Assert.False(fromAudio.Success, $"version string in the output: '{fromAudio.Value}'");
        Assert.False(Versions.IsMatch(bytes), $"version string in the output: '{Versions.Match(bytes).Value}'");
        var streams = Streams(output);
        Assert.Equal(new[] { "video", "audio" }, streams.Select(s => s.GetProperty("codec_type").GetString()));
        // An AVI made with B-frames times its first picture 2 frames late (TimingTests): it is shown from 0, 2 frames longer.
        Assert.InRange(int.Parse(streams[0].GetProperty("nb_read_frames").GetString()!), 25, ext == "avi" ? 27 : 25);
        Assert.Equal(ext == "webm" ? "opus" : "aac", streams[1].GetProperty("codec_name").GetString());
        Assert.Equal(2, streams[1].GetProperty("channels").GetInt32());
    }

    [Theory]
    [InlineData("mkv", "aac")]
    [InlineData("webm", "opus")]
    [InlineData("mp4", "aac")]
    public void Every_audio_stream_is_reencoded_with_its_channels(string ext, string codec)
    {
        var dir = TestPaths.NewTempDir();
        // AC-3 5.1 in its usual layout, 5.1(side), which libopus refused, and a stereo Vorbis track.
        var input = Make(dir, "in.mkv", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-f", "lavfi", "-i", "sine=frequency=300:duration=1",
            "-filter_complex", "[1]aformat=channel_layouts=5.1(side)[six];[2]aformat=channel_layouts=stereo[two]",
            "-map", "0", "-map", "[six]", "-map", "[two]", "-c:v", "libx264", "-c:a:0", "ac3", "-c:a:1", "libvorbis");
        var output = Path.Combine(dir, $"out.{ext}");
        var (code, _, err) = Cli.Run(Cli.WithModels("redact", input, "-o", output, "--detector", "yunet", "-q"));
        Assert.True(code == 0, err);
        var audio = Streams(output).Where(s => s.GetProperty("codec_type").GetString() == "audio").ToList();
        Assert.Equal(new[] { (codec, 6), (codec, 2) }, audio.Select(a => (a.GetProperty("codec_name").GetString()!, a.GetProperty("channels").GetInt32())));
        Assert.All(audio, a => Assert.True(int.Parse(a.GetProperty("nb_read_frames").GetString()!) > 10));
    }
}
