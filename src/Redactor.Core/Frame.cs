namespace Redactor;

/// <summary>
/// One decoded picture: 8-bit BGR, three bytes a pixel, rows packed with no padding
/// (stride = 3 × width), the layout ffmpeg's <c>bgr24</c> and OpenCV's <c>CV_8UC3</c> use.
/// The pixel array may be longer than needed (it can come from a pool); only the first
/// <see cref="ByteLength"/> bytes are the picture.
/// </summary>
public sealed class Frame
{
    public Frame(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "A frame needs a positive size.");
        Width = width;
        Height = height;
        Pixels = pixels ?? new byte[checked(width * height * 3)];
        if (Pixels.Length < ByteLength) throw new ArgumentException("Pixel buffer is smaller than the frame.", nameof(pixels));
    }

    public int Width { get; }
    public int Height { get; }
    public int Stride => Width * 3;
    public int ByteLength => Width * Height * 3;
    public byte[] Pixels { get; }

    /// <summary>Zero-based index of the frame in its video (0 for a photo).</summary>
    public long Index { get; set; }

    /// <summary>Presentation time in seconds from the start of the video.</summary>
    public double Time { get; set; }

    public Span<byte> Data => Pixels.AsSpan(0, ByteLength);

    public Frame Clone()
    {
        var copy = new Frame(Width, Height) { Index = Index, Time = Time };
        Data.CopyTo(copy.Pixels);
        return copy;
    }
}
