using Xunit;

namespace Redactor.Tests;

public class StyleTests
{
    private static Frame Noise(int w, int h, int seed)
    {
        var f = new Frame(w, h);
        new Random(seed).NextBytes(f.Pixels);
        return f;
    }

    public static TheoryData<RedactionStyle, MaskShape> AllStyles()
    {
        var data = new TheoryData<RedactionStyle, MaskShape>();
        foreach (var s in Enum.GetValues<RedactionStyle>())
            foreach (var m in Enum.GetValues<MaskShape>()) data.Add(s, m);
        return data;
    }

    private static bool InMask(Box region, MaskShape shape, int x, int y)
    {
        if (shape == MaskShape.Box) return x + 1 > region.X && x < region.Right && y + 1 > region.Y && y < region.Bottom;
        float dx = (x + 0.5f - region.CenterX) / (region.Width / 2), dy = (y + 0.5f - region.CenterY) / (region.Height / 2);
        return dx * dx + dy * dy <= 1.0001f;
    }

    [Theory]
    [MemberData(nameof(AllStyles))]
    public void Pixels_outside_every_region_are_untouched(RedactionStyle style, MaskShape shape)
    {
        var frame = Noise(200, 150, 1);
        var before = frame.Clone();
        var faces = new[] { new Box(20, 30, 50, 60), new Box(150, 100, 70, 70) }; // the second reaches past the edges
        var options = new RedactionOptions(style, shape, 1.3f, new Rgb(255, 0, 255), seed: 7);
        new FrameRedactor(options).Apply(frame, faces);
        var regions = faces.Select(options.MaskFor).ToArray();
        int changedInside = 0;
        for (int y = 0; y < frame.Height; y++)
            for (int x = 0; x < frame.Width; x++)
            {
                bool inside = regions.Any(r => InMask(r, shape, x, y));
                int p = y * frame.Stride + x * 3;
                bool same = frame.Pixels[p] == before.Pixels[p] && frame.Pixels[p + 1] == before.Pixels[p + 1] && frame.Pixels[p + 2] == before.Pixels[p + 2];
                if (!inside) Assert.True(same, $"pixel ({x},{y}) outside the mask changed");
                else if (!same) changedInside++;
            }
        Assert.True(changedInside > 3000, $"only {changedInside} pixels changed inside the regions");
    }

