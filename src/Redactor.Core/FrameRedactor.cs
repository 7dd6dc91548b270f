using System.Security.Cryptography;

namespace Redactor;

/// <summary>
/// Covers regions of a frame in place. Every style is irreversible by construction: what it writes
/// depends only on a handful of cell means (pixelate, blur) plus secret noise (blur), or on nothing at all (fill),
/// so no deconvolution can bring the face back. Pixels outside every mask are never written.
/// </summary>
public sealed class FrameRedactor
{
    private readonly RedactionOptions _options;

    /// <summary>Secret from which every region's blur noise is derived (the OS's random source unless seeded).</summary>
    private readonly ulong _noiseSecret;

    public FrameRedactor(RedactionOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _noiseSecret = options.Seed is int seed ? Mix((ulong)seed) : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    }

    public RedactionOptions Options => _options;

    /// <summary>Redacts every face box (grown to <see cref="RedactionOptions.MaskFor"/>) in the frame.</summary>
    public void Apply(Frame frame, IEnumerable<Box> faces)
    {
        long call = Interlocked.Increment(ref _calls);
        Cover(frame, faces.Select((f, i) => new Covered(_options.MaskFor(f), UntrackedKey(call, i), _options.Shape)));
    }

    /// <summary>
    /// Redacts tracked regions: the blur noise of a track's regions is the same in every frame, so the covered face
    /// does not shimmer. Noise drawn anew each frame cost the encoder: re-encoding a redacted wider-1080p took x264
    /// 69.8 CPU-s against 58.5 with noise kept per track (57.2 without noise), and the file was 11% smaller with it kept. It was no
    /// safer either: averaging frames of fresh noise cancels it, fixed noise cannot be averaged away.
    /// </summary>
    /// <remarks>A <see cref="RegionSource.Manual"/> region (drawn by hand in review) is covered as drawn: its box, not
    /// grown by the mask and not an ellipse. A <see cref="RegionSource.WholeFrame"/> region covers the whole frame in the
    /// style (the colour, or a mosaic of the style's cells across the frame), and then nothing else is drawn.</remarks>
    public void Apply(Frame frame, IEnumerable<Region> regions)
    {
        long call = Interlocked.Increment(ref _calls);
        var covered = new List<Covered>();
        int i = 0;
        foreach (var r in regions)
        {
            ulong key = r.TrackId is int t ? (ulong)(uint)t : UntrackedKey(call, i);
            i++;
            if (r.Source == RegionSource.WholeFrame)
            {
                // Whatever else was to be drawn lies under it.
                Cover(frame, [new Covered(new Box(0, 0, frame.Width, frame.Height), key, MaskShape.Box)]);
                return;
            }
            covered.Add(r.Source == RegionSource.Manual
                ? new Covered(r.Box, key, MaskShape.Box)
                : new Covered(_options.MaskFor(r.Box), key, _options.Shape));
        }
        Cover(frame, covered);
    }

    /// <summary>Redacts one already-grown region.</summary>
    public void ApplyOne(Frame frame, Box region) => Cover(frame, [new Covered(region, UntrackedKey(Interlocked.Increment(ref _calls), 0), _options.Shape)]);

    /// <summary>A region as covered (in frame pixels, already grown), the key its noise derives from, and its shape.</summary>
    private readonly record struct Covered(Box Region, ulong NoiseKey, MaskShape Shape);

    /// <summary>Calls so far: a region without a track (photos, <c>--no-track</c>) gets noise of its own call, so
    /// that knowing one original face and its output does not give away the noise of the first face of every other
    /// photo of the run.</summary>
    private long _calls;

    /// <summary>Noise key of an untracked region: the top bit set keeps it apart from every track id.</summary>
    private static ulong UntrackedKey(long call, int index) => (1UL << 63) | ((Mix((ulong)call) + (ulong)index) >> 1);

