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
    public void Faces_bunched_in_one_spot_give_a_pan_and_no_zoom()
    {
        // Three faces within a few pixels of each other, their boxes jittering: positions this close cannot tell a zoom
        // from jitter, and a zoom read from them would be multiplied far from them.
        var pairs = new[]
        {
            (new Box(100, 100, 14, 14), new Box(98.5f, 98, 14, 14)), (new Box(110, 104, 14, 14), new Box(108, 101, 14, 14)),
            (new Box(104, 112, 14, 14), new Box(102, 110.5f, 14, 14)),
        };
        var step = CameraMotion.Estimate(pairs)!.Value;
        Assert.Equal(1f, step.Scale);
        Assert.InRange(step.Dx, -2.5f, -1.5f);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Among_few_faces_one_that_moved_on_its_own_is_left_out(int still)
    {
        // A still camera, a few faces standing and one walking (or one box that jumped to a neighbour): a least-squares
        // fit of so few would call the walk a pan.
        var pairs = Faces.Take(still).Select(b => (b, b)).Append((Faces[5], Faces[5] with { X = Faces[5].X + 40 })).ToArray();
        var step = CameraMotion.Estimate(pairs)!.Value;
        Assert.Equal(CameraStep.Identity, step);
    }

    [Fact]
    public void No_estimate_from_a_fit_that_is_no_camera_move()
    {
        var zoomed = new CameraStep(1.3f, 0, 0);
        Assert.Null(CameraMotion.Estimate(Faces.Select(b => (b, zoomed.Forward(b))).ToArray()));
        var broken = Faces.Select(b => (b, b)).ToArray();
        broken[0].Item2 = broken[0].Item2 with { X = float.NaN };
        Assert.Null(CameraMotion.Estimate(broken));
        // Faces that each go their own way: no three follow one move.
        var scattered = Faces.Take(4).Select((b, i) => (b, b with { X = b.X + 30 * i, Y = b.Y - 25 * i * i })).ToArray();
        Assert.Null(CameraMotion.Estimate(scattered));
    }
}
