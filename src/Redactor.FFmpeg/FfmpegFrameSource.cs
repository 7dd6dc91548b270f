namespace Redactor.FFmpeg;

/// <summary>
/// Decodes the first video stream to raw bgr24 frames on ffmpeg's stdout. ffmpeg applies the display-matrix
/// rotation (autorotate), so frames arrive upright; every decoded frame is passed through (no frame rate
/// conversion), so frame N here is frame N of the input.
/// </summary>
public sealed class FfmpegFrameSource : IFrameSource
{
    private readonly FfmpegProcess _process;
    private readonly double _fps;
    private long _next;
    private bool _ended;

    public FfmpegFrameSource(string path, MediaInfo info)
    {
        (Width, Height) = info.DisplaySize();
        FrameCountHint = info.Video?.FrameCount;
        _fps = MediaProbe.ParseRate(info.EncoderFrameRate()) ?? 30;
        _process = FfmpegProcess.Start("ffmpeg",
        [
            "-nostdin", "-hide_banner", "-v", "error", "-i", path,
            "-map", "0:V:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1",
        ], redirectOutput: true);
    }

    public int Width { get; }
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
