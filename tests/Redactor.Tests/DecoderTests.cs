using Redactor.Onnx;
using Redactor.OpenCv;
using Xunit;

namespace Redactor.Tests;

public class DecoderTests
{
    [Fact]
    public void RetinaFace_decodes_a_zero_offset_as_its_prior_box_and_applies_the_variances()
    {
        int n = RetinaFaceModel.PriorCount;
        Assert.Equal(16800, n);
        var loc = new float[n * 4];
        var conf = new float[n * 2];
        // Prior 0: stride 8, cell (0,0), min size 16 → centre (4,4), 16×16.
        conf[1] = 0.9f;
        // Prior 1: same cell, min size 32; shifted by one prior width to the right (0.1 variance) and twice as wide.
        conf[3] = 0.8f;
        loc[4] = 10f;
        loc[6] = MathF.Log(2) / 0.2f;
        var found = RetinaFaceModel.Decode(loc, conf, 0.5f);
        Assert.Equal(2, found.Count);
        Assert.Equal(new Box(-4, -4, 16, 16), Round(found[0].Box));
        Assert.Equal(Box.FromCenter(4 + 32, 4, 64, 32), Round(found[1].Box));
        Assert.Equal(0.8f, found[1].Score);
    }

    [Fact]
    public void UltraFace_decodes_corners_in_window_fractions_and_drops_low_scores()
    {
        // Three anchors: a face at (64,48)-(128,144) of the 640×480 window, one below the threshold, one degenerate.
        float[] scores = [0.1f, 0.9f, 0.7f, 0.3f, 0.05f, 0.95f];
        float[] boxes = [0.1f, 0.1f, 0.2f, 0.3f, 0.5f, 0.5f, 0.6f, 0.6f, 0.4f, 0.4f, 0.3f, 0.5f];
        var found = UltraFaceModel.Decode(scores, boxes, 0.5f);
        var face = Assert.Single(found);
        Assert.Equal(new Box(64, 48, 64, 96), Round(face.Box));
        Assert.Equal(0.9f, face.Score);
    }

    [Theory]
    [InlineData("2008_001009.jpg", 1f)]
    [InlineData("2008_001009.jpg", 1.7f)]   // pads to a multiple of 32 differently
    [InlineData("2007_007763.jpg", 0.5f)]
    public void YuNet_through_ONNX_Runtime_finds_what_OpenCV_finds(string photo, float scale)
    {
        // The same weights run by two runtimes, decoded by our code and by FaceDetectorYN: same faces, same boxes.
        var path = Path.Combine(TestPaths.Models, ModelStore.Find("yunet").FileName);
        using var ort = new YuNetOnnxModel(path, 0.3f);
        using var cv = new YuNetModel(path, 0.3f);
        AssertSameFaces(ort, cv, photo, scale);
    }

    /// <summary>Both runtimes find the same faces on a dlib-faces photo: as many, boxes overlapping by IoU over
    /// 0.97, scores within 0.01.</summary>
    private static void AssertSameFaces(IFaceModel ort, IFaceModel cv, string photo, float scale, PixelRect? region = null)
    {
        var frame = ImageFiles.Read(Path.Combine(TestPaths.DlibFaces, "images", photo));
        var roi = region ?? new PixelRect(0, 0, frame.Width, frame.Height);
        var a = ort.Detect(frame, roi, scale).OrderBy(d => d.Box.X).ToList();
        var b = cv.Detect(frame, roi, scale).OrderBy(d => d.Box.X).ToList();
        Assert.NotEmpty(b);
        Assert.Equal(b.Count, a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(a[i].Box.IoU(b[i].Box) > 0.97f, $"{a[i]} vs {b[i]}");
            Assert.Equal(b[i].Score, a[i].Score, 0.01f);
        }
    }

    [Theory]
    [InlineData("2008_001009.jpg")]
    [InlineData("2007_007763.jpg")]
    public void RetinaFace_through_ONNX_Runtime_finds_what_OpenCV_finds_on_a_640_input(string photo)
    {
        // A 360x360 region scaled to exactly 640x640: the published graph's own size, one window for OpenCV and one unpadded
        // input for ONNX Runtime, so the graph made to follow its input must give what the published one gives.
        var path = Path.Combine(TestPaths.Models, ModelStore.Find("retinaface").FileName);
        using var ort = new RetinaFaceOnnxModel(path, 0.3f);
        using var cv = new RetinaFaceModel(path, 0.3f);
        AssertSameFaces(ort, cv, photo, 640f / 360, new PixelRect(0, 0, 360, 360));
    }

