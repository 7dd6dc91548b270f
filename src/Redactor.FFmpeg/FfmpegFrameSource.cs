namespace Redactor.FFmpeg;

/// <summary>
/// Decodes the first video stream to raw bgr24 frames on ffmpeg's stdout. ffmpeg applies the display-matrix
/// rotation (autorotate), so frames arrive upright. Frames come at the constant rate <see cref="MediaInfo.EncoderFrameRate"/>,
/// frame N showing the picture on screen at N ÷ rate seconds of the file's clock (the clock the audio the encoder
/// takes from the file keeps too): the fps filter repeats or drops a picture where the input's own timing differs, and
/// repeats the first one from 0 when the video starts late. The raw pipe carries no timestamps, so passing frames
/// through as they came timed them by their count alone (variable-rate video drifted 0.88 s from its audio; the rawvideo
/// muxer's complaints about the timestamps it was handed came out as false damage). -fps_mode cfr is not used for
/// this: it lets a picture lag up to 1.1 frames before dropping one, and a colour change 1 s into a clip came 2 frames
/// late. Both passes read with the same arguments, so frame N is the same picture in each.
/// </summary>
public sealed class FfmpegFrameSource : IFrameSource
{
    private readonly FfmpegProcess _process;
    private readonly double _fps;
    private long _next;
    private bool _ended;

