using Xunit;

namespace Redactor.Tests;

public class DetectionLogicTests
{
    [Fact]
    public void Cover_clips_to_the_frame_and_reaches_the_last_row_and_column()
    {
        var r = PixelRect.Cover(new Box(90.2f, 40.5f, 20, 20), 100, 50);
        Assert.Equal(new PixelRect(90, 40, 10, 10), r);
        Assert.True(PixelRect.Cover(new Box(-30, -30, 10, 10), 100, 50).IsEmpty);
    }

    [Fact]
    public void Planner_searches_a_small_photo_upscaled_and_at_full_size()
    {
        var passes = new ScalePlanner(minFace: 10).Plan(416, 416);
        Assert.Contains(passes, p => p.Scale > 1.4f && p.Roi == new PixelRect(0, 0, 416, 416));
        Assert.Contains(passes, p => p.Scale == 1f && p.Roi == new PixelRect(0, 0, 416, 416));
        Assert.DoesNotContain(passes, p => p.Scale < 1f);
    }

    [Fact]
    public void Planner_adds_a_downscaled_pass_for_close_ups_in_hd()
    {
        var passes = new ScalePlanner().Plan(1280, 720);
        Assert.Contains(passes, p => p.Scale == 0.5f && p.Roi.Width == 1280);
        Assert.Contains(passes, p => p.Scale == 1f);
    }

    [Fact]
    public void Planner_adds_a_second_look_at_two_thirds_when_1080p_is_too_large_to_upscale()
    {
        var hd = new ScalePlanner().Plan(1920, 1080);
        Assert.DoesNotContain(hd, p => p.Scale > 1f);
        Assert.Contains(hd, p => Math.Abs(p.Scale - 2f / 3) < 1e-6);
        Assert.Contains(hd, p => p.Scale == 1f);
        // 720p has its upscaled pass and needs no extra one.
        Assert.DoesNotContain(new ScalePlanner().Plan(1280, 720), p => p.Scale > 0.5f && p.Scale < 1f);
    }

    [Theory]
    [InlineData(1280, 720, 0.875f)]
    [InlineData(1920, 1080, 1120f / 1920)]
    [InlineData(1080, 1920, 1120f / 1920)]   // portrait: the long side is the height
    [InlineData(3840, 2160, 1120f / 3840)]
    [InlineData(1448, 1035, 640f / 1035)]    // the short side binds
    [InlineData(416, 416, 640f / 416)]       // small photo: enlarged to fill one window
    [InlineData(300, 200, 1.6f)]             // but no more than the cap
    public void Fitted_plan_is_one_whole_frame_pass_at_the_scale_that_fits(int width, int height, float scale)
    {
        var pass = Assert.Single(new FittedPlan(1120, 640, maxScale: 1.6f).Plan(width, height));
        Assert.Equal(new PixelRect(0, 0, width, height), pass.Roi);
        Assert.Equal(scale, pass.Scale, 1e-4f);
        Assert.True(float.IsPositiveInfinity(pass.MaxFace));
    }

    [Fact]
    public void Fitted_plan_for_retinaface_costs_at_most_one_1120x640_input_at_any_frame_size()
    {
        // The default detector's RetinaFace pass: one input, padded to a multiple of 32 as RetinaFaceOnnxModel pads it, never
        // larger than the two 640 windows it replaced spanned (1120x640), whatever the frame.
        const int side = Redactor.Onnx.RetinaFaceOnnxModel.Side, longSide = Redactor.Onnx.RetinaFaceOnnxModel.TwoWindowsLongSide;
        Assert.Equal(1120, longSide);
        var plan = new FittedPlan(longSide, side, maxScale: 1.6f);
        static int Padded(int n) => (n + 31) / 32 * 32;
        for (int width = 16; width <= 8000; width += 97)
            for (int height = 16; height <= 8000; height += 131)
            {
                var pass = Assert.Single(plan.Plan(width, height));
                int w = Padded(Math.Max(1, (int)Math.Round(width * pass.Scale))), h = Padded(Math.Max(1, (int)Math.Round(height * pass.Scale)));
                Assert.True(Math.Max(w, h) <= longSide && Math.Min(w, h) <= side, $"{width}x{height} at {pass.Scale}: {w}x{h}");
            }
    }

