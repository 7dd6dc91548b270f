using Redactor.Cli;
using Xunit;

namespace Redactor.Tests;

public class TurnedSearchTests
{
    /// <summary>Finds the bright block in a dark picture, but only when the block stands taller than wide, as a face
    /// model finds faces only upright.</summary>
    private sealed class TallBlockFinder : IFaceDetector
    {
        public List<(int W, int H)> Seen { get; } = [];

        public IReadOnlyList<Detection> Detect(Frame frame)
        {
            Seen.Add((frame.Width, frame.Height));
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            for (int y = 0; y < frame.Height; y++)
                for (int x = 0; x < frame.Width; x++)
                    if (frame.Pixels[(y * frame.Width + x) * 3 + 1] > 128)
                        (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
            if (x1 < 0 || x1 - x0 >= y1 - y0) return [];
            return [new Detection(new Box(x0, y0, x1 - x0 + 1, y1 - y0 + 1), 0.9f)];
        }

        public void Dispose() { }
    }

    private static Frame Picture(int width, int height, int bx, int by, int bw, int bh)
    {
        var frame = new Frame(width, height);
        for (int y = by; y < by + bh; y++)
            for (int x = bx; x < bx + bw; x++)
                frame.Pixels[(y * width + x) * 3 + 1] = 255;
        return frame;
    }

    [Fact]
    public void A_face_lying_on_its_side_is_found_where_it_lies()
    {
        // A "face" 30 wide and 12 tall at (50, 20) in a 97 x 41 picture: upright it is lying down, unseen.
        var finder = new TallBlockFinder();
        var picture = Picture(97, 41, 50, 20, 30, 12);
        Assert.Empty(finder.Detect(picture));

        var found = Assert.Single(new TurnedSearch(finder).Detect(picture));
        Assert.Equal(new Box(50, 20, 30, 12), found.Box);
        Assert.Equal(new[] { (97, 41), (97, 41), (41, 97), (97, 41), (41, 97) }, finder.Seen);
    }

    [Fact]
    public void An_upright_face_found_in_several_turns_is_one_box()
    {
        var picture = Picture(64, 48, 10, 5, 8, 20);
        var found = Assert.Single(new TurnedSearch(new TallBlockFinder()).Detect(picture));
        Assert.Equal(new Box(10, 5, 8, 20), found.Box);
    }

    /// <summary>Gives fixed boxes on its n-th call.</summary>
    private sealed class Scripted(params Detection[][] calls) : IFaceDetector
    {
        private int _call;
        public IReadOnlyList<Detection> Detect(Frame frame) => _call < calls.Length ? calls[_call++] : [];
        public void Dispose() { }
    }

    [Fact]
    public void A_face_counted_in_one_turn_stays_counted_when_another_turn_doubts_it_with_a_higher_score()
    {
        // A square picture, the box in its middle: upside down it is the same box. The upright search counts it at 0.5;
        // the upside-down search's second look doubts it at 0.7. A photo covers boxes that count only.
        var box = new Box(10, 10, 20, 20);
        var inner = new Scripted([new Detection(box, 0.5f)], [], [new Detection(box, 0.7f) { Doubtful = true }], []);
        var found = Assert.Single(new TurnedSearch(inner).Detect(new Frame(40, 40)));
        Assert.True(found.Counts);
        Assert.Equal(box, found.Box);
    }

    [Fact]
    public void Turned_search_runs_one_detection_worker_to_stay_within_a_gibibyte()
    {
        // Each worker keeps buffers for the picture both ways round: two took a 1080p video to 1.43 GiB.
        using var turned = new Engine(new RedactOptions { Turned = true });
        using var plain = new Engine(new RedactOptions());
        Assert.Equal(1, turned.Workers);
        Assert.Equal(Math.Min(Environment.ProcessorCount, 2), plain.Workers);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Turning_moves_every_pixel_and_a_box_comes_back_to_where_it_was(int quarters)
    {
        const int w = 7, h = 5;
        var frame = new Frame(w, h);
        for (int i = 0; i < w * h; i++) frame.Pixels[3 * i] = (byte)i;
        var turned = TurnedSearch.Turn(frame, quarters);
        Assert.Equal(quarters % 2 == 1 ? (h, w) : (w, h), (turned.Width, turned.Height));
        // The pixel at (x, y) turned clockwise: one quarter puts the top-left corner at the top right.
        var (cx, cy) = quarters switch { 1 => (h - 1, 0), 2 => (w - 1, h - 1), _ => (0, w - 1) };
        Assert.Equal(0, turned.Pixels[3 * (cy * turned.Width + cx)]);
        Assert.Equal(Enumerable.Range(0, w * h).Select(i => (byte)i).Order(), Enumerable.Range(0, w * h).Select(i => turned.Pixels[3 * i]).Order());

        // The one-pixel box of pixel (2, 1), found in the turned picture, comes back to (2, 1).
        int source = 1 * w + 2;
        int at = Enumerable.Range(0, w * h).Single(i => turned.Pixels[3 * i] == source);
        var back = TurnedSearch.Back(new Box(at % turned.Width, at / turned.Width, 1, 1), quarters, w, h);
        Assert.Equal(new Box(2, 1, 1, 1), back);
    }
}
