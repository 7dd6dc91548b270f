namespace Redactor;

/// <summary>
/// Searches each picture upright and turned a quarter, a half and three quarters round, and merges what the four
/// searches found (boxes in the picture's own pixels). The face models find upright faces: on a dlib photo with 28
/// faces found, the same photo turned a quarter had 16 found and upside down 5. Someone lying on the ground, or a
/// photo that lost its orientation tag, is a turned face. Four searches take about four times as long.
/// </summary>
/// <remarks>Like the detectors it wraps, not for use from several threads at once: it keeps its turned pictures'
/// buffers (a 1080p frame's is 6 MB) from one frame to the next.</remarks>
public sealed class TurnedSearch(IFaceDetector inner) : IFaceDetector
{
    private Frame? _sideways, _upsideDown;

    public IReadOnlyList<Detection> Detect(Frame frame)
    {
        var all = new List<Detection>(inner.Detect(frame));
        for (int quarters = 1; quarters <= 3; quarters++)
        {
            var turned = quarters % 2 == 1 ? Turn(frame, quarters, ref _sideways) : Turn(frame, quarters, ref _upsideDown);
            foreach (var d in inner.Detect(turned)) all.Add(d with { Box = Back(d.Box, quarters, frame.Width, frame.Height) });
        }
        return BoxMerger.Merge(all);
    }

    /// <summary>The picture turned clockwise by <paramref name="quarters"/> quarter turns (1–3).</summary>
    internal static Frame Turn(Frame frame, int quarters)
    {
        Frame? fresh = null;
        return Turn(frame, quarters, ref fresh);
    }

    /// <summary>The same, into <paramref name="buffer"/> when it has the turned size (a new frame, kept there, otherwise).</summary>
    private static Frame Turn(Frame frame, int quarters, ref Frame? buffer)
    {
        int w = frame.Width, h = frame.Height;
        bool sideways = quarters % 2 == 1;
        int turnedWidth = sideways ? h : w, turnedHeight = sideways ? w : h;
        if (buffer is null || buffer.Width != turnedWidth || buffer.Height != turnedHeight) buffer = new Frame(turnedWidth, turnedHeight);
        var turned = buffer;
        turned.Index = frame.Index;
        turned.Time = frame.Time;
        ReadOnlySpan<byte> src = frame.Data;
        Span<byte> dst = turned.Data;
        int tw = turned.Width;
        for (int y = 0; y < h; y++)
        {
            // Where the row's first pixel lands in the turned picture, and how far (bytes) each next one lands from it:
            // a quarter turn makes the row a column (down), a half turn a row backwards, three quarters a column (up).
            var (start, step) = quarters switch
            {
                1 => ((h - 1 - y) * 3, tw * 3),
                2 => (((h - 1 - y) * tw + w - 1) * 3, -3),
                _ => (((w - 1) * tw + y) * 3, -tw * 3),
            };
            var row = src.Slice(y * w * 3, w * 3);
            for (int x = 0, at = start; x < w; x++, at += step) row.Slice(x * 3, 3).CopyTo(dst.Slice(at, 3));
        }
        return turned;
    }

    /// <summary>A box found in the picture turned by <paramref name="quarters"/>, in the upright picture's pixels
    /// (<paramref name="width"/> × <paramref name="height"/>). Boxes are edges, not pixel centres: a turned point
    /// (u, v) came from (v, h − u) after one quarter, (w − u, h − v) after two, (w − v, u) after three.</summary>
    internal static Box Back(Box b, int quarters, int width, int height)
    {
        float u0 = b.X, u1 = b.X + b.Width, v0 = b.Y, v1 = b.Y + b.Height;
        return quarters switch
        {
            1 => new Box(v0, height - u1, b.Height, b.Width),
            2 => new Box(width - u1, height - v1, b.Width, b.Height),
            3 => new Box(width - v1, u0, b.Height, b.Width),
            _ => throw new ArgumentOutOfRangeException(nameof(quarters)),
        };
    }

    public void Dispose() => inner.Dispose();
}