    [Fact]
    public void Fitted_plan_rejects_sides_that_cannot_be_searched()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FittedPlan(640, 1120, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FittedPlan(1120, 8, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FittedPlan(1120, 640, 0f));
    }

    [Fact]
    public void Only_the_coarsest_pass_may_report_faces_larger_than_the_model_knows()
    {
        var passes = new ScalePlanner().Plan(1280, 720);
        Assert.Single(passes, p => float.IsPositiveInfinity(p.MaxFace));
        Assert.True(float.IsPositiveInfinity(passes.MinBy(p => p.Scale).MaxFace));
        Assert.All(passes.Where(p => p.Scale == 1f), p => Assert.InRange(p.MaxFace, ScalePlanner.ModelMaxFace, ScalePlanner.ModelMaxFace * 1.3f));
    }

    [Theory]
    [InlineData(1280, 720)]   // the 1.6x pass is 2048x1152
    [InlineData(1920, 1080)]
    [InlineData(1448, 1035)]
    public void Planner_searches_a_frame_whole_at_every_scale_while_it_fits_the_budget(int width, int height)
    {
        var planner = new ScalePlanner();
        var passes = planner.Plan(width, height);
        Assert.All(passes, p => Assert.Equal(new PixelRect(0, 0, width, height), p.Roi));
        Assert.All(passes, p => Assert.True(width * height * p.Scale * p.Scale <= planner.UpscaleBudgetPixels));
        Assert.Equal(passes.Count, passes.Select(p => p.Scale).Distinct().Count());
    }

    [Fact]
    public void Planner_tiles_a_panorama_within_the_pixel_budget_by_its_long_side()
    {
        var full = new ScalePlanner().Plan(8000, 250).Where(p => p.Scale == 1f).ToList();
        Assert.True(full.Count > 1, $"{full.Count} tiles");
        Assert.All(full, p => Assert.True(p.Roi.Width <= 1280));
    }

    [Fact]
    public void Planner_tiles_4k_at_full_resolution_with_overlap_covering_every_pixel()
    {
        var planner = new ScalePlanner(tileSize: 1280);
        var full = planner.Plan(3840, 2160).Where(p => p.Scale == 1f).ToList();
        Assert.True(full.Count >= 6, $"{full.Count} tiles");
        Assert.All(full, p => Assert.True(p.Roi.Width <= 1280 && p.Roi.Height <= 1280));
        // Every face up to the model's largest size lies wholly inside at least one tile.
        for (int y = 0; y + 280 <= 2160; y += 97)
            for (int x = 0; x + 280 <= 3840; x += 101)
                Assert.Contains(full, p => p.Roi.X <= x && p.Roi.Y <= y && p.Roi.Right >= x + 280 && p.Roi.Bottom >= y + 280);
    }

    [Fact]
    public void Merge_turns_overlapping_duplicates_into_one_region_and_keeps_the_best_score()
    {
        var merged = BoxMerger.Merge(
        [
            new Detection(new Box(100, 100, 50, 60), 0.7f),
            new Detection(new Box(103, 98, 52, 61), 0.9f),
            new Detection(new Box(100, 100, 50, 40), 0.6f), // a tile cut the face: mostly inside the kept box
        ]);
        var only = Assert.Single(merged);
        Assert.Equal(0.9f, only.Score);
    }

    [Fact]
    public void Merge_keeps_a_small_face_next_to_a_large_one()
    {
        var merged = BoxMerger.Merge(
        [
            new Detection(new Box(100, 100, 200, 220), 0.95f),
            new Detection(new Box(290, 120, 24, 28), 0.6f),
            new Detection(new Box(150, 150, 20, 22), 0.55f), // a face in the crowd behind, inside the large box
        ]);
        Assert.Equal(3, merged.Count);
    }

