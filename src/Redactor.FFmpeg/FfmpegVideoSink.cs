namespace Redactor.FFmpeg;

/// <summary>How the output video is written.</summary>
public sealed record VideoOutputOptions(int Crf = 18, bool KeepAudio = true);

/// <summary>
/// Encodes raw bgr24 frames from our stdin into a temporary file beside the final output, taking audio from
/// the original input. Only the video and the audio streams are mapped; every global, stream and chapter
/// tag is dropped and ffmpeg's own encoder strings are suppressed (bitexact). <see cref="Complete"/> renames
/// the temporary file into place; anything else leaves no file behind.
/// </summary>
public sealed class FfmpegVideoSink : IFrameSink
{
    private readonly FfmpegProcess _process;
    private readonly TempFile _temp;
    private readonly string _finalPath;
    private readonly bool _overwrite;

    public FfmpegVideoSink(string inputPath, MediaInfo info, string outputPath, bool overwrite, VideoOutputOptions options)
    {
        _finalPath = Path.GetFullPath(outputPath);
        _overwrite = overwrite;
        var ext = Path.GetExtension(_finalPath);
        var policy = ContainerPolicy.For(ext, options.Crf);
        // Created and locked before ffmpeg opens it: ffmpeg truncates the same file, so our lock covers what it writes
        // and another run's cleanup leaves it alone while we live.
        _temp = TempFile.Beside(_finalPath);
        var (w, h) = info.DisplaySize();
        var args = new List<string>
        {
            "-nostdin", "-hide_banner", "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{w}x{h}", "-framerate", info.EncoderFrameRate(), "-i", "pipe:0",
        };
        var audio = options.KeepAudio ? info.Audio.ToList() : [];
        if (audio.Count > 0) args.AddRange(["-i", inputPath]);
        args.AddRange(["-map", "0:v:0"]);
        foreach (var a in audio) args.AddRange(["-map", $"1:{a.Index}"]);
        var filters = new List<string>();
        // 4:2:0 needs even sizes: pad the odd row or column rather than cut a pixel of picture, and fill it with its
        // neighbour's pixels (pad alone left a black line along the picture's edge).
        if (w % 2 != 0 || h % 2 != 0) filters.Add($"pad=ceil(iw/2)*2:ceil(ih/2)*2,fillborders=right={w % 2}:bottom={h % 2}:mode=smear");
        // Raw frames on a pipe carry no pixel shape: non-square pixels (anamorphic DV, HDV's 1440x1080 at 4:3) would be
        // shown square, the picture squeezed. The input's shape goes into the stream (H.264's VUI, the containers' own
        // fields), so the display size stays the input's.
        if (info.DisplaySampleAspectRatio() is { } sar) filters.Add($"setsar={sar}");
        if (filters.Count > 0) args.AddRange(["-vf", string.Join(',', filters)]);
        args.AddRange(policy.VideoCodecArgs);
        for (int i = 0; i < audio.Count; i++) args.AddRange(policy.AudioArgs(i, audio[i].Channels));
        args.AddRange(
        [
            "-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-f", policy.Muxer, _temp.Path,
        ]);
        if (policy.Muxer is "mp4" or "mov") args.InsertRange(args.Count - 3, ["-movflags", "+faststart"]);
        Arguments = args;
        try
        {
            _process = FfmpegProcess.Start("ffmpeg", args, redirectInput: true);
        }
        catch
        {
            _temp.Dispose();
            throw;
        }
    }

    /// <summary>The encoder's argument list, for diagnostics and tests.</summary>
    public IReadOnlyList<string> Arguments { get; }

    public void Write(Frame frame, CancellationToken cancellationToken)
    {
        try
        {
            _process.StandardInput.Write(frame.Data);
        }
        catch (IOException)
        {
            _process.WaitForExit(cancellationToken);
            throw FfmpegErrors.Explain("ffmpeg", _process.Stderr);
        }
    }

    public void Complete(CancellationToken cancellationToken)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The encoder already died; its exit code and stderr say why.
        }
        _process.WaitForExit(cancellationToken);
        if (_process.ExitCode != 0) throw FfmpegErrors.Explain("ffmpeg", _process.Stderr);
        _temp.Publish(_finalPath, _overwrite);
    }

    public void Dispose()
    {
        _process.Dispose();
        _temp.Dispose();
    }
}