    /// <summary>
    /// Every region's cells are measured on the frame as it came, then each pixel is painted once, by the last region
    /// covering it. A tracked crowd puts several overlapping regions on one face (a track's detections of the
    /// neighbouring frames, holds of other tracks); painting each of them in full cost three times the redaction time.
    /// </summary>
    /// <param name="regions">Grown regions, each with the key its noise is derived from and its shape.</param>
    private void Cover(Frame frame, IEnumerable<Covered> regions)
    {
        var masks = new List<MaskRows>();
        var keys = new List<ulong>();
        foreach (var (region, key, shape) in regions)
        {
            var rect = PixelRect.Cover(region, frame.Width, frame.Height);
            if (rect.IsEmpty || !(region.Width > 0 && region.Height > 0)) continue;
            masks.Add(new MaskRows(region, rect, shape));
            keys.Add(key);
        }
        if (masks.Count == 0) return;
        if (_options.Style == RedactionStyle.Fill)
        {
            foreach (var mask in masks) Fill(frame, mask, _options.Color);
            return;
        }
        bool pixelate = _options.Style == RedactionStyle.Pixelate;
        var grids = new CellGrid[masks.Count];
        // Regions adding up to more than half the frame (a crowd, overlapping held boxes) are measured from a summed
        // area table: one pass over the frame instead of one over each region.
        long measured = masks.Sum(m => (long)m.Rect.Width * m.Rect.Height);
        SummedArea? table = null;
        if (masks.Count > 1 && measured > (long)frame.Width * frame.Height / 2)
        {
            table = _table ??= new SummedArea();
            table.Build(frame);
        }
        for (int i = 0; i < masks.Count; i++)
        {
            grids[i] = CellGrid.Measure(frame, masks[i].Region, masks[i].Rect, pixelate ? RedactionOptions.MaxCellsAcross : _options.CellsAcross, table);
            if (!pixelate) grids[i].AddNoise(Mix(_noiseSecret ^ Mix(keys[i])), _options.NoiseAmplitude);
        }
        // One region cannot overlap another: no stamps (a large photo would otherwise keep 4 bytes a pixel).
        var painted = masks.Count > 1 ? NextStamp(frame.Width * frame.Height) : default;
        for (int i = masks.Count - 1; i >= 0; i--)
        {
            if (pixelate) PaintCells(frame, masks[i], grids[i], painted);
            else PaintSmooth(frame, masks[i], grids[i], painted);
        }
    }

    /// <summary>Per pixel of the frame, the stamp of the last <see cref="Cover"/> that painted it: a pixel is already
    /// painted in this call when it holds the current stamp, so the array never needs clearing between frames.</summary>
    private int[] _stamps = [];
    private SummedArea? _table;
    private int _stamp;

    private Painted NextStamp(int pixels)
    {
        if (_stamps.Length < pixels) { _stamps = new int[pixels]; _stamp = 0; }
        if (_stamp == int.MaxValue) { Array.Clear(_stamps); _stamp = 0; }
        return new Painted(_stamps, ++_stamp);
    }

