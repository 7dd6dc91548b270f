namespace Redactor;

/// <summary>
/// A second look at the large boxes a detector is unsure of. A box a sixth of the frame tall or more (80 px at least)
/// scoring under <see cref="SureScore"/> is cut out with the face's surroundings (a square twice its longer side) and
/// searched again at a fixed scale, where the face fills half the crop (256 px), by the verifying models; when none of
/// them finds a face there at <see cref="ConfirmScore"/> or more overlapping the box, it is marked
/// <see cref="Detection.Doubtful"/>. Such boxes are placards, floor reflections, coats and bags, and each covers a large
/// patch of background; a real face that size is seen clearly, or found again from close up.
/// Measured on seven pan-zoom videos (leak / faces visible in some frame / background, %; tracking confirms a track by any
/// detection that is not doubtful): wider-720p 3.67 / 6.38 / 7.91 → 3.67 / 6.38 / 7.35, masks-720p 0.43 / 2.94 / 5.88 →
/// 0.43 / 2.94 / 4.72, wider-1080p 4.78 / 9.48 / 8.23 → 4.77 / 9.48 / 7.57, and four more made with other seeds: background
/// 1.3 to 2.1 points less on the masks videos, 0.5 to 1.7 on the wider ones; no face more visible in any, and leaked
/// face-frames the same but on one (two faces of 10–15 px that no model sees had been covered by a false box over them).
/// At 80 px whatever the frame size, wider-720p lost 15 face-frames of a face printed on a banner, wider-1080p 27.
/// </summary>
/// <param name="verifiers">Models searched on the crop: borrowed (the searching detectors inside <paramref name="inner"/>
/// own them), so the crop runs in their sessions and buffers.</param>
public sealed class SecondLook(IFaceDetector inner, IReadOnlyList<IFaceModel> verifiers) : IFaceDetector
{
    /// <summary>Boxes scoring this or more are not doubted.</summary>
    public const float SureScore = 0.8f;

    /// <summary>A verifier's score on the crop that confirms the box.</summary>
    public const float ConfirmScore = 0.3f;

    /// <summary>Boxes smaller than this share of the frame height (and than <see cref="MinHeight"/>) are not doubted: small
    /// false boxes cover little, and a small face's crop, enlarged, is too blurred to be found again.</summary>
    public const float FrameShare = 1f / 6;

    public const float MinHeight = 80;

    /// <summary>The crop's side after scaling, in pixels (the box's longer side becomes half of it).</summary>
    public const int CropSide = 256;

    /// <summary>Overlap with the box that a verifier's face needs to confirm it.</summary>
    private const float SameFace = 0.3f;

    public IReadOnlyList<Detection> Detect(Frame frame)
    {
        var found = inner.Detect(frame);
        float tall = Math.Max(MinHeight, FrameShare * frame.Height);
        List<Detection>? result = null;
        for (int i = 0; i < found.Count; i++)
        {
            var d = found[i];
            if (!d.Counts || d.Score >= SureScore || d.Box.Height < tall || Confirmed(frame, d.Box)) continue;
            result ??= [.. found];
            result[i] = d with { Doubtful = true };
        }
        return result ?? found;
    }

    private bool Confirmed(Frame frame, Box box)
    {
        var roi = Crop(box, frame.Width, frame.Height);
        if (roi.IsEmpty) return true;
        float scale = (float)CropSide / Math.Max(roi.Width, roi.Height);
        foreach (var model in verifiers)
            foreach (var d in model.Detect(frame, roi, scale))
                if (d.Score >= ConfirmScore && d.Box.IoU(box) >= SameFace) return true;
        return false;
    }

    /// <summary>
    /// The square <paramref name="times"/> (twice by default) the box's longer side around it, moved (not cut) to lie inside the frame: every crop is then
    /// scaled to the same input size, which the models keep a buffer for, instead of one more size each time a box is
    /// near an edge. Cut only when the frame is smaller than the square.
    /// </summary>
    internal static PixelRect Crop(Box box, int frameWidth, int frameHeight, float times = 2)
    {
        int side = (int)MathF.Ceiling(times * Math.Max(box.Width, box.Height));
        if (!(side > 0)) return default;
        int x = (int)MathF.Round(box.CenterX - side / 2f), y = (int)MathF.Round(box.CenterY - side / 2f);
        x = Math.Clamp(x, 0, Math.Max(0, frameWidth - side));
        y = Math.Clamp(y, 0, Math.Max(0, frameHeight - side));
        return new PixelRect(x, y, Math.Min(side, frameWidth - x), Math.Min(side, frameHeight - y));
    }

    public void Dispose() => inner.Dispose();
}
