namespace Redactor.FFmpeg;

/// <summary>
/// What each output container gets: its muxer, its video encoder and its audio encoder. Audio is always re-encoded,
/// never copied: a copied stream keeps whatever its encoder or a later tool wrote into it (Vorbis and Opus comment
/// headers with ARTIST=..., an AAC stream's Lavc version string, LAME's tag in MP3 frames, ID3 inside an MP3 stream),
/// none of which the container's metadata options reach. Keyed by lower-case extension with the dot.
/// </summary>
public sealed record ContainerPolicy(string Muxer, IReadOnlyList<string> VideoCodecArgs, string AudioEncoder)
{
    public static IReadOnlySet<string> VideoExtensions { get; } = new HashSet<string> { ".mp4", ".mov", ".m4v", ".mkv", ".avi", ".webm" };

    public static ContainerPolicy For(string extension, int crf) => extension.ToLowerInvariant() switch
    {
        ".mp4" or ".m4v" => new("mp4", H264(crf), "aac"),
        ".mov" => new("mov", H264(crf), "aac"),
        ".mkv" => new("matroska", H264(crf), "aac"),
        // AVI stores no presentation times: players time the pictures by the chunks' order, so B-frames' reordering
        // delay showed every picture 2 frames late against the audio (83 ms at 24 frames a second). None are made
        // (files grow a little at the same quality). What remains: AAC's 1024 priming samples (23 ms at 44.1 kHz) are
        // played, and the video is moved by them rounded up to a frame: 18 ms apart at 24 frames a second.
        ".avi" => new("avi", [.. H264(crf), "-bf", "0"], "aac"),
        // WebM cannot hold H.264 or AAC: VP9 in constant-quality mode, tuned for speed over size, and Opus.
        ".webm" => new("webm", ["-c:v", "libvpx-vp9", "-crf", (crf + 13).ToString(), "-b:v", "0", "-deadline", "good", "-cpu-used", "4", "-row-mt", "1", "-pix_fmt", "yuv420p"],
            "libopus"),
        _ => throw new MediaException($"unsupported video container '{extension}'"),
    };

    /// <summary>Encoder arguments for output audio stream <paramref name="index"/>. Bit rates in bits per second for
    /// the whole stream: 192 kb/s for mono and stereo (ffmpeg's AAC encoder is transparent to most ears there; Opus
    /// is at 128 kb/s), 96 kb/s (AAC) or 64 kb/s (Opus) a channel beyond that, so 5.1 is not squeezed into a stereo
    /// budget.</summary>
    public IReadOnlyList<string> AudioArgs(int index, int channels)
    {
        bool opus = AudioEncoder == "libopus";
        int perChannel = opus ? 64_000 : 96_000, floor = opus ? 128_000 : 192_000;
        int bitrate = Math.Max(floor, perChannel * Math.Max(1, channels));
        var args = new List<string> { $"-c:a:{index}", AudioEncoder, $"-b:a:{index}", bitrate.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        // libopus takes more than two channels only in mapping family 1, and there only the Vorbis layouts: 5.1(side),
        // AC-3's usual layout, was refused ('Invalid channel layout'), as were 2.1 and 7.1(wide). aformat moves such
        // channels to the nearest layout it can take.
        if (opus && channels > 2)
            args.AddRange([$"-filter:a:{index}", "aformat=channel_layouts=7.1|6.1|5.1|5.0|quad|3.0|stereo", $"-mapping_family:a:{index}", "1"]);
        return args;
    }

    /// <summary>ffmpeg's AAC encoder takes at most 8 channels, and so does libopus (mapping family 1).</summary>
    public const int MaxAudioChannels = 8;

    /// <summary>
    /// Refuses, before any work, audio this policy cannot re-encode: 12-channel PCM failed after both passes ("Error
    /// while opening encoder"), and WebM's Opus made it 7.1 without a word. Refused rather than downmixed: a downmix
    /// changes the sound, and a warning in a batch goes unread; <c>--audio drop</c> is the user's choice to make. Each
    /// stream's first frame is decoded too, so audio ffmpeg has no decoder for fails here and not at the end.
    /// </summary>
    public void CheckAudio(string inputPath, MediaInfo info, CancellationToken ct)
    {
        var encoder = AudioEncoder == "libopus" ? "Opus" : "AAC";
        foreach (var a in info.Audio)
        {
            string name = $"audio stream #{a.Index}{(a.CodecName is null ? "" : $" ({a.CodecName})")}";
            if (a.Channels > MaxAudioChannels)
                throw new MediaException($"{name} has {a.Channels} channels and {encoder}, which the output's audio is re-encoded to, takes at most {MaxAudioChannels}; use --audio drop to leave the sound out");
            try
            {
                FfmpegProcess.Run("ffmpeg", ["-nostdin", "-hide_banner", "-v", "error", "-i", inputPath, "-map", $"0:{a.Index}", "-frames:a", "1", "-f", "null", "-"], ct);
            }
            catch (MediaException e)
            {
                throw new MediaException($"{name} cannot be decoded ({e.Message}); use --audio drop to leave the sound out", e.Details, e);
            }
        }
    }

    /// <summary>x264 writes its version and every setting into an SEI message of the first frame ("x264 - core 164 r3095
    /// ..."), whatever the bitexact flags; filter_units drops SEI NAL units (type 6) after the encoder. With x264's
    /// defaults (closed GOPs, no HRD) those carry nothing a decoder needs: the pictures decode bit for bit the same.</summary>
    private static IReadOnlyList<string> H264(int crf) =>
        ["-c:v", "libx264", "-preset", "medium", "-crf", crf.ToString(), "-pix_fmt", "yuv420p", "-bsf:v", "filter_units=remove_types=6"];
}
