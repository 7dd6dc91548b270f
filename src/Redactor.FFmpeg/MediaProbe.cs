using System.Globalization;
using System.Text.Json;

namespace Redactor.FFmpeg;

public sealed record StreamInfo(
    int Index, string CodecType, string? CodecName, int Width, int Height, string? AvgFrameRate, string? RFrameRate,
    int Rotation, long? FrameCount, bool IsAttachedPicture, double? Duration, int Channels = 0, string? SampleAspectRatio = null, string? PixelFormat = null, bool HasAlphaTag = false)
{
    public bool IsVideo => CodecType == "video" && !IsAttachedPicture;
    public bool IsAudio => CodecType == "audio";
}

/// <summary>What ffprobe says of a file: container, duration and streams.</summary>
public sealed record MediaInfo(string FormatName, double? Duration, IReadOnlyList<StreamInfo> Streams)
{
    public StreamInfo? Video => Streams.FirstOrDefault(s => s.IsVideo);
    public IEnumerable<StreamInfo> Audio => Streams.Where(s => s.IsAudio);

    /// <summary>
    /// The constant frame rate the decoder resamples the video to (<see cref="FfmpegFrameSource"/>) and the encoder is
    /// given, as an ffmpeg rate: frames ÷ duration, measured from the packets the probe counted, and written as the
    /// stream's average or nominal rate when one of them agrees to 1% (so 29.97 stays 30000/1001). Neither header rate can be
    /// trusted alone: an MP4 with B-frames copied into AVI says avg 48 for 24 frames a second (empty reordering chunks
    /// in the index), and variable-rate video has no single rate. Resampling to this rate keeps every picture at its
    /// presentation time within one frame, so the video stays with the audio; it repeats or skips a frame only where the
    /// input's rate differs from its average.
    /// </summary>
    public string EncoderFrameRate()
    {
        var v = Video ?? throw new InvalidOperationException("no video stream");
        static bool Sane(double? r) => r is > 0 and < 1000;
        // The stream's own duration only: the file's may be the audio's, longer than the video.
        double? measured = v.FrameCount is > 1 && v.Duration is > 0 ? v.FrameCount / v.Duration : null;
        var candidates = new[] { v.AvgFrameRate, v.RFrameRate };
        if (Sane(measured))
        {
            foreach (var c in candidates)
                if (MediaProbe.ParseRate(c) is double r && Math.Abs(r - measured!.Value) <= 0.01 * measured.Value) return c!;
            return measured!.Value.ToString("0.######", CultureInfo.InvariantCulture);
        }
        foreach (var c in candidates)
            if (Sane(MediaProbe.ParseRate(c))) return c!;
        return "30";
    }

    /// <summary>Shape of a decoded frame's pixels, width to height, as an ffmpeg ratio ("4/3"), or null for square or
    /// unknown ones. ffmpeg's rotation turns it over with the picture (its transpose filter does so), so a quarter turn
    /// gives the inverse.</summary>
    public string? DisplaySampleAspectRatio()
    {
        var v = Video ?? throw new InvalidOperationException("no video stream");
        var parts = v.SampleAspectRatio?.Split(':');
        if (parts is not { Length: 2 } || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out long n)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out long d) || n <= 0 || d <= 0 || n == d) return null;
        return Math.Abs(v.Rotation) % 180 == 90 ? $"{d}/{n}" : $"{n}/{d}";
    }

    /// <summary>
    /// Size of the pictures the detectors see: square pixels, made by stretching one side, never by shrinking the
    /// other (faces shrunk by a halved width were missed: 80 detections in a face clip at SAR 1:1, 20 at 1:2, 0 at 1:6,
    /// while the render drew on stored pixels that still showed them). The SAR is metadata anyone can write, so only a
    /// shape real video has (1/2 to 2: anamorphic DV, HDV, 2x squeeze lenses) reshapes; beyond it the detectors see stored
    /// pixels, as the render draws them.
    /// </summary>
    public (int Width, int Height) DetectionSize()
    {
        var (w, h) = DisplaySize();
        if (MediaProbe.ParseRate(DisplaySampleAspectRatio()) is not double sar || sar < 0.5 || sar > 2) return (w, h);
        return sar > 1 ? (Math.Max(2, (int)Math.Round(w * sar / 2) * 2), h) : (w, Math.Max(2, (int)Math.Round(h / sar / 2) * 2));
    }

    /// <summary>Size of decoded frames after ffmpeg applies the rotation from the stream's display matrix.</summary>
    public (int Width, int Height) DisplaySize()
    {
        var v = Video ?? throw new InvalidOperationException("no video stream");
        return Math.Abs(v.Rotation) % 180 == 90 ? (v.Height, v.Width) : (v.Width, v.Height);
    }
}

