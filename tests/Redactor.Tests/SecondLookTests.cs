using Xunit;

namespace Redactor.Tests;

public class SecondLookTests
{
    /// <summary>A detector that reports fixed boxes.</summary>
    private sealed class Fixed(params Detection[] found) : IFaceDetector
    {
        public IReadOnlyList<Detection> Detect(Frame frame) => found;
        public void Dispose() { }
    }

    /// <summary>A model that finds the given faces wherever it is asked, and records what it was asked.</summary>
    private sealed class Verifier(params Detection[] faces) : IFaceModel
    {
        public List<(PixelRect Roi, float Scale)> Calls { get; } = [];

        public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale)
        {
            Calls.Add((roi, scale));
            return faces;
        }

        public void Dispose() { }
    }

    private static readonly Frame Hd = new(1280, 720);

    [Theory]
    [InlineData(0.9f, false)]   // not doubted: found again close up
    [InlineData(0.2f, true)]    // found again, but too weakly
    public void A_large_unsure_box_is_doubtful_unless_found_again_from_close_up(float againScore, bool doubtful)
    {
        var box = new Box(500, 200, 130, 160);
        var verifier = new Verifier(new Detection(box with { X = 505 }, againScore));
        var d = Assert.Single(new SecondLook(new Fixed(new Detection(box, 0.6f)), [verifier]).Detect(Hd));
        Assert.Equal(doubtful, d.Doubtful);
        Assert.Equal(!doubtful, d.Counts);
        var (roi, scale) = Assert.Single(verifier.Calls);
        // The square twice the box's longer side, scaled to the crop side.
        Assert.Equal(new PixelRect(405, 120, 320, 320), roi);
        Assert.Equal(SecondLook.CropSide / 320f, scale, 1e-5f);
    }

    [Fact]
    public void A_face_found_close_up_elsewhere_in_the_crop_does_not_confirm_the_box()
    {
        var box = new Box(500, 200, 130, 160);
        var verifier = new Verifier(new Detection(new Box(420, 130, 50, 60), 0.99f));
        Assert.True(Assert.Single(new SecondLook(new Fixed(new Detection(box, 0.6f)), [verifier]).Detect(Hd)).Doubtful);
    }

    [Theory]
    [InlineData(130, 0.85f)]   // sure
    [InlineData(110, 0.5f)]    // under a sixth of 720
    [InlineData(20, 0.3f)]     // small
    public void Sure_and_smaller_boxes_are_not_looked_at_again(float height, float score)
    {
        var verifier = new Verifier();
        var d = Assert.Single(new SecondLook(new Fixed(new Detection(new Box(100, 100, height * 0.8f, height), score)), [verifier]).Detect(Hd));
        Assert.False(d.Doubtful);
        Assert.Empty(verifier.Calls);
    }

    [Fact]
    public void Weak_detections_are_left_to_the_tracker()
    {
        var verifier = new Verifier();
        var weak = new Detection(new Box(100, 100, 130, 130), 0.15f) { Weak = true };
        Assert.False(Assert.Single(new SecondLook(new Fixed(weak), [verifier]).Detect(Hd)).Doubtful);
        Assert.Empty(verifier.Calls);
    }

    [Theory]
    [InlineData(10, 10, 0, 0)]          // top left: moved inside, not cut
    [InlineData(1200, 650, 960, 400)]   // bottom right
    public void The_crop_is_moved_inside_the_frame_at_its_full_size(float x, float y, int cropX, int cropY)
    {
        var roi = SecondLook.Crop(new Box(x, y, 100, 160), 1280, 720);
        Assert.Equal(new PixelRect(cropX, cropY, 320, 320), roi);
    }

    [Fact]
    public void A_crop_larger_than_the_frame_is_cut_to_it()
    {
        // 1200 px square: it fits across, not down.
        Assert.Equal(new PixelRect(0, 0, 1200, 720), SecondLook.Crop(new Box(300, 50, 500, 600), 1280, 720));
    }
}