    [Theory]
    [InlineData(1.6f)]   // 800x600, one input for ONNX Runtime; OpenCV's windows: 2x1
    [InlineData(2.9f)]   // 1450x1088, over RetinaFaceOnnxModel.MaxWholePixels: 3x2 windows for both
    public void RetinaFace_through_ONNX_Runtime_finds_every_face_OpenCV_finds_over_windows(float scale)
    {
        var path = Path.Combine(TestPaths.Models, ModelStore.Find("retinaface").FileName);
        using var ort = new RetinaFaceOnnxModel(path, 0.3f);
        using var cv = new RetinaFaceModel(path, 0.3f);
        var frame = ImageFiles.Read(Path.Combine(TestPaths.DlibFaces, "images", "2007_007763.jpg"));
        var roi = new PixelRect(0, 0, frame.Width, frame.Height);
        var whole = ort.Detect(frame, roi, scale);
        var windows = cv.Detect(frame, roi, scale).Where(d => d.Score >= 0.5f).ToList();
        Assert.True(windows.Count >= 7, $"{windows.Count} faces over windows");
        Assert.All(windows, w => Assert.Contains(whole, d => d.Box.IoU(w.Box) > 0.7f && d.Score >= 0.5f));
    }

    [Fact]
    public void RetinaFace_priors_for_a_non_square_input_run_level_row_column_anchor()
    {
        // 800×608, a padded input that is not square: 19 rows at stride 32, so a swapped width and height
        // or a floor instead of a ceiling changes the count and moves the last centre.
        var p = RetinaFaceModel.BuildPriors(800, 608);
        int level8 = 76 * 100 * 2, level16 = 38 * 50 * 2, level32 = 19 * 25 * 2;
        Assert.Equal((level8 + level16 + level32) * 4, p.Length);
        float[] At(int i) => p[(i * 4)..(i * 4 + 4)];
        Assert.Equal([4f, 4f, 16f, 16f], At(0));
        Assert.Equal([4f, 4f, 32f, 32f], At(1));
        Assert.Equal([12f, 4f, 16f, 16f], At(2)); // the next column, not the next row
        Assert.Equal([796f, 604f, 32f, 32f], At(level8 - 1));
        Assert.Equal([8f, 8f, 64f, 64f], At(level8));
        Assert.Equal([792f, 600f, 128f, 128f], At(level8 + level16 - 1));
        Assert.Equal([16f, 16f, 256f, 256f], At(level8 + level16));
        Assert.Equal([784f, 592f, 512f, 512f], At(level8 + level16 + level32 - 1));
    }

    [Fact]
    public void A_graph_without_an_upsampling_to_match_is_refused()
    {
        // YuNet's Resize nodes are added to other tensors too, but they take scales, not sizes (three inputs): the patch
        // meant for RetinaFace's FPN, whose Resize takes a traced size, must not pass silently.
        var yunet = File.ReadAllBytes(Path.Combine(TestPaths.Models, ModelStore.Find("yunet").FileName));
        var e = Assert.Throws<InvalidDataException>(() => OnnxShapes.UpsampleToMatch(OnnxShapes.FreeSpatialSize(yunet)));
        Assert.Contains("Resize", e.Message);
    }

    [Fact]
    public void A_model_file_that_is_not_ONNX_is_refused_with_a_message()
    {
        var bad = Path.Combine(TestPaths.NewTempDir(), "bad.onnx");
        File.WriteAllBytes(bad, [0x0f, 0xff, 0xff, 0xff]);
        var e = Assert.ThrowsAny<Exception>(() => new YuNetOnnxModel(bad, 0.5f));
        Assert.Contains("ONNX", e.Message);
    }

    private static Box Round(Box b) => new(MathF.Round(b.X, 3), MathF.Round(b.Y, 3), MathF.Round(b.Width, 3), MathF.Round(b.Height, 3));

    [Theory]
    [InlineData("yunet")]
    [InlineData("yunet-n")]
    [InlineData("yunet-opencv")]
    [InlineData("retinaface")]
    [InlineData("retinaface-opencv")]
    [InlineData("ultraface")]
    public void Each_detector_finds_the_two_faces_of_a_known_photo(string name)
    {
        var path = Path.Combine(TestPaths.Models, ModelStore.Find(name.Replace("-opencv", "")).FileName);
        using IFaceModel model = name switch
        {
            "retinaface" => new RetinaFaceOnnxModel(path, 0.5f),
            "retinaface-opencv" => new RetinaFaceModel(path, 0.5f),
            "ultraface" => new UltraFaceModel(path, 0.5f),
            "yunet-opencv" => new YuNetModel(path, 0.5f),
            _ => new YuNetOnnxModel(path, 0.5f),
        };
        var frame = ImageFiles.Read(Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"));
        var faces = BoxMerger.Merge(model.Detect(frame, new PixelRect(0, 0, frame.Width, frame.Height), 1f));
        // Ground truth of dlib-faces: (145, 79, 76, 76) and (125, 214, 90, 91).
        var truth = new[] { new Box(145, 79, 76, 76), new Box(125, 214, 90, 91) };
        Assert.Equal(2, faces.Count);
        Assert.All(truth, t => Assert.Contains(faces, f => f.Box.IoU(t) > 0.4f));
    }
}
