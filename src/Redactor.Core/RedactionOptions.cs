using System.Globalization;

namespace Redactor;

public enum RedactionStyle { Blur, Pixelate, Fill }

public enum MaskShape { Ellipse, Box }

/// <summary>An sRGB colour given as RRGGBB.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Black => new(0, 0, 0);

    public static bool TryParse(string? text, out Rgb colour)
    {
        colour = default;
        if (text is null) return false;
        var s = text.StartsWith('#') ? text[1..] : text;
        if (s.Length != 6 || !int.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v)) return false;
        colour = new Rgb((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        return true;
    }

    public override string ToString() => $"{R:x2}{G:x2}{B:x2}";
}

/// <summary>
/// How regions are made unrecognisable. Validated on construction, immutable afterwards, so a
/// redactor built from it cannot be half-configured.
/// </summary>
public sealed record RedactionOptions
{
    /// <summary>Most cells across a face for pixelate (and the cells a blur starts from).</summary>
    public const int MaxCellsAcross = 8;

    /// <summary>Detector boxes are the face, annotated boxes the head, and their ratio varies (a tenth of WIDER faces
    /// get a box under 0.7 of the annotated height). On the pan-zoom videos ×1.6 with 4 px and the centre a tenth
    /// lower took faces visible in some frame from 17.4 % to 13.6 % (wider) and 19.1 % to 8.8 % (masks) for 1.5 and
    /// 1.1 points more background (a shorter hold gave most of it back); photos: wider-416 14.3 → 13.5 %, masks
    /// 4.0 → 2.6 %, about 0.7 points more background (docs/results.md, docs/recall.md).</summary>
    public const float DefaultMaskScale = 1.6f;

    public const float DefaultMaskMargin = 4f;

    /// <summary>Faces 40 px or taller (<see cref="LargeFaceHeight"/>) are grown this much more than
    /// <see cref="MaskScale"/> (×1.68 by default): the margin makes a small face's mask about twice its box but adds little
    /// to a large one's, and large annotated faces reach further past their detector boxes (a head turned, a box around
    /// the eyes of a masked face). Replayed on seven pan-zoom videos (leak / faces visible in some frame / background, %):
    /// wider-720p 3.67 / 6.38 / 7.35 → 3.32 / 6.38 / 7.72, masks-720p 0.43 / 2.94 / 4.72 → 0.37 / 1.47 / 5.08, wider-1080p
    /// 4.76 / 9.48 / 7.54 → 4.63 / 9.07 / 8.05; on four made with other seeds leak 0 to 0.31 points less, faces visible
    /// 0 to 2.2 points less, background 0.35 to 0.64 more. ×1.1 took wider-720p to 3.00% but the others hardly further
    /// (0 to 0.14 points) for another half point of background; growing only faces 40–120 px tall was no better.</summary>
    public const float DefaultLargeFaceGrowth = 1.05f;

    /// <summary>Detector boxes (YuNet, RetinaFace) end near the chin, annotated faces (and face masks) reach
    /// below it; a masked face is often found by its eyes alone, its box high on the face: the covered region's
    /// centre is moved down by this share of the face height.</summary>
    public const float MaskDrop = 0.1f;

    public RedactionOptions(
        RedactionStyle style = RedactionStyle.Blur,
        MaskShape shape = MaskShape.Ellipse,
        float maskScale = DefaultMaskScale,
        Rgb? color = null,
        int cellsAcross = 6,
        int noiseAmplitude = 24,
        int? seed = null,
        float maskMargin = DefaultMaskMargin,
        float largeFaceGrowth = DefaultLargeFaceGrowth)
    {
        if (!Enum.IsDefined(style)) throw new ArgumentOutOfRangeException(nameof(style));
        if (!Enum.IsDefined(shape)) throw new ArgumentOutOfRangeException(nameof(shape));
        if (!(maskScale >= 1.0f && maskScale <= 4.0f))
            throw new ArgumentOutOfRangeException(nameof(maskScale), maskScale, "mask scale must be between 1.0 and 4.0");
        if (!(maskMargin >= 0f && maskMargin <= 64f))
            throw new ArgumentOutOfRangeException(nameof(maskMargin), maskMargin, "mask margin must be between 0 and 64 pixels");
        if (!(largeFaceGrowth >= 1.0f && largeFaceGrowth <= 2.0f))
            throw new ArgumentOutOfRangeException(nameof(largeFaceGrowth), largeFaceGrowth, "large-face growth must be between 1.0 and 2.0");
        if (cellsAcross < 1 || cellsAcross > MaxCellsAcross)
            throw new ArgumentOutOfRangeException(nameof(cellsAcross), cellsAcross, $"cells across must be 1..{MaxCellsAcross}");
        if (noiseAmplitude < 0 || noiseAmplitude > 128)
            throw new ArgumentOutOfRangeException(nameof(noiseAmplitude), noiseAmplitude, "noise amplitude must be 0..128");
        Style = style;
        Shape = shape;
        MaskScale = maskScale;
        MaskMargin = maskMargin;
        LargeFaceGrowth = largeFaceGrowth;
        Color = color ?? Rgb.Black;
        CellsAcross = cellsAcross;
        NoiseAmplitude = noiseAmplitude;
        Seed = seed;
    }

    public RedactionStyle Style { get; }
    public MaskShape Shape { get; }

    /// <summary>Factor by which a face box is grown around its centre before it is covered.</summary>
    public float MaskScale { get; }

    /// <summary>Pixels (of the frame) added on every side after scaling: detectors place boxes of small faces
    /// a few pixels off, which a factor alone does not absorb.</summary>
    public float MaskMargin { get; }

    /// <summary>Further factor for faces at least <see cref="LargeFaceHeight"/> tall (frame pixels).</summary>
    public float LargeFaceGrowth { get; }

    /// <summary>Where <see cref="LargeFaceGrowth"/> starts: the height from which the default <see cref="ScorePolicy"/>
    /// also asks large faces for a higher score.</summary>
    public const float LargeFaceHeight = ScorePolicy.DefaultLargeFaceHeight;

    /// <summary>The region covered for a detected face box (both in frame pixels).</summary>
    public Box MaskFor(Box face)
    {
        float scale = face.Height >= LargeFaceHeight ? MaskScale * LargeFaceGrowth : MaskScale;
        return Box.FromCenter(
            face.CenterX,
            face.CenterY + MaskDrop * face.Height,
            face.Width * scale + 2 * MaskMargin,
            face.Height * scale + 2 * MaskMargin);
    }

    public Rgb Color { get; }

    /// <summary>Mosaic cells across the grown region, for pixelate and blur.</summary>
    public int CellsAcross { get; }

    /// <summary>Largest random offset (in 8-bit levels) added to each blur cell per channel.</summary>
    public int NoiseAmplitude { get; }

    /// <summary>Seed of the blur noise; null draws a fresh seed from the OS (the safe default).</summary>
    public int? Seed { get; }
}