    [Fact]
    public void Fill_writes_the_exact_colour_over_the_whole_ellipse_including_the_last_row_and_column()
    {
        var frame = Noise(64, 48, 2);
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Fill, MaskShape.Box, 1.0f, new Rgb(0x12, 0x34, 0x56)));
        redactor.Apply(frame, [new Box(40, 30, 40, 40)]);
        for (int y = 30; y < 48; y++)
            for (int x = 40; x < 64; x++)
            {
                int p = y * frame.Stride + x * 3;
                Assert.Equal((0x56, 0x34, 0x12), (frame.Pixels[p], frame.Pixels[p + 1], frame.Pixels[p + 2]));
            }
    }

    [Fact]
    public void Ellipse_fill_covers_the_inscribed_ellipse()
    {
        var frame = Noise(100, 100, 3);
        new FrameRedactor(new RedactionOptions(RedactionStyle.Fill, MaskShape.Ellipse, 1.0f, new Rgb(255, 0, 255))).Apply(frame, [new Box(10, 20, 60, 40)]);
        var region = new Box(10, 20, 60, 40);
        int inside = 0, covered = 0;
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++)
            {
                float dx = (x + 0.5f - region.CenterX) / 30, dy = (y + 0.5f - region.CenterY) / 20;
                if (dx * dx + dy * dy > 1) continue;
                inside++;
                int p = y * frame.Stride + x * 3;
                if (frame.Pixels[p] == 255 && frame.Pixels[p + 1] == 0 && frame.Pixels[p + 2] == 255) covered++;
            }
        Assert.Equal(inside, covered);
    }

    /// <summary>Regions of 40 px are measured pixel by pixel; two of 70 px add up to more than half the frame and are
    /// measured from a summed area table, while each alone is not: the same pixels either way.</summary>
    [Theory]
    [InlineData(RedactionStyle.Pixelate, 40)]
    [InlineData(RedactionStyle.Blur, 40)]
    [InlineData(RedactionStyle.Pixelate, 69)]
    [InlineData(RedactionStyle.Blur, 69)]
    public void Overlapping_regions_are_measured_on_the_frame_as_it_came_and_the_last_one_wins(RedactionStyle style, int size)
    {
        var original = Noise(100, 100, 7);
        Box a = new(size == 40 ? 10 : 0.5f, size == 40 ? 10 : 0.3f, size, size), b = new(30.7f, 29.2f, size, size);
        var options = new RedactionOptions(style, MaskShape.Box, 1.0f, maskMargin: 0, noiseAmplitude: 0);
        var both = original.Clone();
        new FrameRedactor(options).Apply(both, [a, b]);
        var onlyA = original.Clone();
        new FrameRedactor(options).Apply(onlyA, [a]);
        var onlyB = original.Clone();
        new FrameRedactor(options).Apply(onlyB, [b]);
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++)
            {
                var expected = InMask(options.MaskFor(b), MaskShape.Box, x, y) ? onlyB : InMask(options.MaskFor(a), MaskShape.Box, x, y) ? onlyA : original;
                int p = y * both.Stride + x * 3;
                Assert.True(both.Pixels.AsSpan(p, 3).SequenceEqual(expected.Pixels.AsSpan(p, 3)), $"pixel {x},{y}");
            }
    }

    [Theory]
    [InlineData(40, 40)]
    [InlineData(300, 360)]
    [InlineData(900, 700)]
    public void Pixelate_has_at_most_8_cells_across_whatever_the_size(int w, int h)
    {
        var frame = Noise(w + 20, h + 20, 4);
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Pixelate, MaskShape.Box, 1.0f));
        redactor.ApplyOne(frame, new Box(10, 10, w, h));
        var colours = new HashSet<int>();
        var firstRow = new HashSet<int>();
        for (int y = 10; y < 10 + h; y++)
            for (int x = 10; x < 10 + w; x++)
            {
                int p = y * frame.Stride + x * 3;
                int c = frame.Pixels[p] | frame.Pixels[p + 1] << 8 | frame.Pixels[p + 2] << 16;
                colours.Add(c);
                if (y == 10 + h / 2) firstRow.Add(c);
            }
        int rows = (int)Math.Round(h / (w / 8.0));
        Assert.True(firstRow.Count <= RedactionOptions.MaxCellsAcross, $"{firstRow.Count} cells across");
        Assert.True(colours.Count <= RedactionOptions.MaxCellsAcross * rows, $"{colours.Count} distinct colours for {rows} rows of 8 cells");
    }

    [Fact]
    public void Blur_of_two_faces_with_equal_cell_means_is_identical()
    {
        // B is A with pixels shuffled inside every cell: same cell means, different faces.
        var a = Noise(96, 96, 5);
        var b = a.Clone();
        var region = new Box(0, 0, 96, 96);
        int cells = 6, cell = 96 / cells;
        var rng = new Random(9);
        for (int cy = 0; cy < cells; cy++)
            for (int cx = 0; cx < cells; cx++)
            {
                var coords = new List<(int X, int Y)>();
                for (int y = cy * cell; y < (cy + 1) * cell; y++)
                    for (int x = cx * cell; x < (cx + 1) * cell; x++) coords.Add((x, y));
                var shuffled = coords.OrderBy(_ => rng.Next()).ToList();
                for (int i = 0; i < coords.Count; i++)
                {
                    int from = coords[i].Y * a.Stride + coords[i].X * 3, to = shuffled[i].Y * b.Stride + shuffled[i].X * 3;
                    for (int ch = 0; ch < 3; ch++) b.Pixels[to + ch] = a.Pixels[from + ch];
                }
            }
        Assert.False(a.Data.SequenceEqual(b.Data));
        var options = new RedactionOptions(RedactionStyle.Blur, MaskShape.Box, 1.0f, cellsAcross: cells, seed: 42);
        new FrameRedactor(options).ApplyOne(a, region);
        new FrameRedactor(options).ApplyOne(b, region);
        Assert.True(a.Data.SequenceEqual(b.Data), "blur output depends on more than the cell means and the noise");
    }

    [Fact]
    public void Blur_noise_depends_on_a_secret_so_the_mosaic_cannot_be_read_back_exactly()
    {
        var a = Noise(96, 96, 6);
        var b = a.Clone();
        new FrameRedactor(new RedactionOptions(RedactionStyle.Blur, seed: 1)).Apply(a, [new Box(10, 10, 60, 60)]);
        new FrameRedactor(new RedactionOptions(RedactionStyle.Blur, seed: 2)).Apply(b, [new Box(10, 10, 60, 60)]);
        Assert.False(a.Data.SequenceEqual(b.Data));
    }

    [Fact]
    public void Faces_without_a_track_get_new_noise_on_every_call()
    {
        // Photos of one run share the redactor: the first face of each must not carry the same noise.
        var frame = Noise(96, 96, 6);
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Blur, seed: 3));
        var a = frame.Clone();
        var b = frame.Clone();
        redactor.Apply(a, [new Box(20, 20, 40, 40)]);
        redactor.Apply(b, [new Box(20, 20, 40, 40)]);
        Assert.False(a.Data.SequenceEqual(b.Data));
    }

    [Fact]
    public void Strong_noise_on_a_bright_region_wider_than_2048_px_saturates_instead_of_wrapping()
    {
        var frame = new Frame(2200, 48);
        for (int i = 0; i < frame.Pixels.Length; i++) frame.Pixels[i] = (byte)(i % 2 == 0 ? 255 : 245);
        var original = frame.Clone();
        var region = new Box(0, 0, 2200, 48);
        new FrameRedactor(new RedactionOptions(RedactionStyle.Blur, MaskShape.Box, cellsAcross: 8, noiseAmplitude: 128, seed: 5))
            .ApplyOne(frame, region);
        // Cell means are 250; with noise of up to +-128 a painted value lies in 122..255 unless it wrapped past 255.
        Assert.All(frame.Pixels, v => Assert.InRange(v, (byte)122, (byte)255));
        Assert.Contains(frame.Pixels, v => v == 255);
        Assert.False(frame.Data.SequenceEqual(original.Data));
    }

    /// <summary>A region drawn by hand is covered as drawn: its box exactly, whatever the mask scale and shape, beside
    /// a detected face grown as usual; nothing else changes.</summary>
    [Theory]
    [MemberData(nameof(AllStyles))]
    public void A_manual_region_covers_exactly_its_box_and_pixels_outside_every_region_are_untouched(RedactionStyle style, MaskShape shape)
    {
        var frame = Noise(200, 150, 11);
        var before = frame.Clone();
        var options = new RedactionOptions(style, shape, 2.0f, new Rgb(255, 0, 255), seed: 3);
        Box manual = new(120, 20, 37, 51), face = new(20, 60, 30, 30), edge = new(180, 130, 40, 40);
        new FrameRedactor(options).Apply(frame,
        [
            new Region(manual, 1, Review.PlanRegions.ManualTrackId(0), RegionSource.Manual),
            new Region(face, 0.9f, 4, RegionSource.Detected),
            new Region(edge, 1, Review.PlanRegions.ManualTrackId(1), RegionSource.Manual), // past the frame's corner
        ]);
        var grown = options.MaskFor(face);
        int changedInManual = 0, manualPixels = 0;
        for (int y = 0; y < frame.Height; y++)
            for (int x = 0; x < frame.Width; x++)
            {
                bool inManual = InMask(manual, MaskShape.Box, x, y) || InMask(edge, MaskShape.Box, x, y);
                bool inside = inManual || InMask(grown, shape, x, y);
                int p = y * frame.Stride + x * 3;
                bool same = frame.Pixels.AsSpan(p, 3).SequenceEqual(before.Pixels.AsSpan(p, 3));
                if (!inside) Assert.True(same, $"pixel ({x},{y}) outside every region changed");
                if (!inManual) continue;
                manualPixels++;
                if (!same) changedInManual++;
                if (style == RedactionStyle.Fill) Assert.Equal((255, 0, 255), (frame.Pixels[p], frame.Pixels[p + 1], frame.Pixels[p + 2]));
            }
        Assert.Equal(37 * 51 + 20 * 20, manualPixels);
        // A pixel of random noise may equal its cell's mean by chance: nearly all, not all.
        Assert.True(changedInManual > manualPixels * 0.98, $"{changedInManual} of {manualPixels} manual pixels changed");
    }

    [Theory]
    [InlineData(RedactionStyle.Fill)]
    [InlineData(RedactionStyle.Pixelate)]
    [InlineData(RedactionStyle.Blur)]
    public void A_whole_frame_region_covers_every_pixel_in_the_styles_cells(RedactionStyle style)
    {
        // A gradient, so that every cell has a mean of its own.
        var frame = new Frame(160, 90);
        for (int y = 0; y < 90; y++)
            for (int x = 0; x < 160; x++)
                (frame.Pixels[(y * 160 + x) * 3], frame.Pixels[(y * 160 + x) * 3 + 1], frame.Pixels[(y * 160 + x) * 3 + 2]) = ((byte)x, (byte)(2 * y), (byte)(x ^ y));
        var before = frame.Clone();
        // An ellipse, not grown: a whole frame covered as a face would leave its corners.
        var options = new RedactionOptions(style, MaskShape.Ellipse, 1.0f, new Rgb(1, 2, 3), noiseAmplitude: 0, maskMargin: 0);
        new FrameRedactor(options).Apply(frame,
            [new Region(new Box(10, 10, 20, 20), 0.9f, 1, RegionSource.Detected), new Region(new Box(0, 0, 160, 90), 1, Review.PlanRegions.WholeFrameTrackId, RegionSource.WholeFrame)]);
        int same = 0;
        var colours = new HashSet<(byte, byte, byte)>();
        for (int p = 0; p < frame.ByteLength; p += 3)
        {
            if (frame.Pixels.AsSpan(p, 3).SequenceEqual(before.Pixels.AsSpan(p, 3))) same++;
            colours.Add((frame.Pixels[p], frame.Pixels[p + 1], frame.Pixels[p + 2]));
        }
        Assert.True(same < 90, $"{same} pixels unchanged");
        if (style == RedactionStyle.Fill) Assert.Equal([(3, 2, 1)], colours);
        // A mosaic of the style's cells over the whole frame: 8 across (pixelate) or 6 (blur), square-ish.
        if (style == RedactionStyle.Pixelate) Assert.Equal(8 * 4, colours.Count);
        if (style == RedactionStyle.Blur) Assert.True(colours.Count > 6 * 3, $"{colours.Count} colours");
    }

    [Fact]
    public void A_manual_regions_blur_noise_stays_from_frame_to_frame()
    {
        var frame = Noise(96, 96, 13);
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Blur));
        Frame Redact(int id)
        {
            var copy = frame.Clone();
            redactor.Apply(copy, [new Region(new Box(20, 20, 40, 40), 1, Review.PlanRegions.ManualTrackId(id), RegionSource.Manual)]);
            return copy;
        }
        var first = Redact(0);
        Assert.True(Redact(0).Data.SequenceEqual(first.Data));
        Assert.False(Redact(1).Data.SequenceEqual(first.Data));
    }

    [Fact]
    public void Blur_noise_stays_with_a_track_from_frame_to_frame()
    {
        var frame = Noise(96, 96, 6);
        var redactor = new FrameRedactor(new RedactionOptions(RedactionStyle.Blur));
        var box = new Box(20, 20, 40, 40);
        Frame Redact(int? track)
        {
            var copy = frame.Clone();
            redactor.Apply(copy, [new Region(box, 0.9f, track, RegionSource.Detected)]);
            return copy;
        }
        var first = Redact(7);
        Assert.False(first.Data.SequenceEqual(frame.Data));
        // The same face in the next frame: the same noise, so the cover does not shimmer.
        Assert.True(Redact(7).Data.SequenceEqual(first.Data));
        // Another track's noise differs, and another video's (a new redactor, a new secret) too.
        Assert.False(Redact(8).Data.SequenceEqual(first.Data));
        var other = frame.Clone();
        new FrameRedactor(new RedactionOptions(RedactionStyle.Blur)).Apply(other, [new Region(box, 0.9f, 7, RegionSource.Detected)]);
        Assert.False(other.Data.SequenceEqual(first.Data));
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(9f)]
    [InlineData(float.NaN)]
    public void Options_reject_invalid_mask_scales(float scale) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedactionOptions(maskScale: scale));

    [Theory]
    [InlineData("ff00ff", 255, 0, 255)]
    [InlineData("#102030", 16, 32, 48)]
    public void Colours_parse_as_rrggbb(string text, int r, int g, int b)
    {
        Assert.True(Rgb.TryParse(text, out var c));
        Assert.Equal(new Rgb((byte)r, (byte)g, (byte)b), c);
    }

    [Theory]
    [InlineData("fff")]
    [InlineData("zz00ff")]
    [InlineData("")]
    public void Bad_colours_are_refused(string text) => Assert.False(Rgb.TryParse(text, out _));
}