public static class MediaProbe
{
    public static MediaInfo Probe(string path, CancellationToken ct)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new MediaException("file not found");
        if (file.Length == 0) throw new MediaException("empty file");
        string json;
        try
        {
            json = FfmpegProcess.Run("ffprobe",
            [
                "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-count_packets",
                "-select_streams", "V", "-i", path,
            ], ct);
        }
        catch (MediaException e) when (!LooksLikeVideoContainer(path))
        {
            // ffprobe says 'moov atom not found' for a text file named .mp4 too; the first bytes tell them apart.
            throw new MediaException("not a video (its content is not a recognised video container)", e.Details);
        }
        var info = Parse(json);
        // -select_streams limited the packet count to video; list every stream in a second, cheap call.
        var all = Parse(FfmpegProcess.Run("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", path], ct));
        var counts = info.Streams.ToDictionary(s => s.Index, s => s.FrameCount);
        var result = all with
        {
            Streams = all.Streams.Select(s => counts.TryGetValue(s.Index, out var c) && c is not null ? s with { FrameCount = c } : s).ToList(),
        };
        if (result.Video is { Duration: null } v && PacketSpan(path, ct) is double span)
            result = result with { Streams = result.Streams.Select(s => s == v ? s with { Duration = span } : s).ToList() };
        return result;
    }

    /// <summary>
    /// How long the first video stream's packets last, from the first one's presentation time to the end of the last
    /// one's, for containers whose header gives no stream duration (Matroska, WebM). Their DURATION tag is not read: a
    /// 2 s, 25 fps clip tagged 00:00:04 came out at 12.5 fps with half its frames, and tagged 09:00:02 decoded nothing.
    /// </summary>
    private static double? PacketSpan(string path, CancellationToken ct)
    {
        var csv = FfmpegProcess.Run("ffprobe", ["-v", "error", "-select_streams", "V:0", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", "-i", path], ct);
        double first = double.MaxValue, end = double.MinValue;
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(',');
            if (!double.TryParse(parts[0], CultureInfo.InvariantCulture, out double pts)) continue;
            double length = parts.Length > 1 && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double d) ? d : 0;
            first = Math.Min(first, pts);
            end = Math.Max(end, pts + length);
        }
        return end > first ? end - first : null;
    }

    /// <summary>Signatures of the containers we read: ISO BMFF (mp4, mov, m4v), Matroska/WebM, AVI.</summary>
    internal static bool LooksLikeVideoContainer(string path)
    {
        var head = new byte[12];
        int n;
        using (var f = File.OpenRead(path)) n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n < 12) return false;
        var box = System.Text.Encoding.ASCII.GetString(head, 4, 4);
        if (box is "ftyp" or "moov" or "mdat" or "free" or "wide" or "skip" or "pnot") return true;
        if (head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3) return true;
        return System.Text.Encoding.ASCII.GetString(head, 0, 4) == "RIFF" && System.Text.Encoding.ASCII.GetString(head, 8, 4) == "AVI ";
    }

    internal static MediaInfo Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string format = "";
        double? duration = null;
        if (root.TryGetProperty("format", out var f))
        {
            format = Str(f, "format_name") ?? "";
            duration = Dbl(f, "duration");
        }
        var streams = new List<StreamInfo>();
        if (root.TryGetProperty("streams", out var ss))
        {
            foreach (var s in ss.EnumerateArray())
            {
                int rotation = 0;
                if (s.TryGetProperty("side_data_list", out var sdl))
                    foreach (var sd in sdl.EnumerateArray())
                        if (sd.TryGetProperty("rotation", out var r) && r.TryGetInt32(out int rot)) rotation = rot;
                if (rotation == 0 && s.TryGetProperty("tags", out var tags) && Str(tags, "rotate") is string rs
                    && int.TryParse(rs, CultureInfo.InvariantCulture, out int tr)) rotation = tr;
                bool attached = s.TryGetProperty("disposition", out var disp) && disp.TryGetProperty("attached_pic", out var ap) && ap.GetInt32() == 1;
                long? frames = Lng(s, "nb_read_packets") ?? Lng(s, "nb_frames");
                // Matroska and WebM give a stream's duration only as a tag (DURATION=00:00:02.023000000), which is
                // metadata with no effect on playback: Probe measures it from the packets instead.
                double? streamDuration = Dbl(s, "duration");
                streams.Add(new StreamInfo(
                    s.GetProperty("index").GetInt32(), Str(s, "codec_type") ?? "unknown", Str(s, "codec_name"),
                    s.TryGetProperty("width", out var w) ? w.GetInt32() : 0, s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
                    Str(s, "avg_frame_rate"), Str(s, "r_frame_rate"), rotation, frames, attached, streamDuration,
                    s.TryGetProperty("channels", out var ch) && ch.TryGetInt32(out int channels) ? channels : 0,
                    Str(s, "sample_aspect_ratio"), Str(s, "pix_fmt"),
                    s.TryGetProperty("tags", out var atags) && Str(atags, "alpha_mode") is "1" or "true"));
            }
        }
        return new MediaInfo(format, duration, streams);
    }

    public static double? ParseRate(string? rate)
    {
        if (string.IsNullOrEmpty(rate)) return null;
        var parts = rate.Split('/');
        if (!double.TryParse(parts[0], CultureInfo.InvariantCulture, out double n)) return null;
        if (parts.Length == 1) return n;
        if (!double.TryParse(parts[1], CultureInfo.InvariantCulture, out double d) || d == 0) return null;
        return n / d;
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Dbl(JsonElement e, string name) =>
        Str(e, name) is string s && double.TryParse(s, CultureInfo.InvariantCulture, out double d) ? d : null;

    private static long? Lng(JsonElement e, string name) =>
        Str(e, name) is string s && long.TryParse(s, CultureInfo.InvariantCulture, out long l) ? l : null;
}
