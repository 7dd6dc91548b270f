using Redactor.FFmpeg;
using Redactor.OpenCv;

namespace Redactor.Cli;

/// <summary>
/// Pictures of a video's frames for the review page, made while the frames are decoded anyway (the first pass, or a
/// decode-only pass when a review resumes) and kept as JPEGs in a private temporary folder (mode 0700, removed when the
/// review ends). Stepping then costs a file read: decoding on demand would mean seeking to the keyframe before and
/// decoding up to a GOP of 1080p frames (seconds) for each step back.
/// </summary>
/// <remarks>Pictures are at most <see cref="MaxWidth"/>×<see cref="MaxHeight"/>, in square pixels (as the detectors see the
/// frames), JPEG quality <see cref="Quality"/>. Disk: docs/results.md (review).</remarks>
internal sealed class FrameCache : IDisposable
{
    public const int MaxWidth = 1280, MaxHeight = 720, Quality = 82;

    private const string Prefix = "redactor-review-", LockName = ".lock";

    private readonly DirectoryInfo _folder;

    /// <summary>Held while the folder is in use: a review killed outright leaves it unlocked, for the next to remove.</summary>
    private readonly FileStream _lock;

    public FrameCache(int frameWidth, int frameHeight)
    {
        // mkdtemp: created 0700, so no other user reads the unredacted pictures.
        _folder = Directory.CreateTempSubdirectory(Prefix);
        _lock = new FileStream(Path.Combine(_folder.FullName, LockName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        PictureSize = PreviewPictures.Fit(frameWidth, frameHeight, MaxWidth, MaxHeight);
    }

    /// <summary>
    /// Removes the picture folders of reviews killed outright (SIGKILL, a crash, power lost): they hold every frame
    /// unredacted until the OS clears its temporary folder. A folder is removed when its lock is free (its review is gone);
    /// one with no lock (killed in the instant between creating the folder and its lock) when it is a day old. Returns
    /// how many were removed.
    /// </summary>
    public static int RemoveAbandoned()
    {
        int removed = 0;
        IEnumerable<DirectoryInfo> folders;
        try
        {
            folders = new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories(Prefix + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (var folder in folders)
        {
            try
            {
                string lockPath = Path.Combine(folder.FullName, LockName);
                if (File.Exists(lockPath))
                {
                    // Free only when no live review holds it (FileShare.None is flock(LOCK_EX) here).
                    using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                }
                else if (folder.LastWriteTimeUtc > DateTime.UtcNow.AddDays(-1)) continue;
                folder.Delete(recursive: true);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a live review, or another user's.
            }
        }
        return removed;
    }

    public (int Width, int Height) PictureSize { get; }

    public long Count { get; private set; }

    /// <summary>Stores frame <see cref="Frame.Index"/>'s picture (frames arrive in order, from the decoding thread).</summary>
    public void Put(Frame frame)
    {
        var jpeg = PreviewPictures.Encode(frame, PictureSize.Width, PictureSize.Height, Quality);
        File.WriteAllBytes(PathOf(frame.Index), jpeg);
        Count = Math.Max(Count, frame.Index + 1);
    }

    public byte[] Get(long frame)
    {
        if (frame < 0 || frame >= Count) throw new ArgumentOutOfRangeException(nameof(frame), frame, $"frames are 0..{Count - 1}");
        return File.ReadAllBytes(PathOf(frame));
    }

    private string PathOf(long frame) => Path.Combine(_folder.FullName, $"{frame:D8}.jpg");

    /// <summary>A decode-only pass filling the cache (a review resumed from its plan, whose first pass is done).</summary>
    public static FrameCache Fill(string path, MediaInfo info, long frames, IProgress<PipelineProgress>? progress, CancellationToken ct)
    {
        using var source = new FfmpegFrameSource(path, info, squarePixels: true);
        var cache = new FrameCache(source.Width, source.Height);
        try
        {
            var frame = new Frame(source.Width, source.Height);
            while (source.Read(frame, ct))
            {
                cache.Put(frame);
                progress?.Report(new PipelineProgress("frames", cache.Count, frames));
            }
            if (cache.Count != frames)
                throw new MediaException($"the video decoded to {cache.Count} frames, but its plan has {frames}");
            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _lock.Dispose();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's cleaning of its temporary folder; nothing else reads it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Frames read from a source, each also shown to <paramref name="seen"/> (after the source filled it, before
/// anyone else uses it). The source stays its creator's to dispose.</summary>
internal sealed class WatchedSource(IFrameSource inner, Action<Frame> seen) : IFrameSource
{
    public int Width => inner.Width;
    public int Height => inner.Height;
    public long? FrameCountHint => inner.FrameCountHint;

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (!inner.Read(frame, cancellationToken)) return false;
        seen(frame);
        return true;
    }

    public void Dispose() { }
}