    private readonly struct Painted(int[] stamps, int stamp)
    {
        /// <summary>True the first time a pixel (y × width + x) is claimed in this call (always, without stamps).</summary>
        public bool Claim(int pixel)
        {
            if (stamps is null) return true;
            if (stamps[pixel] == stamp) return false;
            stamps[pixel] = stamp;
            return true;
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

    private static void PaintCells(Frame frame, MaskRows mask, CellGrid grid, Painted painted)
    {
        var data = frame.Data;
        int left = mask.Rect.X, width = mask.Rect.Width;
        Span<int> columnOf = width <= 2048 ? stackalloc int[width] : new int[width];
        for (int i = 0; i < width; i++) columnOf[i] = grid.CellColumn(left + i);
        for (int y = mask.Rect.Y; y < mask.Rect.Bottom; y++)
        {
            var (x0, x1) = mask.Span(y);
            int cells = grid.CellRow(y) * grid.Columns;
            int row = y * frame.Stride, pixel = y * frame.Width;
            for (int x = x0; x < x1; x++)
            {
                if (!painted.Claim(pixel + x)) continue;
                int cell = (cells + columnOf[x - left]) * 3;
                int p = row + x * 3;
                // Means of pixels (no noise here) lie in 0..255.
                data[p] = (byte)(grid.Means[cell] + 0.5f);
                data[p + 1] = (byte)(grid.Means[cell + 1] + 0.5f);
                data[p + 2] = (byte)(grid.Means[cell + 2] + 0.5f);
            }
        }
    }

    /// <summary>Bilinear interpolation between cell centres: an enlarged, smooth version of the noised mosaic.</summary>
    private static void PaintSmooth(Frame frame, MaskRows mask, CellGrid grid, Painted painted)
    {
        var data = frame.Data;
        int columns = grid.Columns, left = mask.Rect.X, width = mask.Rect.Width;
        // Per pixel column of the rectangle: the offset of its left cell column in a row blend, and the weight of the
        // right one. Worked out once per region instead of once per pixel; with the clamp-free blend below this took the
        // blur of a 1080p crowd frame (CrowdRedactionBenchmarks) from 11.9 to 8.8 ms.
        Span<int> leftCell = width <= 2048 ? stackalloc int[width] : new int[width];
        Span<float> weight = width <= 2048 ? stackalloc float[width] : new float[width];
        for (int i = 0; i < width; i++)
        {
            float fx = Math.Clamp((left + i + 0.5f - grid.Origin.X) / grid.CellWidth - 0.5f, 0, columns - 1);
            int c0 = (int)fx;
            leftCell[i] = c0 * 3;
            weight[i] = fx - c0;
        }
        // One row's blend of two cell rows, with the last column repeated so that every pixel blends column c and c + 1.
        Span<float> mix = stackalloc float[(columns + 1) * 3];
        for (int y = mask.Rect.Y; y < mask.Rect.Bottom; y++)
        {
            var (x0, x1) = mask.Span(y);
            if (x0 >= x1) continue;
            float fy = Math.Clamp((y + 0.5f - grid.Origin.Y) / grid.CellHeight - 0.5f, 0, grid.Rows - 1);
            int r0 = (int)fy, r1 = Math.Min(r0 + 1, grid.Rows - 1);
            float ty = fy - r0;
            var top = grid.Means.AsSpan(r0 * columns * 3, columns * 3);
            var bottom = grid.Means.AsSpan(r1 * columns * 3, columns * 3);
            for (int i = 0; i < columns * 3; i++) mix[i] = top[i] + (bottom[i] - top[i]) * ty;
            mix.Slice((columns - 1) * 3, 3).CopyTo(mix[(columns * 3)..]);
            int row = y * frame.Stride, pixel = y * frame.Width;
            for (int x = x0; x < x1; x++)
            {
                if (!painted.Claim(pixel + x)) continue;
                int c = leftCell[x - left], p = row + x * 3;
                float t = weight[x - left];
                // Means lie in 0..255 (clamped after the noise), so their blend does too: round by adding a half.
                data[p] = (byte)(mix[c] + (mix[c + 3] - mix[c]) * t + 0.5f);
                data[p + 1] = (byte)(mix[c + 1] + (mix[c + 4] - mix[c + 1]) * t + 0.5f);
                data[p + 2] = (byte)(mix[c + 2] + (mix[c + 5] - mix[c + 2]) * t + 0.5f);
            }
        }
    }

    private const ulong Golden = 0x9E3779B97F4A7C15;

    /// <summary>SplitMix64's finaliser: spreads every input bit over the output.</summary>
    private static ulong Mix(ulong z)
    {
        z += Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>The covered pixels of each row: a box, or the ellipse inscribed in the region.</summary>
    private readonly struct MaskRows(Box region, PixelRect rect, MaskShape shape)
    {
        public Box Region { get; } = region;
        public PixelRect Rect { get; } = rect;

        public (int X0, int X1) Span(int y)
        {
            if (shape == MaskShape.Box) return (Rect.X, Rect.Right);
            // Pixel centres (x + 0.5, y + 0.5) inside the ellipse inscribed in the region.
            float ry = Region.Height / 2, rx = Region.Width / 2;
            float dy = (y + 0.5f - Region.CenterY) / ry;
            float q = 1 - dy * dy;
            if (q < 0) return (Rect.X, Rect.X);
            float half = rx * MathF.Sqrt(q);
            int x0 = Math.Max(Rect.X, (int)MathF.Ceiling(Region.CenterX - half - 0.5f));
            int x1 = Math.Min(Rect.Right, (int)MathF.Floor(Region.CenterX + half - 0.5f) + 1);
            return (x0, Math.Max(x0, x1));
        }
    }

    /// <summary>
    /// Per channel, the sum of the frame's pixels above and left of every pixel corner, so the sum over any rectangle
    /// is four lookups. Kept as uint and left to wrap: a rectangle's sum is a difference of entries, exact modulo 2^32,
    /// and no cell holds 2^32 / 255 (16 million) pixels. Built once a frame when the regions are many.
    /// </summary>
    private sealed class SummedArea
    {
        private uint[] _table = [];
        private int _stride;

        public void Build(Frame frame)
        {
            int w = frame.Width, h = frame.Height;
            _stride = (w + 1) * 3;
            int size = _stride * (h + 1);
            if (_table.Length < size) _table = new uint[size];
            var t = _table.AsSpan(0, size);
            t[.._stride].Clear();
            var data = frame.Data;
            for (int y = 0; y < h; y++)
            {
                var above = t.Slice(y * _stride, _stride);
                var here = t.Slice((y + 1) * _stride, _stride);
                var pixels = data.Slice(y * frame.Stride, frame.Stride);
                uint b = 0, g = 0, r = 0;
                here[0] = here[1] = here[2] = 0;
                for (int x = 0, p = 0; x < w; x++, p += 3)
                {
                    unchecked
                    {
                        b += pixels[p]; g += pixels[p + 1]; r += pixels[p + 2];
                        here[p + 3] = above[p + 3] + b; here[p + 4] = above[p + 4] + g; here[p + 5] = above[p + 5] + r;
                    }
                }
            }
        }

        /// <summary>Adds the channel sums of pixels [x0, x1) × [y0, y1) to <paramref name="sums"/> (B, G, R).</summary>
        public void Add(int x0, int y0, int x1, int y1, Span<long> sums)
        {
            int a = y0 * _stride + x0 * 3, b = y0 * _stride + x1 * 3, c = y1 * _stride + x0 * 3, d = y1 * _stride + x1 * 3;
            for (int ch = 0; ch < 3; ch++)
                sums[ch] += unchecked(_table[d + ch] - _table[b + ch] - _table[c + ch] + _table[a + ch]);
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

        public static CellGrid Measure(Frame frame, Box region, PixelRect rect, int cellsAcross, SummedArea? table = null)
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
            // Cell column of each pixel column of the rectangle, worked out once instead of once a pixel.
            Span<int> columnOf = rect.Width <= 4096 ? stackalloc int[rect.Width] : new int[rect.Width];
            for (int x = 0; x < columnOf.Length; x++) columnOf[x] = grid.CellColumn(rect.X + x);
            if (table is not null)
            {
                // Cells are runs of whole pixel columns and rows (cell indices never decrease along a row): each
                // cell's sums are four table lookups, the same sums as adding its pixels.
                Span<int> rowOf = rect.Height <= 4096 ? stackalloc int[rect.Height] : new int[rect.Height];
                for (int y = 0; y < rowOf.Length; y++) rowOf[y] = grid.CellRow(rect.Y + y);
                for (int y0 = 0; y0 < rowOf.Length;)
                {
                    int y1 = y0;
                    while (y1 < rowOf.Length && rowOf[y1] == rowOf[y0]) y1++;
                    for (int x0 = 0; x0 < columnOf.Length;)
                    {
                        int x1 = x0;
                        while (x1 < columnOf.Length && columnOf[x1] == columnOf[x0]) x1++;
                        int cell = rowOf[y0] * columns + columnOf[x0];
                        table.Add(rect.X + x0, rect.Y + y0, rect.X + x1, rect.Y + y1, sums.AsSpan(cell * 3, 3));
                        counts[cell] += (x1 - x0) * (y1 - y0);
                        x0 = x1;
                    }
                    y0 = y1;
                }
            }
            else for (int y = rect.Y; y < rect.Bottom; y++)
            {
                int rowCells = grid.CellRow(y) * columns;
                var pixels = data.Slice(y * frame.Stride + rect.X * 3, rect.Width * 3);
                for (int x = 0, p = 0; x < columnOf.Length; x++, p += 3)
                {
                    int cell = rowCells + columnOf[x];
                    sums[cell * 3] += pixels[p]; sums[cell * 3 + 1] += pixels[p + 1]; sums[cell * 3 + 2] += pixels[p + 2];
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

        /// <summary>Adds noise of at most ±<paramref name="amplitude"/> to every cell and channel, drawn from a
        /// generator started at <paramref name="state"/>: the same state gives the same noise.</summary>
        public void AddNoise(ulong state, int amplitude)
        {
            if (amplitude == 0) return;
            uint span = (uint)(2 * amplitude + 1);
            for (int i = 0; i < Means.Length; i++)
            {
                state += Golden;
                Means[i] = Math.Clamp(Means[i] + (int)(Mix(state) % span) - amplitude, 0, 255);
            }
        }
    }
}
