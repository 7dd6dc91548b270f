namespace Redactor;

/// <summary>An axis-aligned rectangle in source-frame pixels (top-left origin, x right, y down).</summary>
public readonly record struct Box(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;
    public float Bottom => Y + Height;
    public float CenterX => X + Width / 2;
    public float CenterY => Y + Height / 2;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    public static Box FromCenter(float cx, float cy, float w, float h) => new(cx - w / 2, cy - h / 2, w, h);

    /// <summary>The box grown (or shrunk) by <paramref name="factor"/> around its centre.</summary>
    public Box Scale(float factor) => FromCenter(CenterX, CenterY, Width * factor, Height * factor);

    public float IntersectionArea(Box other)
    {
        float w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        float h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    public float IoU(Box other)
    {
        float inter = IntersectionArea(other);
        float union = Area + other.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /// <summary>Linear interpolation of position and size; t = 0 gives this box, t = 1 gives <paramref name="to"/>.</summary>
    public Box Lerp(Box to, float t) => new(
        X + (to.X - X) * t, Y + (to.Y - Y) * t, Width + (to.Width - Width) * t, Height + (to.Height - Height) * t);
}

/// <summary>Integer pixel rectangle; Right and Bottom are exclusive.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>Smallest pixel rectangle that covers <paramref name="box"/>, clipped to a frame of the given size.
    /// A box reaching past the last row or column covers that row or column.</summary>
    public static PixelRect Cover(Box box, int frameWidth, int frameHeight)
    {
        int x0 = (int)Math.Clamp(Math.Floor(box.X), 0, frameWidth);
        int y0 = (int)Math.Clamp(Math.Floor(box.Y), 0, frameHeight);
        int x1 = (int)Math.Clamp(Math.Ceiling(box.Right), 0, frameWidth);
        int y1 = (int)Math.Clamp(Math.Ceiling(box.Bottom), 0, frameHeight);
        return new PixelRect(x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0));
    }
}