    private sealed class FakeModel : IFaceModel
    {
        public List<DetectionPass> Calls { get; } = [];

        public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale)
        {
            Calls.Add(new DetectionPass(roi, scale));
            // The same face seen by every pass.
            return [new Detection(new Box(50, 50, 30, 36), 0.8f + 0.01f * Calls.Count)];
        }

        public void Dispose() { }
    }

    [Fact]
    public void Multi_scale_detector_runs_every_planned_pass_and_merges_to_one_face()
    {
        var model = new FakeModel();
        var planner = new ScalePlanner();
        var detector = new MultiScaleDetector(model, planner);
        var faces = detector.Detect(new Frame(1280, 720));
        Assert.Equal(planner.Plan(1280, 720).Select(p => (p.Roi, p.Scale)), model.Calls.Select(p => (p.Roi, p.Scale)));
        Assert.Single(faces);
    }

    [Theory]
    [InlineData(12f, 0.25f, true)]   // small face, low score: redacted
    [InlineData(12f, 0.15f, false)]  // below the threshold
    [InlineData(60f, 0.3f, false)]   // large box, low score: texture, not redacted
    [InlineData(60f, 0.45f, true)]
    public void Score_policy_needs_more_confidence_for_large_boxes(float height, float score, bool accepted)
    {
        var policy = new ScorePolicy();
        Assert.Equal(accepted, policy.Accepts(new Detection(new Box(0, 0, height * 0.8f, height), score)));
    }

    [Fact]
    public void Score_policy_never_goes_below_the_users_threshold()
    {
        var strict = new ScorePolicy(threshold: 0.6f);
        Assert.Equal(0.6f, strict.LargeFaceThreshold);
        Assert.False(strict.Accepts(new Detection(new Box(0, 0, 50, 60), 0.5f)));
    }

    [Fact]
    public void Multi_scale_detector_drops_what_the_score_policy_rejects()
    {
        var model = new FakeModel(); // reports a 36 px face scoring 0.81..
        var detector = new MultiScaleDetector(model, new ScalePlanner(), new ScorePolicy(threshold: 0.95f));
        Assert.Empty(detector.Detect(new Frame(640, 360)));
    }

    private sealed class ListModel(params Detection[] found) : IFaceModel
    {
        public IReadOnlyList<Detection> Detect(Frame frame, PixelRect roi, float scale) => found;
        public void Dispose() { }
    }

    private sealed class ListDetector(params Detection[] found) : IFaceDetector
    {
        public IReadOnlyList<Detection> Detect(Frame frame) => found;
        public void Dispose() { }
    }

    private static Detection Small(float x, float score, float h = 20) => new(new Box(x, 100, h * 0.8f, h), score);

    /// <summary>A network's search over a 1280×720 frame, fitted at <paramref name="scale"/>, reporting <paramref name="found"/>.</summary>
    private static MultiScaleDetector Network(float scale, ScorePolicy policy, params Detection[] found) =>
        new(new ListModel(found), new FittedPlan((int)(1280 * scale), (int)(720 * scale), 1), policy);

    [Fact]
    public void Agreement_counts_a_weak_box_another_network_found_and_demotes_a_low_box_no_other_network_found()
    {
        var policy = new ScorePolicy(weakEvidence: true);
        Detection[] first =
        [
            Small(100, 0.12f),         // weak, but the second network finds it too: counts
            Small(200, 0.22f),         // counts alone, under 1.25 × 0.2, no other network: weak
            Small(300, 0.26f),         // from 1.25 × the threshold: counts alone
            Small(400, 0.45f, 60),     // large: the policy's own rule
            Small(500, 0.15f),         // weak, alone: stays weak
        ];
        Detection[] second = [Small(102, 0.11f), Small(1000, 0.9f)];
        var frame = new Frame(1280, 720);
        Dictionary<int, Detection> Found(IFaceDetector d) => d.Detect(frame).ToDictionary(x => (int)Math.Round(x.Box.X / 100));

        using (var union = new UnionDetector([Network(1, policy, first), Network(1, policy, second)], new NetworkAgreement(policy)))
        {
            var found = Found(union);
            Assert.True(found[1].Counts);
            Assert.True(found[2].Weak);
            Assert.True(found[3].Counts);
            Assert.True(found[4].Counts);
            Assert.True(found[5].Weak);
            Assert.True(found[10].Counts);
            Assert.Equal(6, found.Count);
        }
        // The second network fitted at half size searched nothing under 32 px: its silence demotes no 20 px box.
        using (var union = new UnionDetector([Network(1, policy, first), Network(0.5f, policy, second)], new NetworkAgreement(policy)))
            Assert.True(Found(union)[2].Counts);
        // Without agreement the union only merges: the low solo box counts, the agreed weak one stays weak.
        using (var plain = new UnionDetector([Network(1, policy, first), Network(1, policy, second)]))
        {
            var merged = Found(plain);
            Assert.True(merged[1].Weak);
            Assert.True(merged[2].Counts);
        }
        // A detector that does not say which sizes it searched never demotes another's box.
        using (var unknown = new UnionDetector([Network(1, policy, first), new ListDetector(second)], new NetworkAgreement(policy)))
            Assert.True(Found(unknown)[2].Counts);
    }

    [Fact]
    public void Agreement_needs_weak_evidence_a_reachable_score_and_a_box_that_is_not_doubtful()
    {
        var all = new NetworkAgreement.Search([], 0);
        NetworkAgreement.Search Alone(Detection d) => new([d], 0);
        var agreement = new NetworkAgreement(new ScorePolicy(weakEvidence: true));
        Assert.Equal(0.25f, agreement.SoloScore, 4);
        // A small weak box whose only match is a doubtful box stays weak; one inside another network's box (IoU under
        // 0.3, but mostly within it) is the same face.
        var weak = Small(100, 0.15f) with { Weak = true };
        Assert.True(agreement.Judge([Alone(weak), Alone(Small(101, 0.9f) with { Doubtful = true })]).First().Weak);
        var inner = new Detection(new Box(100, 100, 10, 12), 0.15f) { Weak = true };
        var outer = new Detection(new Box(95, 95, 20, 21), 0.6f);
        Assert.True(inner.Box.IoU(outer.Box) < NetworkAgreement.SameFaceIoU);
        Assert.True(agreement.Judge([Alone(inner), Alone(outer)]).First().Counts);
        // The solo bar never exceeds what a large face needs: at 0.3 it is 0.375, at 0.4 and above the threshold itself.
        var at03 = new NetworkAgreement(new ScorePolicy(0.3f, weakEvidence: true));
        Assert.True(at03.Judge([Alone(Small(0, 0.35f)), all]).First().Weak);
        foreach (float t in new[] { 0.4f, 0.8f })
        {
            var strict = new NetworkAgreement(new ScorePolicy(t, weakEvidence: true));
            Assert.Equal(t, strict.SoloScore, 4);
            Assert.True(strict.Judge([Alone(Small(0, t + 0.01f)), all]).First().Counts);
            // 45 px: a large box keeps the policy's rule.
            Assert.True(strict.Judge([Alone(Small(0, t + 0.01f, 45)), all]).First().Counts);
        }
        // Without weak evidence (--no-track) nothing is demoted: no weak box could be confirmed either.
        var noTrack = new NetworkAgreement(new ScorePolicy());
        Assert.True(noTrack.Judge([Alone(Small(0, 0.21f)), all]).First().Counts);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkAgreement(new ScorePolicy(), soloFactor: 0.5f));
    }

    [Theory]
    [InlineData(20f, 0.15f, true)]   // small, from half the threshold: weak evidence
    [InlineData(20f, 0.09f, false)]  // below half the threshold
    [InlineData(20f, 0.3f, false)]   // counts on its own: not weak
    [InlineData(60f, 0.3f, false)]   // large and low: never weak
    public void Weak_evidence_is_a_small_face_scoring_from_half_the_threshold(float height, float score, bool weak)
    {
        var d = new Detection(new Box(0, 0, height * 0.8f, height), score);
        Assert.Equal(weak, new ScorePolicy(weakEvidence: true).IsWeak(d));
        Assert.False(new ScorePolicy().IsWeak(d));
        Assert.Equal(0.1f, new ScorePolicy(weakEvidence: true).ModelThreshold, 4);
        Assert.Equal(ScorePolicy.DefaultThreshold, new ScorePolicy().ModelThreshold, 4);
    }

    [Fact]
    public void Detector_flags_weak_detections_only_when_asked_and_never_lets_them_displace_a_face()
    {
        var face = new Detection(new Box(100, 100, 24, 30), 0.3f);
        var overlapping = new Detection(new Box(102, 101, 24, 30), 0.19f);  // same face, weak score
        var elsewhere = new Detection(new Box(400, 200, 20, 25), 0.12f);
        var planner = new ScalePlanner();
        var plain = new MultiScaleDetector(new ListModel(face, overlapping, elsewhere), planner).Detect(new Frame(640, 360));
        Assert.Equal([face], plain);
        var withWeak = new MultiScaleDetector(new ListModel(overlapping, elsewhere, face), planner, new ScorePolicy(weakEvidence: true)).Detect(new Frame(640, 360));
        Assert.Equal(2, withWeak.Count);
        Assert.Contains(face, withWeak);
        Assert.Contains(elsewhere with { Weak = true }, withWeak);
        // Merging puts faces that count first, whatever the scores.
        var merged = BoxMerger.Merge([new Detection(face.Box, 0.9f) { Weak = true }, face]);
        Assert.Equal([face], merged);
    }

    [Fact]
    public void Mask_covers_the_scaled_box_plus_a_margin_moved_down()
    {
        var options = new RedactionOptions(maskScale: 1.5f, maskMargin: 4f);
        var mask = options.MaskFor(new Box(100, 100, 20, 39));
        Assert.Equal(110f, mask.CenterX, 3);
        Assert.Equal(119.5f + RedactionOptions.MaskDrop * 39, mask.CenterY, 3);
        Assert.Equal(20 * 1.5f + 8, mask.Width, 3);
        Assert.Equal(39 * 1.5f + 8, mask.Height, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedactionOptions(maskMargin: -1));
    }

    [Fact]
    public void Faces_from_40_px_are_grown_a_little_more()
    {
        var options = new RedactionOptions(maskScale: 1.5f, maskMargin: 4f);
        Assert.Equal(1.05f, options.LargeFaceGrowth);
        var large = options.MaskFor(new Box(100, 100, 30, 40));
        Assert.Equal(115f, large.CenterX, 3);
        Assert.Equal(120f + RedactionOptions.MaskDrop * 40, large.CenterY, 3);
        Assert.Equal(30 * 1.5f * 1.05f + 8, large.Width, 3);
        Assert.Equal(40 * 1.5f * 1.05f + 8, large.Height, 3);
        // Off, it is the plain scale; out of range, refused.
        var plain = new RedactionOptions(maskScale: 1.5f, maskMargin: 4f, largeFaceGrowth: 1f).MaskFor(new Box(100, 100, 30, 40));
        Assert.Equal(40 * 1.5f + 8, plain.Height, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedactionOptions(largeFaceGrowth: 0.9f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedactionOptions(largeFaceGrowth: float.NaN));
    }

    [Theory]
    [InlineData(1280, 720, 1.6f)]   // the upscaled pass
    [InlineData(1920, 1080, 1f)]    // full resolution, under coarser passes
    public void The_finest_pass_can_run_on_every_kth_frame_only(int width, int height, float finest)
    {
        var model = new FakeModel();
        var planner = new ScalePlanner();
        var detector = new MultiScaleDetector(model, planner, fineEvery: 3);
        var plan = planner.Plan(width, height);
        Assert.Equal(finest, plan.Max(p => p.Scale), 3);
        int perFrame = plan.Count, cheap = plan.Count(p => p.Scale < finest - 1e-3f);
        Assert.InRange(cheap, 1, perFrame - 1);
        for (int i = 0; i < 6; i++) detector.Detect(new Frame(width, height) { Index = i });
        Assert.Equal(2 * perFrame + 4 * cheap, model.Calls.Count);
    }

    [Theory]
    [InlineData(false, 640, 360)]
    [InlineData(true, 1280, 720)]   // the RetinaFace pass of the default detector, with --fast thinning YuNet's finest pass
    public void A_plan_of_one_scale_runs_on_every_frame(bool fitted, int width, int height)
    {
        var model = new FakeModel();
        IScalePlan plan = fitted ? new FittedPlan(1120, 640, 1.6f) : new ScalePlanner(minFace: 16);
        Assert.Single(plan.Plan(width, height));
        var detector = new MultiScaleDetector(model, plan, fineEvery: 2);
        for (int i = 0; i < 4; i++) detector.Detect(new Frame(width, height) { Index = i });
        Assert.Equal(4, model.Calls.Count);
    }

    [Fact]
    public void Scene_cut_detector_fires_on_a_cut_not_on_a_small_pan()
    {
        var a = new Frame(320, 180);
        var rng = new Random(3);
        for (int y = 0; y < 180; y++)
            for (int x = 0; x < 320; x++)
            {
                int p = y * a.Stride + x * 3;
                a.Pixels[p] = a.Pixels[p + 1] = a.Pixels[p + 2] = (byte)(x * 255 / 320);
            }
        var panned = new Frame(320, 180);
        for (int y = 0; y < 180; y++)
            for (int x = 0; x < 320; x++)
            {
                int p = y * a.Stride + x * 3;
                panned.Pixels[p] = panned.Pixels[p + 1] = panned.Pixels[p + 2] = (byte)(Math.Min(319, x + 4) * 255 / 320);
            }
        var other = new Frame(320, 180);
        rng.NextBytes(other.Pixels);
        var cuts = new SceneCutDetector();
        Assert.False(cuts.IsCut(a));
        Assert.False(cuts.IsCut(panned));
        Assert.True(cuts.IsCut(other));
    }

    [Theory]
    [InlineData(7, -3)]
    [InlineData(-12, 5)]
    [InlineData(0, 0)]
    public void The_pictures_shift_between_frames_is_measured_from_its_projections(int dx, int dy)
    {
        // A textured picture (random 4 px blocks), then the same picture with its content moved by (dx, dy): a pan.
        var rng = new Random(3);
        var blocks = new byte[100, 65];
        for (int y = 0; y < 65; y++) for (int x = 0; x < 100; x++) blocks[x, y] = (byte)rng.Next(256);
        var big = new byte[400, 260];
        for (int y = 0; y < 260; y++) for (int x = 0; x < 400; x++) big[x, y] = blocks[x / 4, y / 4];
        Frame Crop(int ox, int oy)
        {
            var f = new Frame(320, 180);
            for (int y = 0; y < 180; y++)
                for (int x = 0; x < 320; x++)
                {
                    int p = y * f.Stride + x * 3;
                    f.Pixels[p] = f.Pixels[p + 1] = f.Pixels[p + 2] = big[x + ox, y + oy];
                }
            return f;
        }
        var cuts = new SceneCutDetector();
        Assert.Null(cuts.Shift(Crop(40, 40)));
        var shift = cuts.Shift(Crop(40 - dx, 40 - dy))!.Value;
        Assert.Equal((dx, dy, 160f, 90f), (shift.Dx, shift.Dy, shift.CenterX, shift.CenterY));
    }
}
