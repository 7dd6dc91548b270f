using OpenCvSharp;
using Redactor.Onnx;
using Redactor.OpenCv;
using Xunit;
using Xunit.Abstractions;

namespace Redactor.Tests;

public class YoloFaceTests(ITestOutputHelper log)
{
    internal static string Candidate(string file) => Path.Combine(TestPaths.Models, "candidates", file);

    [Fact]
    public void Decode_places_a_cell_by_the_YOLOv5_rule_and_scores_the_geometric_mean_of_obj_and_cls()
    {
        // Stride 8, 2 rows × 3 columns. Every logit very low but anchor 1 (8×10) at row 1, column 2: x = y = w = h = 0 (σ = ½)
        // gives centre ((2·½ − ½ + 2)·8, (2·½ − ½ + 1)·8) = (20, 12) and size (2·½)²·anchor = 8×10; obj logit +20 (σ ≈ 1), cls
        // logit 0 (σ = ½), so score √½. A swapped row and column, a missing −½ or a sigmoid left out moves or drops it.
        int rows = 2, cols = 3, plane = rows * cols;
        var head = new float[3 * 16 * plane];
        Array.Fill(head, -20f);
        int cell = 1 * cols + 2, a = 1;
        foreach (int ch in new[] { 0, 1, 2, 3, 15 }) head[(a * 16 + ch) * plane + cell] = 0;
        head[(a * 16 + 4) * plane + cell] = 20;
        var boxes = new List<Rect2d>();
        var scores = new List<float>();
        YoloFaceOnnxModel.Decode(head, 8, rows, cols, YoloFaceOnnxModel.Anchors[0], 0.3f, boxes, scores);
        var box = Assert.Single(boxes);
        Assert.Equal(16, box.X, 3);
        Assert.Equal(7, box.Y, 3);
        Assert.Equal(8, box.Width, 3);
        Assert.Equal(10, box.Height, 3);
        Assert.Equal(MathF.Sqrt(0.5f), Assert.Single(scores), 3);
        // Under the threshold: nothing.
        boxes.Clear();
        scores.Clear();
        YoloFaceOnnxModel.Decode(head, 8, rows, cols, YoloFaceOnnxModel.Anchors[0], 0.75f, boxes, scores);
        Assert.Empty(boxes);
    }

    /// <summary>Faces of dlib-faces found (IoU ≥ 0.4 with the ground truth), each photo searched once at its own size.</summary>
    /// <param name="minScore">Boxes counted from this score: 0.7 for YOLOv5-face (√ of YOLOv5's usual 0.5 on obj × cls).</param>
    private double DlibRecall(IFaceModel model, float minScore, float scale = 1)
    {
        var gt = PhotoTests.ReadGt(Path.Combine(TestPaths.DlibFaces, "gt.txt"));
        int faces = 0, found = 0, boxes = 0;
        foreach (var (name, truth) in gt)
        {
            var frame = ImageFiles.Read(Path.Combine(TestPaths.DlibFaces, "images", name));
            var dets = model.Detect(frame, new PixelRect(0, 0, frame.Width, frame.Height), scale).Where(d => d.Score >= minScore).ToList();
            boxes += dets.Count;
            foreach (var t in truth)
            {
                faces++;
                if (dets.Any(d => d.Box.IoU(new Box(t.X, t.Y, t.W, t.H)) >= 0.4f)) found++;
            }
        }
        log.WriteLine($"{found}/{faces} faces found, {boxes} boxes");
        Assert.Equal(43, faces);
        // A few more boxes than annotated faces: dlib's photos have some small unannotated faces in the background.
        Assert.True(boxes <= found + 6, $"{boxes} boxes for {found} faces found");
        return (double)found / faces;
    }

    [Theory]
    [InlineData("yolov5n-face_640.onnx", true)]
    [InlineData("yolov5n-face_640.onnx", false)]
    [InlineData("yolov5n-0.5-face_640.onnx", true)]
    [InlineData("yolov5n-0.5-face_640.onnx", false)]
    public void Finds_the_dlib_faces(string file, bool wholeInputs)
    {
        // shared/README: 0.968 (n) and 0.934 (n-0.5) of masks' faces, an easier set than wider-416; dlib's 43 are easier still.
        using var model = new YoloFaceOnnxModel(Candidate(file), 0.3f, wholeInputs: wholeInputs);
        Assert.True(DlibRecall(model, 0.7f) >= 0.93, "recall under 0.93");
    }

