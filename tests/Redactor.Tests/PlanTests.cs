using System.Text.Json.Nodes;
using Redactor.Review;
using Xunit;

namespace Redactor.Tests;

/// <summary>The plan file: its JSON, its validation, the regions it gives, and how the first pass becomes a plan.</summary>
public class PlanTests
{
    private const string Sha = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";

    /// <summary>A video item of 100 frames of 640×360 using every field.</summary>
    internal static ReviewPlan Sample() => new()
    {
        MadeBy = "0.1.0",
        Detector = "combined",
        Items =
        [
            new PlanItem
            {
                Path = "clip.mp4",
                Kind = PlanItemKind.Video,
                Identity = new MediaIdentity(123456, Sha, 640, 360, 100),
                FrameRate = 30,
                Cuts = [40, 70],
                Tracks =
                [
                    new PlanTrack { Id = 3, Boxes = [new(12, new Box(100.5f, 80, 24, 30), 0.912f, RegionSource.Detected), new(13, new Box(101, 80, 24, 30), 0.9f, RegionSource.Interpolated)] },
                    new PlanTrack { Id = 7, Boxes = [new(12, new Box(300, 200, 40, 40), 0.5f, RegionSource.Spread), new(20, new Box(300, 200, 40, 40), 0.5f, RegionSource.Extrapolated)] },
                    new PlanTrack { Id = 9, Boxes = [new(50, new Box(10, 10, 20, 20), 0.95f, RegionSource.Detected)] },
                ],
                Uncovered = [new(40, new Box(300, 200, 14, 17), 0.31f, RegionSource.Detected)],
                Marks = [new(57, MarkKind.TrackStarts), new(90, MarkKind.FewerFaces)],
                Keep = [3],
                Remove = [7],
                Manual = [new ManualRegion { Id = 1, Start = 10, End = 90, Keys = [new(10, new Box(300, 200, 40, 50)), new(50, new Box(340, 210, 44, 52))] }],
                CoverFrames = [new(60, 65)],
            },
        ],
    };

    [Fact]
    public void A_plan_reads_back_as_written_with_boxes_as_compact_arrays()
    {
        var json = PlanJson.Serialize(Sample());
        Assert.Contains("\"format\": \"redactor-plan\"", json);
        Assert.Contains("\"version\": 1", json);
        Assert.Contains("[12,100.5,80,24,30,0.912,\"detected\"]", json);
        Assert.Contains("[13,101,80,24,30,0.9,\"interpolated\"]", json);
        Assert.Contains("[10,300,200,40,50]", json);
        Assert.Contains("[57,\"trackStarts\"]", json);
        Assert.Contains("[60,65]", json);
        Assert.Contains("\"kind\": \"video\"", json);
        Assert.Contains("\"coverFrames\"", json);
        Assert.Contains("\"sha256\": \"" + Sha + "\"", json);

        var back = PlanJson.Deserialize(json, "plan.json");
        Assert.Equal(json, PlanJson.Serialize(back));
        var item = back.Items.Single();
        Assert.Equal(new MediaIdentity(123456, Sha, 640, 360, 100), item.Identity);
        Assert.Equal(new TrackBox(12, new Box(100.5f, 80, 24, 30), 0.912f, RegionSource.Detected), item.Tracks[0].Boxes[0]);
        Assert.Equal([40L, 70L], item.Cuts);
        Assert.Equal([3], item.Keep);
        Assert.Equal([7], item.Remove);
        Assert.Equal(new KeyBox(50, new Box(340, 210, 44, 52)), item.Manual[0].Keys[1]);
        Assert.Equal(new FrameSpan(60, 65), item.CoverFrames[0]);
        Assert.Equal(new PlanMark(90, MarkKind.FewerFaces), item.Marks[1]);
    }

