namespace Redactor.FFmpeg;

/// <summary>
/// What each output container gets: its muxer, its video encoder, and which audio codecs it can hold as they are
/// (others are re-encoded). Keyed by lower-case extension with the dot.
/// </summary>
public sealed record ContainerPolicy(string Muxer, IReadOnlyList<string> VideoCodecArgs, IReadOnlySet<string>? CopyableAudio, IReadOnlyList<string> AudioFallbackArgs)
{
    private static readonly IReadOnlySet<string> Mp4Audio = new HashSet<string> { "aac", "mp3", "ac3", "eac3", "alac", "opus" };
    private static readonly IReadOnlySet<string> MovAudio = new HashSet<string>(Mp4Audio) { "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le" };
    private static readonly IReadOnlySet<string> AviAudio = new HashSet<string> { "mp3", "mp2", "ac3", "aac", "pcm_s16le", "pcm_u8" };
    private static readonly IReadOnlySet<string> WebmAudio = new HashSet<string> { "opus", "vorbis" };

    public static IReadOnlySet<string> VideoExtensions { get; } = new HashSet<string> { ".mp4", ".mov", ".m4v", ".mkv", ".avi", ".webm" };

    public static ContainerPolicy For(string extension, int crf) => extension.ToLowerInvariant() switch
    {
        ".mp4" or ".m4v" => new("mp4", H264(crf), Mp4Audio, Aac),
        ".mov" => new("mov", H264(crf), MovAudio, Aac),
        ".mkv" => new("matroska", H264(crf), null, Aac),
        ".avi" => new("avi", H264(crf), AviAudio, Aac),
        // WebM cannot hold H.264: VP9 in constant-quality mode, tuned for speed over size.
        ".webm" => new("webm", ["-c:v", "libvpx-vp9", "-crf", (crf + 13).ToString(), "-b:v", "0", "-deadline", "good", "-cpu-used", "4", "-row-mt", "1", "-pix_fmt", "yuv420p"],
            WebmAudio, ["-c:a", "libopus", "-b:a", "128k"]),
        _ => throw new MediaException($"unsupported video container '{extension}'"),
    };

    public bool CanCopy(string? audioCodec) => CopyableAudio is null || (audioCodec is not null && CopyableAudio.Contains(audioCodec));

    private static IReadOnlyList<string> H264(int crf) => ["-c:v", "libx264", "-preset", "medium", "-crf", crf.ToString(), "-pix_fmt", "yuv420p"];

    private static readonly IReadOnlyList<string> Aac = ["-c:a", "aac", "-b:a", "192k"];
}