    [Theory]
    [InlineData("yolov5n-face_640.onnx")]
    [InlineData("yolov5n-0.5-face_640.onnx")]
    public void The_graph_made_to_follow_its_input_gives_what_the_published_one_gives_at_640(string file)
    {
        // A 360x360 region scaled to exactly 640x640: one window of the declared graph, one unpadded input of the rewritten
        // one (spatial size freed, channel shuffles following the input). Same input, so the same boxes and scores.
        var path = Candidate(file);
        using var whole = new YoloFaceOnnxModel(path, 0.3f, wholeInputs: true);
        using var fixedSize = new YoloFaceOnnxModel(path, 0.3f, wholeInputs: false);
        var frame = ImageFiles.Read(Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"));
        var roi = new PixelRect(0, 0, 360, 360);
        var a = whole.Detect(frame, roi, 640f / 360).OrderBy(d => d.Box.X).ToList();
        var b = fixedSize.Detect(frame, roi, 640f / 360).OrderBy(d => d.Box.X).ToList();
        Assert.NotEmpty(b);
        Assert.Equal(b.Count, a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(a[i].Box.IoU(b[i].Box) > 0.99f, $"{a[i]} vs {b[i]}");
            Assert.Equal(b[i].Score, a[i].Score, 0.001f);
        }
    }

    [Fact]
    public void Scrfd_decode_measures_the_distances_from_the_cells_corner_in_strides()
    {
        // Stride 16, 2×3 cells; anchor 1 at row 1, column 2 (point (32, 16)) scoring 0.8 with distances 1, 0.5, 2, 1.5 strides:
        // box from (16, 8) to (64, 40). Anchor-major channels: a swapped anchor or channel order moves it.
        int rows = 2, cols = 3, plane = rows * cols, cell = 1 * cols + 2;
        var score = new float[2 * plane];
        var bbox = new float[8 * plane];
        score[plane + cell] = 0.8f;
        float[] d = [1, 0.5f, 2, 1.5f];
        for (int k = 0; k < 4; k++) bbox[(4 + k) * plane + cell] = d[k];
        var boxes = new List<Rect2d>();
        var scores = new List<float>();
        ScrfdOnnxModel.Decode(score, bbox, 16, rows, cols, 0.5f, boxes, scores);
        var box = Assert.Single(boxes);
        Assert.Equal(new Rect2d(16, 8, 48, 32), box);
        Assert.Equal(0.8f, Assert.Single(scores));
    }

    [Fact]
    public void Scrfd_finds_the_dlib_faces()
    {
        // shared/README: SCRFD-1G found 0.953 of masks' faces at one 640 input.
        using var model = new ScrfdOnnxModel(Candidate("scrfd_1g_640.onnx"), 0.3f);
        Assert.True(DlibRecall(model, 0.5f) >= 0.93, "recall under 0.93");
    }

    [Fact]
    public void A_pass_as_one_input_finds_the_faces_640_windows_find()
    {
        // A 1.6x pass (800x608): one input of the rewritten graph against the declared 640x640 windows over the same pass.
        // Every annotated face the windows find, the whole input finds (windows can cut a face, so boxes may differ a little).
        var path = Candidate("yolov5n-face_640.onnx");
        using var whole = new YoloFaceOnnxModel(path, 0.3f, wholeInputs: true);
        using var windows = new YoloFaceOnnxModel(path, 0.3f, wholeInputs: false);
        var frame = ImageFiles.Read(Path.Combine(TestPaths.DlibFaces, "images", "2007_007763.jpg"));
        var roi = new PixelRect(0, 0, frame.Width, frame.Height);
        var truth = PhotoTests.ReadGt(Path.Combine(TestPaths.DlibFaces, "gt.txt"))["2007_007763.jpg"].Select(t => new Box(t.X, t.Y, t.W, t.H)).ToList();
        var a = whole.Detect(frame, roi, 1.6f).Where(d => d.Score >= 0.7f).ToList();
        var b = windows.Detect(frame, roi, 1.6f).Where(d => d.Score >= 0.7f).ToList();
        int inWindows = truth.Count(t => b.Any(d => d.Box.IoU(t) >= 0.4f)), inWhole = truth.Count(t => a.Any(d => d.Box.IoU(t) >= 0.4f));
        Assert.Equal(truth.Count, inWindows);
        Assert.Equal(truth.Count, inWhole);
    }
}