    [Fact]
    public void Coordinates_are_written_to_2_decimals_and_scores_to_3()
    {
        var plan = Sample();
        plan.Items[0].Tracks[0].Boxes[0] = new(12, new Box(100.456f, 80.001f, 24.125f, 1 / 3f), 0.91234f, RegionSource.Detected);
        plan.Items[0].Tracks[0].Boxes[1] = new(13, new Box(-0.004f, -2.5f, 12.3f, 0.996f), 0.0004f, RegionSource.Interpolated);
        var json = PlanJson.Serialize(plan);
        Assert.Contains("[12,100.46,80,24.12,0.33,0.912,\"detected\"]", json);
        Assert.Contains("[13,0,-2.5,12.3,1,0,\"interpolated\"]", json);
    }

    [Fact]
    public void Write_replaces_the_file_whole_and_Read_reads_it()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "plan.json");
        File.WriteAllText(path, "old");
        PlanJson.Write(Sample(), path);
        Assert.Equal(PlanJson.Serialize(Sample()), File.ReadAllText(path));
        Assert.Equal(PlanJson.Serialize(Sample()), PlanJson.Serialize(PlanJson.Read(path)));
        Assert.Single(Directory.GetFiles(dir));
        var missing = Assert.Throws<PlanException>(() => PlanJson.Read(Path.Combine(dir, "none.json")));
        Assert.Contains("none.json: no such file", missing.Message);
    }

    /// <summary>Each way a plan can be unusable, and the field its error must name.</summary>
    public static TheoryData<string, string, string> Invalid() => new()
    {
        { "keys", "items[0].manual[0].keys: a manual region needs at least one key", "" },
        { "keyOutside", "items[0].manual[0].keys[1]: frame 95 is outside the region's frames 10–90", "" },
        { "keyOrder", "items[0].manual[0].keys[1]: frame 10 is out of order", "" },
        { "startAfterEnd", "items[0].manual[0].end: the region ends (5) before it starts (10)", "" },
        { "manualPastEnd", "items[0].manual[0].end: frame 100 is past the input's last frame (99)", "" },
        { "negativeWidth", "items[0].manual[0].keys[0]: width -4 must be a finite number, 0 or more", "" },
        { "infiniteHeight", "items[0].tracks[0].boxes[1]: height ", "" },
        { "negativeFrame", "items[0].tracks[0].boxes[0]: frame -1 is negative", "" },
        { "boxPastEnd", "items[0].tracks[2].boxes[0]: frame 100 is past the input's last frame (99)", "" },
        { "boxOrder", "items[0].tracks[0].boxes[1]: frame 11 is out of order (after 12)", "" },
        { "cutOrder", "items[0].cuts[1]: frame 30 is out of order (after 40)", "" },
        { "duplicateTrack", "items[0].tracks[1].id: track 3 is listed twice", "" },
        { "keepUnknown", "items[0].keep[0]: track 4 is not in tracks", "" },
        { "removeUnknown", "items[0].remove[0]: track 8 is not in tracks", "" },
        { "keptAndRemoved", "items[0].remove[1]: track 3 is both kept and removed", "" },
        { "badSha", "items[0].identity.sha256: must be 64 lower-case hex digits", "" },
        { "upperSha", "items[0].identity.sha256: must be 64 lower-case hex digits", "" },
        { "spanPastEnd", "items[0].coverFrames[0]: frame 100 is past the input's last frame (99)", "" },
        { "spanBackwards", "items[0].coverFrames[0]: the span ends (60) before it starts (65)", "" },
        { "scoreAboveOne", "items[0].uncovered[0]: score 1.5 must be between 0 and 1", "" },
        { "markPastEnd", "items[0].marks[1]: frame 100 is past the input's last frame (99)", "" },
        { "photoFrames", "items[0].identity.frames: a photo has 1 frame, not 100", "" },
        { "zeroRate", "items[0].frameRate: a video's frame rate must be more than 0", "" },
        { "duplicateManual", "items[0].manual[1].id: manual region 1 is listed twice", "" },
        { "emptyTrack", "items[0].tracks[2].boxes: a track needs at least one box", "" },
        { "noPath", "items[0].path: missing", "" },
        { "wrongFormat", "plan.json: not a redactor plan file (its format is \"redactor-report\"", "" },
        { "noFormat", "plan.json: not a redactor plan file (no \"format\"", "" },
        { "newer", "plan.json: made by a newer redactor (plan version 2; this one reads version 1)", "" },
        { "boxShape", "items[0].tracks[0].boxes[0]: too few values: expected [frame, x, y, width, height, score, source]", "(line " },
        { "boxSource", "items[0].tracks[0].boxes[1]: source \"guessed\" is not one of detected", "(line " },
        { "keyFrameText", "items[0].manual[0].keys[0]: frame must be a whole number", "(line " },
        { "rateText", "items[0].frameRate: expected a number", "(line " },
        { "kindUnknown", "items[0].kind: expected \"video\" or \"photo\"", "(line " },
        { "misspelt", "items[0].keeps: not a field of a plan", "(line " },
        { "nullTracks", "items[0].tracks: must not be null", "(line " },
        { "syntax", "plan.json: not valid JSON:", "(line 3)" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_unusable_plan_is_refused_naming_its_field(string mutation, string expected, string alsoExpected)
    {
        var json = Mutated(mutation);
        var e = Assert.Throws<PlanException>(() => PlanJson.Deserialize(json, "plan.json"));
        Assert.StartsWith("plan.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(alsoExpected, e.Message);
    }

    [Fact]
    public void The_sample_itself_is_valid()
    {
        // So that each refusal above comes from its own mutation.
        PlanJson.Deserialize(PlanJson.Serialize(Sample()), "plan.json");
        foreach (var (mutation, _, _) in Invalid().Select(r => ((string)r[0], (string)r[1], (string)r[2])))
            Assert.NotEqual(PlanJson.Serialize(Sample()), Mutated(mutation));
    }

    private static string Mutated(string mutation)
    {
        var plan = Sample();
        var item = plan.Items[0];
        JsonNode Node() => JsonNode.Parse(PlanJson.Serialize(plan))!;
        JsonNode ItemNode(JsonNode root) => root["items"]![0]!;
        switch (mutation)
        {
            case "keys": item.Manual[0].Keys.Clear(); break;
            case "keyOutside": item.Manual[0].Keys[1] = new(95, new Box(1, 1, 1, 1)); break;
            case "keyOrder": item.Manual[0].Keys[1] = new(10, new Box(1, 1, 1, 1)); break;
            case "startAfterEnd": item.Manual[0].End = 5; item.Manual[0].Keys = [new(10, new Box(1, 1, 1, 1))]; break;
            case "manualPastEnd": item.Manual[0].End = 100; break;
            case "negativeWidth": item.Manual[0].Keys[0] = new(10, new Box(1, 1, -4, 1)); break;
            case "infiniteHeight":
            {
                var root = Node();
                ItemNode(root)["tracks"]![0]!["boxes"]![1]![4] = JsonNode.Parse("1e39");
                return root.ToJsonString();
            }
            case "negativeFrame": item.Tracks[0].Boxes[0] = item.Tracks[0].Boxes[0] with { Frame = -1 }; break;
            case "boxPastEnd": item.Tracks[2].Boxes[0] = item.Tracks[2].Boxes[0] with { Frame = 100 }; break;
            case "boxOrder": item.Tracks[0].Boxes[1] = item.Tracks[0].Boxes[1] with { Frame = 11 }; break;
            case "cutOrder": item.Cuts = [40, 30]; break;
            case "duplicateTrack": item.Tracks[1].Id = 3; item.Remove = []; break;
            case "keepUnknown": item.Keep = [4]; break;
            case "removeUnknown": item.Remove = [8]; break;
            case "keptAndRemoved": item.Remove = [7, 3]; break;
            case "badSha": item.Identity = item.Identity with { Sha256 = "ab12" }; break;
            case "upperSha": item.Identity = item.Identity with { Sha256 = Sha.ToUpperInvariant() }; break;
            case "spanPastEnd": item.CoverFrames = [new(90, 100)]; break;
            case "spanBackwards": item.CoverFrames = [new(65, 60)]; break;
            case "scoreAboveOne": item.Uncovered[0] = item.Uncovered[0] with { Score = 1.5f }; break;
            case "markPastEnd": item.Marks[1] = new(100, MarkKind.FewerFaces); break;
            case "photoFrames": item.Kind = PlanItemKind.Photo; break;
            case "zeroRate": item.FrameRate = 0; break;
            case "duplicateManual": item.Manual.Add(new ManualRegion { Id = 1, Start = 0, End = 1, Keys = [new(0, new Box(1, 1, 1, 1))] }); break;
            case "emptyTrack": item.Tracks[2].Boxes.Clear(); break;
            case "noPath": item.Path = ""; break;
            case "wrongFormat": return PlanJson.Serialize(plan).Replace("\"redactor-plan\"", "\"redactor-report\"");
            case "noFormat": return PlanJson.Serialize(plan).Replace("\"format\": \"redactor-plan\",", "");
            case "newer": return PlanJson.Serialize(plan).Replace("\"version\": 1", "\"version\": 2");
            case "boxShape": return PlanJson.Serialize(plan).Replace("[12,100.5,80,24,30,0.912,\"detected\"]", "[12,100.5,80,24]");
            case "boxSource": return PlanJson.Serialize(plan).Replace("0.9,\"interpolated\"]", "0.9,\"guessed\"]");
            case "keyFrameText": return PlanJson.Serialize(plan).Replace("[10,300,200,40,50]", "[\"10\",300,200,40,50]");
            case "rateText": return PlanJson.Serialize(plan).Replace("\"frameRate\": 30", "\"frameRate\": \"thirty\"");
            case "kindUnknown": return PlanJson.Serialize(plan).Replace("\"kind\": \"video\"", "\"kind\": \"film\"");
            case "misspelt": return PlanJson.Serialize(plan).Replace("\"keep\":", "\"keeps\":");
            case "nullTracks":
            {
                var root = Node();
                ItemNode(root)["tracks"] = null;
                return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
            }
            case "syntax": return "{\n \"format\": \"redactor-plan\",\n \"version\": 1,,\n}";
            default: throw new ArgumentException(mutation);
        }
        return PlanJson.Serialize(plan);
    }

    [Fact]
    public void Manual_keys_interpolate_linearly_and_hold_before_the_first_and_after_the_last_within_start_and_end()
    {
        var region = new ManualRegion
        {
            Id = 4, Start = 5, End = 40,
            Keys = [new(10, new Box(100, 50, 20, 30)), new(20, new Box(200, 70, 40, 10)), new(30, new Box(200, 70, 40, 10))],
        };
        Assert.Null(PlanRegions.ManualBoxAt(region, 4));
        Assert.Null(PlanRegions.ManualBoxAt(region, 41));
        Assert.Equal(new Box(100, 50, 20, 30), PlanRegions.ManualBoxAt(region, 5));
        Assert.Equal(new Box(100, 50, 20, 30), PlanRegions.ManualBoxAt(region, 10));
        Assert.Equal(new Box(110, 52, 22, 28), PlanRegions.ManualBoxAt(region, 11));
        Assert.Equal(new Box(150, 60, 30, 20), PlanRegions.ManualBoxAt(region, 15));
        Assert.Equal(new Box(200, 70, 40, 10), PlanRegions.ManualBoxAt(region, 20));
        Assert.Equal(new Box(200, 70, 40, 10), PlanRegions.ManualBoxAt(region, 25));
        Assert.Equal(new Box(200, 70, 40, 10), PlanRegions.ManualBoxAt(region, 40));

        var item = Item(frames: 50);
        item.Manual.Add(region);
        for (long f = 0; f < 50; f++)
        {
            var regions = PlanRegions.At(item, f);
            if (f < 5 || f > 40) { Assert.Empty(regions); continue; }
            var r = Assert.Single(regions);
            Assert.Equal(RegionSource.Manual, r.Source);
            Assert.Equal(PlanRegions.ManualBoxAt(region, f), r.Box);
            Assert.Equal(PlanRegions.ManualTrackId(4), r.TrackId);
        }
    }

    /// <summary>A box set on frame 5 and again on frame 20, in the next shot (cut at 12): the first shot keeps frame 5's box
    /// (the face is still there), the second has frame 20's from the cut on. Interpolated, frames 6–19 slid between the two
    /// faces, off both (found by review).</summary>
    [Fact]
    public void Manual_keys_are_never_interpolated_across_a_cut()
    {
        var a = new Box(20, 50, 60, 90);
        var b = new Box(400, 50, 60, 90);
        var region = new ManualRegion { Id = 1, Start = 5, End = 29, Keys = [new(5, a), new(20, b)] };
        var item = Item(frames: 30);
        item.Cuts = [12, 25];
        item.Manual.Add(region);
        var all = PlanRegions.All(item).ToList();
        for (long f = 5; f <= 29; f++)
        {
            var expected = f < 12 ? a : b;
            Assert.Equal(expected, PlanRegions.ManualBoxAt(region, f, item.Cuts));
            Assert.Equal(expected, Assert.Single(PlanRegions.At(item, f)).Box);
            Assert.Equal(expected, Assert.Single(all[(int)f]).Box);
        }
        // Within one shot the keys are still interpolated.
        item.Cuts = [25];
        Assert.Equal(a.Lerp(b, 7f / 15), PlanRegions.ManualBoxAt(region, 12, item.Cuts));
    }

    [Fact]
    public void Manual_and_whole_frame_ids_never_meet_a_tracks()
    {
        Assert.Equal(-1, PlanRegions.ManualTrackId(0));
        Assert.True(PlanRegions.ManualTrackId(PlanRegions.MaxManualId) > PlanRegions.WholeFrameTrackId);
        var plan = Sample();
        plan.Items[0].Manual[0].Id = PlanRegions.MaxManualId + 1;
        var e = Assert.Throws<PlanException>(() => PlanJson.Deserialize(PlanJson.Serialize(plan), "p.json"));
        Assert.Contains("items[0].manual[0].id", e.Message);
    }

    private static PlanItem Item(long frames, int width = 640, int height = 360) => new()
    {
        Path = "clip.mp4",
        Kind = PlanItemKind.Video,
        Identity = new MediaIdentity(1, Sha, width, height, frames),
        FrameRate = 30,
    };

    [Fact]
    public void Kept_and_removed_tracks_give_no_region_and_the_others_give_their_boxes()
    {
        var item = Sample().Items[0];
        item.CoverFrames.Clear();
        item.Manual.Clear();
        Assert.Empty(PlanRegions.At(item, 12));
        Assert.Empty(PlanRegions.At(item, 13));
        var r = Assert.Single(PlanRegions.At(item, 50));
        Assert.Equal(new Region(new Box(10, 10, 20, 20), 0.95f, 9, RegionSource.Detected), r);
        item.Keep.Clear();
        Assert.Equal([3], PlanRegions.At(item, 12).Select(x => x.TrackId));
        item.Remove.Clear();
        Assert.Equal([3, 7], PlanRegions.At(item, 12).Select(x => x.TrackId));
        var all = PlanRegions.All(item).ToList();
        Assert.Equal([3, 7], all[12].Select(x => x.TrackId));
        Assert.Equal(1, all.Sum(f => f.Count(x => x.TrackId == 9)));
    }

    [Fact]
    public void Whole_frame_spans_give_one_region_of_the_whole_frame_in_those_frames_only()
    {
        var item = Item(frames: 30, width: 320, height: 180);
        item.CoverFrames = [new(3, 5), new(4, 8), new(20, 20)];
        var all = PlanRegions.All(item).ToList();
        for (int f = 0; f < 30; f++)
        {
            bool covered = f is >= 3 and <= 8 or 20;
            Assert.Equal(covered ? 1 : 0, all[f].Count);
            Assert.Equal(covered ? 1 : 0, PlanRegions.At(item, f).Count);
            if (covered) Assert.Equal(new Region(new Box(0, 0, 320, 180), 1, PlanRegions.WholeFrameTrackId, RegionSource.WholeFrame), all[f][0]);
        }
    }

    [Fact]
    public void All_gives_every_frame_what_At_gives_it()
    {
        var random = new Random(5);
        var item = Item(frames: 200);
        for (int t = 0; t < 30; t++)
        {
            long start = random.Next(200), length = random.Next(1, 60);
            var boxes = new List<TrackBox>();
            for (long f = start; f < Math.Min(200, start + length); f++)
            {
                boxes.Add(new(f, new Box(random.Next(600), random.Next(300), 20, 25), 0.5f, RegionSource.Detected));
                if (random.Next(4) == 0) boxes.Add(new(f, new Box(random.Next(600), random.Next(300), 20, 25), 0.4f, RegionSource.Spread));
            }
            item.Tracks.Add(new PlanTrack { Id = t * 2, Boxes = boxes });
        }
        item.Keep = [4, 10];
        item.Remove = [6];
        for (int m = 0; m < 5; m++)
        {
            long start = random.Next(150);
            item.Manual.Add(new ManualRegion { Id = m, Start = start, End = start + 40, Keys = [new(start + 5, new Box(1, 2, 3, 4)), new(start + 30, new Box(50, 60, 70, 80))] });
        }
        item.CoverFrames = [new(100, 110), new(0, 0), new(199, 199)];
        var all = PlanRegions.All(item).ToList();
        Assert.Equal(200, all.Count);
        for (int f = 0; f < 200; f++) Assert.Equal(PlanRegions.At(item, f), all[f]);
        Assert.True(all.Sum(f => f.Count) > 500);
    }

    [Fact]
    public void A_video_plan_holds_what_the_tracker_covers_with_cuts_uncovered_weak_boxes_and_marks()
    {
        // Face A in every frame of scene 1 (0-49); face B from frame 20 to 30 (it starts and ends mid-shot); a weak box
        // far from both in frames 10-12; scene 2 (50-79) has face C.
        var frames = new List<FrameDetections>();
        for (int i = 0; i < 80; i++)
        {
            var found = new List<Detection>();
            if (i < 50) found.Add(new Detection(new Box(100 + i, 100, 40, 48), 0.9f));
            if (i is >= 20 and <= 30) found.Add(new Detection(new Box(400, 200, 40, 48), 0.9f));
            if (i is >= 10 and <= 12) found.Add(new Detection(new Box(500, 20, 12, 14), 0.12f) { Weak = true });
            if (i >= 50) found.Add(new Detection(new Box(200, 150, 50, 60), 0.8f));
            frames.Add(new FrameDetections(i, i / 30.0, found, CutBefore: i == 50));
        }
        var options = new TrackerOptions(holdFrames: 0, weakHoldFrames: 0, spreadFrames: 0);
        var expected = new Tracker(options).Track(frames).ToList();
        var item = PlanBuilder.Video("clip.mp4", new MediaIdentity(1, Sha, 640, 360, 80), 30, frames, new Tracker(options));

        Assert.Equal([50L], item.Cuts);
        Assert.Equal(3, item.Tracks.Count);
        Assert.Equal(item.Tracks.Select(t => t.Id).Order(), item.Tracks.Select(t => t.Id));
        // Rendered unchanged, the plan covers what the tracker covers.
        var fromPlan = PlanRegions.All(item).ToList();
        for (int f = 0; f < 80; f++) Assert.Equal(expected[f].OrderBy(r => r.TrackId), fromPlan[f].OrderBy(r => r.TrackId));
        Assert.Equal([10L, 11L, 12L], item.Uncovered.Select(u => u.Frame));
        Assert.All(item.Uncovered, u => Assert.Equal(new Box(500, 20, 12, 14), u.Box));
        // Marks: the weak box (once for its run of three frames), B's start and end, one face fewer after B ends; not A's
        // start at frame 0 or its end just before the cut, nor C's.
        Assert.Equal(
            [new(10, MarkKind.Uncovered), new(20, MarkKind.TrackStarts), new(30, MarkKind.TrackEnds), new(31, MarkKind.FewerFaces)],
            item.Marks);
        PlanJson.Deserialize(PlanJson.Serialize(new ReviewPlan { Items = [item] }), "built.json");
    }

    [Fact]
    public void Without_tracking_each_region_is_a_track_of_its_own()
    {
        var frames = Enumerable.Range(0, 5).Select(i => new FrameDetections(i, i / 30.0,
            [new Detection(new Box(10, 10, 20, 20), 0.9f), new Detection(new Box(100, 10, 20, 20), 0.9f), new Detection(new Box(200, 10, 20, 20), 0.12f) { Weak = true }], false)).ToList();
        var item = PlanBuilder.Video("c.mp4", new MediaIdentity(1, Sha, 320, 180, 5), 25, frames, new NoTracker());
        Assert.Equal(10, item.Tracks.Count);
        Assert.Equal(10, item.Tracks.Select(t => t.Id).Distinct().Count());
        Assert.All(item.Tracks, t => Assert.Single(t.Boxes));
        Assert.Equal(5, item.Uncovered.Count);
        Assert.Equal([new PlanMark(0, MarkKind.Uncovered)], item.Marks);
    }

    [Fact]
    public void Marks_of_one_kind_in_a_run_are_one_mark()
    {
        var marks = PlanBuilder.Merge([new(0, MarkKind.Uncovered), new(4, MarkKind.Uncovered), new(9, MarkKind.Uncovered), new(15, MarkKind.Uncovered),
            new(3, MarkKind.FewerFaces), new(3, MarkKind.TrackEnds)]);
        Assert.Equal([new(0, MarkKind.Uncovered), new(3, MarkKind.TrackEnds), new(3, MarkKind.FewerFaces), new(15, MarkKind.Uncovered)], marks);
    }

    [Fact]
    public void A_photo_plan_has_one_box_tracks_of_the_faces_and_the_weak_ones_uncovered()
    {
        var item = PlanBuilder.Photo("a/b.jpg", new MediaIdentity(10, Sha, 400, 300, 1),
        [
            new Detection(new Box(10, 10, 50, 60), 0.9f),
            new Detection(new Box(200, 10, 30, 30), 0.15f) { Weak = true },
            new Detection(new Box(20, 20, 20, 20), 0.15f) { Weak = true }, // inside the first face
            new Detection(new Box(100, 100, 120, 120), 0.5f) { Doubtful = true },
            new Detection(new Box(300, 200, 40, 40), 0.7f),
        ]);
        Assert.Equal(PlanItemKind.Photo, item.Kind);
        Assert.Equal([1, 2], item.Tracks.Select(t => t.Id));
        Assert.Equal(new Box(300, 200, 40, 40), item.Tracks[1].Boxes.Single().Box);
        Assert.Equal([new Box(200, 10, 30, 30), new Box(100, 100, 120, 120)], item.Uncovered.Select(u => u.Box));
        Assert.Equal([new PlanMark(0, MarkKind.Uncovered)], item.Marks);
        PlanJson.Deserialize(PlanJson.Serialize(new ReviewPlan { Items = [item] }), "photo.json");
    }

    [Fact]
    public void A_files_identity_is_its_length_and_sha256()
    {
        var id = PlanBuilder.Identify(TestPaths.Panzoom720, 1280, 720, 600);
        Assert.Equal(new FileInfo(TestPaths.Panzoom720).Length, id.Bytes);
        Assert.Equal(ModelStore.Sha256Of(TestPaths.Panzoom720), id.Sha256);
        Assert.Equal((1280, 720, 600L), (id.Width, id.Height, id.Frames));
    }

    [Fact]
    public void The_summary_names_each_decision_with_its_frames_and_times()
    {
        var item = Sample().Items[0];
        Assert.Equal(
        [
            "kept visible by consent: track 3, frames 12–13 (0:00.40–0:00.43)",
            "removed as not a face: track 7, frames 12–20 (0:00.40–0:00.67)",
            "covered as drawn by hand: region 1, frames 10–90 (0:00.33–0:03.00)",
            "covered whole: frames 60–65 (0:02.00–0:02.17)",
        ], PlanSummary.Lines(item));
        Assert.Equal("1:02:03.40", PlanSummary.Time(3723.4));
        Assert.Equal("0:11.33", PlanSummary.Time(340 / 30.0));
    }
}
