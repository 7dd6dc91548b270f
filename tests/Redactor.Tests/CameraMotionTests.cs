using Xunit;

namespace Redactor.Tests;

public class CameraMotionTests
{
    private static readonly Box[] Faces =
        [new(100, 80, 30, 36), new(500, 90, 40, 48), new(900, 300, 20, 24), new(300, 500, 60, 72), new(1100, 600, 36, 40), new(640, 360, 24, 28)];

    [Fact]
    public void A_pan_and_zoom_is_recovered_from_the_faces_despite_a_box_that_jumped()
    {
        var truth = new CameraStep(1.03f, -12.5f, 7f);
        var pairs = Faces.Select(b => (b, truth.Forward(b))).ToArray();
        // One face's box in the later frame is a neighbour's, 35 px off: a least-squares fit alone would lean to it.
        pairs[2].Item2 = pairs[2].Item2 with { X = pairs[2].Item2.X + 35 };
        var step = CameraMotion.Estimate(pairs)!.Value;
        Assert.Equal(truth.Scale, step.Scale, 3);
        Assert.InRange(step.Dx, truth.Dx - 0.5f, truth.Dx + 0.5f);
        Assert.InRange(step.Dy, truth.Dy - 0.5f, truth.Dy + 0.5f);
        var back = step.Backward(step.Forward(Faces[0]));
        Assert.InRange(back.X, Faces[0].X - 0.01f, Faces[0].X + 0.01f);
    }

    [Fact]
    public void Too_few_faces_give_no_estimate()
    {
        var pairs = Faces.Take(2).Select(b => (b, b with { X = b.X + 5 })).ToArray();
        Assert.Null(CameraMotion.Estimate(pairs));
        Assert.NotNull(CameraMotion.Estimate(pairs, minFaces: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CameraMotion.Estimate(pairs, minFaces: 0));
    }

    [Fact]
    public void Faces_bunched_in_one_spot_take_the_zoom_from_their_sizes()
    {
        var pairs = Enumerable.Range(0, 3).Select(i => (new Box(100 + i * 0.5f, 100, 40, 40), new Box(100 + i * 0.5f - 2, 98, 44, 44))).ToArray();
        var step = CameraMotion.Estimate(pairs)!.Value;
        Assert.Equal(1.1f, step.Scale, 3);
    }
}
