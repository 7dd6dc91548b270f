using System.Security.Cryptography;

namespace Redactor;

/// <summary>
/// Covers regions of a frame in place. Every style is irreversible by construction: what it writes
/// depends only on a handful of cell means (pixelate, blur) plus fresh noise (blur), or on nothing at all (fill),
/// so no deconvolution can bring the face back. Pixels outside every mask are never written.
/// </summary>
public sealed class FrameRedactor
{
    private readonly RedactionOptions _options;
    private readonly Random _random;

    public FrameRedactor(RedactionOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _random = options.Seed is int seed ? new Random(seed) : new Random(RandomNumberGenerator.GetInt32(int.MaxValue));
    }

    public RedactionOptions Options => _options;

    /// <summary>Redacts every face box (grown to <see cref="RedactionOptions.MaskFor"/>) in the frame.</summary>
    public void Apply(Frame frame, IEnumerable<Box> faces)
    {
        foreach (var face in faces) ApplyOne(frame, _options.MaskFor(face));
    }

    /// <summary>Redacts one already-grown region.</summary>
    public void ApplyOne(Frame frame, Box region)
    {
        var rect = PixelRect.Cover(region, frame.Width, frame.Height);
        if (rect.IsEmpty || region.Width <= 0 || region.Height <= 0) return;
        var mask = new MaskRows(region, rect, _options.Shape);
        switch (_options.Style)
        {
            case RedactionStyle.Fill:
                Fill(frame, mask, _options.Color);
                break;
            case RedactionStyle.Pixelate:
                {
                    var grid = CellGrid.Measure(frame, region, rect, RedactionOptions.MaxCellsAcross);
                    PaintCells(frame, mask, grid);
                    break;
                }
            default:
                {
                    var grid = CellGrid.Measure(frame, region, rect, _options.CellsAcross);
                    grid.AddNoise(_random, _options.NoiseAmplitude);
                    PaintSmooth(frame, mask, grid);
                    break;
                }
        }
    }

    private static void Fill(Frame frame, MaskRows mask, Rgb c)
    {
        var data = frame.Data;
        for (int y = mask.Rect.Y; y < mask.Rect.Bottom; y++)
        {
            var (x0, x1) = mask.Span(y);
            int row = y * frame.Stride;
            for (int x = x0; x < x1; x++)
            {
                int p = row + x * 3;
                data[p] = c.B; data[p + 1] = c.G; data[p + 2] = c.R;
            }
        }
    }

    private static void PaintCells(Frame frame, MaskRows mask, CellGrid grid)
    {
        var data = frame.Data;
        for (int y = mask.Rect.Y; y < mask.Rect.Bottom; y++)
        {
            var (x0, x1) = mask.Span(y);
            int cy = grid.CellRow(y);
            int row = y * frame.Stride;
            for (int x = x0; x < x1; x++)
            {
                int cell = (cy * grid.Columns + grid.CellColumn(x)) * 3;
                int p = row + x * 3;
                data[p] = ClampByte(grid.Means[cell]);
                data[p + 1] = ClampByte(grid.Means[cell + 1]);
                data[p + 2] = ClampByte(grid.Means[cell + 2]);
            }
        }
    }

    /// <summary>Bilinear interpolation between cell centres: an enlarged, smooth version of the noised mosaic.</summary>
    private static void PaintSmooth(Frame frame, MaskRows mask, CellGrid grid)
    {
        var data = frame.Data;
        for (int y = mask.Rect.Y; y < mask.Rect.Bottom; y++)
        {
            var (x0, x1) = mask.Span(y);
            if (x0 >= x1) continue;
            float fy = Math.Clamp((y + 0.5f - grid.Origin.Y) / grid.CellHeight - 0.5f, 0, grid.Rows - 1);
            int r0 = (int)fy, r1 = Math.Min(r0 + 1, grid.Rows - 1);
            float ty = fy - r0;
            int row = y * frame.Stride;
            for (int x = x0; x < x1; x++)
            {
                float fx = Math.Clamp((x + 0.5f - grid.Origin.X) / grid.CellWidth - 0.5f, 0, grid.Columns - 1);
                int c0 = (int)fx, c1 = Math.Min(c0 + 1, grid.Columns - 1);
                float tx = fx - c0;
                int p = row + x * 3;
                for (int ch = 0; ch < 3; ch++)
                {
                    float a = grid.Means[(r0 * grid.Columns + c0) * 3 + ch];
                    float b = grid.Means[(r0 * grid.Columns + c1) * 3 + ch];
                    float c = grid.Means[(r1 * grid.Columns + c0) * 3 + ch];
                    float d = grid.Means[(r1 * grid.Columns + c1) * 3 + ch];
                    float top = a + (b - a) * tx, bottom = c + (d - c) * tx;
                    data[p + ch] = ClampByte(top + (bottom - top) * ty);
                }
            }
        }
    }

