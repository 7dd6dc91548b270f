namespace Redactor;

/// <summary>Decoded frames of one input, in display order. Each call to <see cref="Read"/> fills the given frame.</summary>
public interface IFrameSource : IDisposable
{
    int Width { get; }
    int Height { get; }

    /// <summary>Best known frame count, for progress; null when the container does not say.</summary>
    long? FrameCountHint { get; }

    /// <summary>Fills <paramref name="frame"/> with the next frame; false at the end of the input.
    /// Throws <see cref="MediaException"/> when the input is damaged.</summary>
    bool Read(Frame frame, CancellationToken cancellationToken);
}

/// <summary>Finds faces in a frame. Implementations need not be thread-safe.</summary>
public interface IFaceDetector : IDisposable
{
    IReadOnlyList<Detection> Detect(Frame frame);
}

/// <summary>
/// One pass of a face model over part of a frame at one scale: the adapter crops <paramref name="roi"/>
/// (source pixels), resizes it by <paramref name="scale"/>, runs the network and returns boxes in source pixels.
/// </summary>
public interface IFaceModel : IDisposable
{
    IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale);
}

/// <summary>Turns the detections of every frame of a video into the regions to redact in every frame.</summary>
public interface ITracker
{
    /// <summary>Each frame's regions, in frame order, worked out while they are enumerated (once) from the frames'
    /// detections, which are read in order and at most a bounded window ahead.</summary>
    IEnumerable<IReadOnlyList<Region>> Track(IEnumerable<FrameDetections> frames);
}

/// <summary>What the first pass learns about one frame: its detections and whether a hard cut precedes it.</summary>
public sealed record FrameDetections(long Index, double Time, IReadOnlyList<Detection> Detections, bool CutBefore)
{
    /// <summary>How the picture as a whole moved from the frame before (null when unknown: the first frame). Across a cut it
    /// compares unrelated pictures; the tracker never carries boxes across a cut.</summary>
    public PictureShift? Shift { get; init; }
}

/// <summary>
/// The dominant shift of the picture from one frame to the next, in frame pixels (content moved by Dx, Dy), measured
/// around the point (CenterX, CenterY): mostly the background, so mostly the camera, whatever the people in it do.
/// </summary>
public readonly record struct PictureShift(float Dx, float Dy, float CenterX, float CenterY);

/// <summary>Receives redacted frames in order. <see cref="Complete"/> makes the output appear;
/// disposing without completing removes every trace of it.</summary>
public interface IFrameSink : IDisposable
{
    void Write(Frame frame, CancellationToken cancellationToken);
    void Complete(CancellationToken cancellationToken);
}

/// <summary>A readable reason an input could not be processed (damaged, unsupported, tool missing…).
/// The message is shown to the user as it is, after the file name.</summary>
public class MediaException : Exception
{
    public MediaException(string message, string? details = null, Exception? inner = null) : base(message, inner)
    {
        Details = details;
    }

    /// <summary>Diagnostic text such as the tail of ffmpeg's stderr; shown with --verbose.</summary>
    public string? Details { get; }
}