    /// <param name="squarePixels">Reshape each picture to square pixels for the detectors (<see cref="MediaInfo.DetectionSize"/>):
    /// YuNet found 74 of 87 faces in 9 dlib photos with their width squeezed to 3/4, as 4:3 pixels store them (84 at 9/8
    /// wide, DV's 8:9), against 87 as they are. <see cref="XScale"/> and <see cref="YScale"/> map positions back.</param>
    public FfmpegFrameSource(string path, MediaInfo info, bool squarePixels = false)
    {
        var (storedWidth, storedHeight) = info.DisplaySize();
        (Width, Height) = squarePixels ? info.DetectionSize() : (storedWidth, storedHeight);
        string? square = (Width, Height) != (storedWidth, storedHeight) ? $"scale={Width}:{Height},setsar=1" : null;
        XScale = (double)storedWidth / Width;
        YScale = (double)storedHeight / Height;
        FrameCountHint = info.Video?.FrameCount;
        var rate = info.EncoderFrameRate();
        _fps = MediaProbe.ParseRate(rate) ?? 30;
        var v = info.Video!;
        var args = new List<string> { "-nostdin", "-hide_banner", "-v", "error" };
        // ffmpeg's own VP8/VP9 decoders ignore WebM's alpha channel (a side stream the stream's alpha_mode tag announces);
        // libvpx's decode it.
        bool vpxAlpha = v.HasAlphaTag && v.CodecName is "vp8" or "vp9";
        if (vpxAlpha) args.AddRange(["-c:v", v.CodecName == "vp9" ? "libvpx-vp9" : "libvpx"]);
        args.AddRange(["-i", path, "-map", "0:V:0", "-an", "-sn", "-dn"]);
        var filters = new List<string>();
        // bgr24 has no alpha: converting dropped it and showed what transparent pixels hold, which may be anything the
        // maker hid (a transparent band over text). premultiply composites onto black, as a player shows it. Decided by
        // the codec, not by the pixel format the probe read from the first frame: alpha may start later (PNG-in-MOV
        // joined from an rgb24 and an rgba part probes as rgb24; ProRes 4444 signals alpha frame by frame), and ffmpeg
        // rebuilds the filters when the format changes. Opaque frames get an opaque alpha channel on the way in: in gbrap,
        // which cost 1080p ProRes 422 6 ms more a frame (each pass) against 18 ms for the yuva444p10 ffmpeg picks itself.
        if (vpxAlpha || HasAlpha(v.PixelFormat) || MayCarryAlpha(v.CodecName)) filters.Add("format=gbrap,premultiply=inplace=1");
        filters.Add($"fps=fps={rate}:start_time=0");
        if (square is not null) filters.Add(square);
        args.AddRange(["-vf", string.Join(',', filters), "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]);
        _process = FfmpegProcess.Start("ffmpeg", args, redirectOutput: true);
    }

    /// <summary>Codecs whose ffmpeg decoders can give frames with alpha, or with a palette that may be transparent.
    /// VP8 and VP9 are not here: ffmpeg's own decoders drop WebM's alpha side stream, and the libvpx ones are chosen when
    /// the stream's alpha_mode tag announces it. H.264, HEVC, MPEG-2, MPEG-4, AV1 and DNxHD decode no alpha in ffmpeg 5.1.</summary>
    internal static bool MayCarryAlpha(string? codec) => codec is "png" or "apng" or "qtrle" or "prores" or "ffv1" or "rawvideo"
        or "utvideo" or "huffyuv" or "ffvhuff" or "magicyuv" or "lagarith" or "sheervideo" or "cfhd" or "hap" or "dxv" or "tiff"
        or "gif" or "webp" or "targa" or "bmp" or "sgi" or "pam" or "dds" or "exr" or "jpeg2000" or "v408" or "ayuv" or "vp6a"
        or "8bps" or "msrle" or "tscc" or "zmbv" or "qdraw";

    /// <summary>Whether an ffmpeg pixel format carries alpha: yuva420p, gbrap10le, rgba64be, argb, ya8, ayuv64le, and
    /// pal8, whose palette entries may be transparent. Formats with an unused byte are named with 0 or x (rgb0, x2rgb10le).</summary>
    internal static bool HasAlpha(string? pixelFormat) =>
        pixelFormat is { } f && (f == "pal8" || f.StartsWith("ya", StringComparison.Ordinal)
            || new[] { "yuva", "gbrap", "rgba", "bgra", "argb", "abgr", "ayuv", "vuya" }.Any(a => f.Contains(a, StringComparison.Ordinal)));

    public int Width { get; }

    /// <summary>Stored pixels per pixel of these frames across (1 unless <c>squarePixels</c> changed the width).</summary>
    public double XScale { get; }

    /// <summary>Stored pixels per pixel of these frames down (1 unless <c>squarePixels</c> changed the height).</summary>
    public double YScale { get; }
    public int Height { get; }
    public long? FrameCountHint { get; }

    /// <summary>Once the stream has ended: ffmpeg's last complaint, when it had any (it prints errors only), though it
    /// went on and exited 0. A truncated file whose index comes first decodes this way, up to where its data stops
    /// ("partial file"), and would otherwise come out shorter without a word.</summary>
    public string? Damage => _ended && !string.IsNullOrWhiteSpace(_process.Stderr)
        ? System.Text.RegularExpressions.Regex.Replace(FfmpegErrors.LastLine(_process.Stderr), @"^\[[^\]]*@ 0x[0-9a-f]+\]\s*", "")
        : null;

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (frame.Width != Width || frame.Height != Height) throw new ArgumentException("frame size differs from the source's");
        if (_ended) return false;
        var buffer = frame.Data;
        int filled = 0;
        var stdout = _process.StandardOutput;
        while (filled < buffer.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = stdout.Read(buffer[filled..]);
            if (n == 0) break;
            filled += n;
        }
        if (filled < buffer.Length)
        {
            _ended = true;
            _process.WaitForExit(cancellationToken);
            if (_process.ExitCode != 0 || filled != 0)
            {
                var error = FfmpegErrors.Explain("ffmpeg", _process.Stderr);
                throw new MediaException(_next == 0 ? error.Message : $"decoding failed after frame {_next}: {error.Message}", error.Details);
            }
            if (_next == 0) throw new MediaException("no video frames could be decoded", _process.Stderr);
            return false;
        }
        frame.Index = _next;
        frame.Time = _next / _fps;
        _next++;
        return true;
    }

    public void Dispose() => _process.Dispose();
}