    private static byte ClampByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    /// <summary>The covered pixels of each row: a box, or the ellipse inscribed in the region.</summary>
    private readonly struct MaskRows(Box region, PixelRect rect, MaskShape shape)
    {
        public PixelRect Rect { get; } = rect;

        public (int X0, int X1) Span(int y)
        {
            if (shape == MaskShape.Box) return (Rect.X, Rect.Right);
            // Pixel centres (x + 0.5, y + 0.5) inside the ellipse inscribed in the region.
            float ry = region.Height / 2, rx = region.Width / 2;
            float dy = (y + 0.5f - region.CenterY) / ry;
            float q = 1 - dy * dy;
            if (q < 0) return (Rect.X, Rect.X);
            float half = rx * MathF.Sqrt(q);
            int x0 = Math.Max(Rect.X, (int)MathF.Ceiling(region.CenterX - half - 0.5f));
            int x1 = Math.Min(Rect.Right, (int)MathF.Floor(region.CenterX + half - 0.5f) + 1);
            return (x0, Math.Max(x0, x1));
        }
    }

    /// <summary>Mean colour of square-ish cells laid over the region; cells are measured over the pixels
    /// of the region that lie inside the frame.</summary>
    private sealed class CellGrid
    {
        public required int Columns { get; init; }
        public required int Rows { get; init; }
        public required float CellWidth { get; init; }
        public required float CellHeight { get; init; }
        public required (float X, float Y) Origin { get; init; }
        public required float[] Means { get; init; }

        public int CellColumn(int x) => Math.Clamp((int)((x + 0.5f - Origin.X) / CellWidth), 0, Columns - 1);
        public int CellRow(int y) => Math.Clamp((int)((y + 0.5f - Origin.Y) / CellHeight), 0, Rows - 1);

        public static CellGrid Measure(Frame frame, Box region, PixelRect rect, int cellsAcross)
        {
            int columns = Math.Clamp(cellsAcross, 1, Math.Max(1, (int)region.Width));
            float cw = region.Width / columns;
            int rows = Math.Clamp((int)MathF.Round(region.Height / cw), 1, RedactionOptions.MaxCellsAcross * 2);
            var grid = new CellGrid
            {
                Columns = columns, Rows = rows, CellWidth = cw, CellHeight = region.Height / rows,
                Origin = (region.X, region.Y), Means = new float[columns * rows * 3],
            };
            var counts = new int[columns * rows];
            var sums = new long[columns * rows * 3];
            var data = frame.Data;
            for (int y = rect.Y; y < rect.Bottom; y++)
            {
                int r = grid.CellRow(y);
                int row = y * frame.Stride;
                for (int x = rect.X; x < rect.Right; x++)
                {
                    int cell = r * columns + grid.CellColumn(x);
                    int p = row + x * 3;
                    sums[cell * 3] += data[p]; sums[cell * 3 + 1] += data[p + 1]; sums[cell * 3 + 2] += data[p + 2];
                    counts[cell]++;
                }
            }
            for (int i = 0; i < counts.Length; i++)
                for (int ch = 0; ch < 3; ch++)
                    grid.Means[i * 3 + ch] = counts[i] == 0 ? 0 : (float)sums[i * 3 + ch] / counts[i];
            // Cells wholly outside the frame take their nearest measured neighbour, so the blur has no dark rim.
            grid.FillEmpty(counts);
            return grid;
        }

        private void FillEmpty(int[] counts)
        {
            for (int i = 0; i < counts.Length; i++)
            {
                if (counts[i] != 0) continue;
                int r = i / Columns, c = i % Columns, best = -1, bestD = int.MaxValue;
                for (int j = 0; j < counts.Length; j++)
                {
                    if (counts[j] == 0) continue;
                    int d = Math.Abs(j / Columns - r) + Math.Abs(j % Columns - c);
                    if (d < bestD) { bestD = d; best = j; }
                }
                if (best >= 0) Array.Copy(Means, best * 3, Means, i * 3, 3);
            }
        }

        public void AddNoise(Random random, int amplitude)
        {
            if (amplitude == 0) return;
            for (int i = 0; i < Means.Length; i++) Means[i] += random.Next(-amplitude, amplitude + 1);
        }
    }
}
