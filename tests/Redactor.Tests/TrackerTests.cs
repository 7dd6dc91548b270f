using Xunit;

namespace Redactor.Tests;

public class TrackerTests
{
    private static FrameDetections F(int i, bool cut = false, params Box[] faces) =>
        new(i, i / 30.0, faces.Select(b => new Detection(b, 0.9f)).ToList(), cut);

    private static bool Covers(IEnumerable<Region> regions, Box face) => regions.Any(r => r.Box.IoU(face) > 0.5f || (r.Box.IntersectionArea(face) >= face.Area * 0.95f));

    [Fact]
    public void A_face_missed_for_k_frames_stays_covered()
    {
        // A face moving right 3 px a frame; the detector misses frames 10..19.
        Box At(int i) => new(100 + 3 * i, 100, 40, 48);
        var frames = Enumerable.Range(0, 40).Select(i => i is >= 10 and < 20 ? F(i) : F(i, false, At(i))).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 15, maxGapFrames: 30)).Build(frames);
        for (int i = 0; i < 40; i++) Assert.True(Covers(regions[i], At(i)), $"frame {i} left uncovered");
        Assert.All(Enumerable.Range(10, 10), i => Assert.Contains(regions[i], r => r.Source == RegionSource.Interpolated));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void A_poor_box_in_one_frame_is_backed_by_the_tracks_detections_either_side(int spread, bool covered)
    {
        // In frame 10 the detector's box for this face slid half a face to the right (a neighbour in a crowd);
        // the track takes it, so only detections of frames 9 and 11 can cover the face there (no hold, to see that alone).
        Box At(int i) => new(100 + i, 100, 40, 48);
        var frames = Enumerable.Range(0, 30).Select(i => F(i, false, i == 10 ? At(i) with { X = At(i).X + 20 } : At(i))).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 0, weakHoldFrames: 0, spreadFrames: spread)).Build(frames);
        Assert.Equal(covered, Covers(regions[10], At(10)));
        Assert.Equal(spread > 0, regions[10].Any(r => r.Source == RegionSource.Spread));
    }

    [Fact]
    public void Spread_stops_at_a_cut()
    {
        var frames = Enumerable.Range(0, 20).Select(i => i < 10 ? F(i, false, new Box(10, 10, 30, 30)) : F(i, i == 10)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 0, weakHoldFrames: 0, spreadFrames: 2)).Build(frames);
        Assert.Contains(regions[9], r => r.Source == RegionSource.Spread);
        Assert.All(Enumerable.Range(10, 10), i => Assert.Empty(regions[i]));
    }

    [Fact]
    public void Tracks_are_held_before_the_first_and_after_the_last_detection()
    {
        Box At(int i) => new(200 - 2 * i, 80, 30, 36);
        var frames = Enumerable.Range(0, 60).Select(i => i is >= 20 and < 40 ? F(i, false, At(i)) : F(i)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10)).Build(frames);
        for (int i = 10; i < 50; i++) Assert.True(Covers(regions[i], At(i)), $"frame {i} left uncovered");
        Assert.Empty(regions[5]);
        Assert.Empty(regions[55]);
        Assert.True(regions[12].Single().Box.Width > At(12).Width, "extrapolated box must grow with uncertainty");
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(1, false)]
    public void Held_boxes_move_with_the_velocity_of_several_frames_not_the_jitter_of_two(int velocityFrames, bool followed)
    {
        // A face moving right 3 px a frame, detected on frames 8..17 with the detector's box 2 px right on even frames
        // and 2 px left on odd ones. The last two detections alone say it moves left 1 px a frame.
        Box At(int i) => new(100 + 3 * i, 100, 30, 36);
        var frames = Enumerable.Range(0, 26)
            .Select(i => i is >= 8 and < 18 ? F(i, false, At(i) with { X = At(i).X + (i % 2 == 0 ? 2 : -2) }) : F(i)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 8, spreadFrames: 0, velocityFrames: velocityFrames)).Build(frames);
        bool OnFace(int i) => regions[i].Any(r => r.Source == RegionSource.Extrapolated
            && Math.Abs(r.Box.CenterX - At(i).CenterX) <= r.Box.Width / 2 && Math.Abs(r.Box.CenterY - At(i).CenterY) <= r.Box.Height / 2);
        var held = Enumerable.Range(0, 8).Concat(Enumerable.Range(18, 8)).ToList();
        Assert.Equal(followed, held.All(OnFace));
    }

    [Fact]
    public void Settings_follow_the_frame_rate_and_the_fast_search()
    {
        var normal = TrackerOptions.ForFrameRate(30);
        Assert.Equal((10, 3, 3, 3), (normal.HoldFrames, normal.BirthHits, normal.VelocityFrames, normal.SpreadFrames));
        // --fast searches for small faces on every other frame: half the detections to be born.
        var fast = TrackerOptions.ForFrameRate(30, fineEvery: 2);
        Assert.Equal((2, 3), (fast.BirthHits, fast.VelocityFrames));
        Assert.Equal((20, 6), (TrackerOptions.ForFrameRate(60).HoldFrames, TrackerOptions.ForFrameRate(60).SpreadFrames));
    }

    [Fact]
    public void A_lone_weak_detection_is_held_briefly_a_strong_one_fully()
    {
        var weak = Enumerable.Range(0, 40).Select(i => i == 20 ? new FrameDetections(i, 0, [new Detection(new Box(10, 10, 30, 30), 0.55f)], false) : F(i)).ToList();
        var strong = Enumerable.Range(0, 40).Select(i => i == 20 ? new FrameDetections(i, 0, [new Detection(new Box(10, 10, 30, 30), 0.9f)], false) : F(i)).ToList();
        var options = new TrackerOptions(holdFrames: 15, weakHoldFrames: 3);
        var w = new Tracker(options).Build(weak);
        var s = new Tracker(options).Build(strong);
        Assert.Equal(7, w.Count(r => r.Count > 0));
        Assert.Equal(31, s.Count(r => r.Count > 0));
    }

    private static FrameDetections Weak(int i, params Box[] faces) =>
        new(i, i / 30.0, faces.Select(b => new Detection(b, 0.16f) { Weak = true }).ToList(), false);

    [Fact]
    public void Weak_detections_carry_a_track_that_a_face_started()
    {
        // Seen clearly in frame 0, then only weakly (turning away, blurring) for 30 frames, then gone.
        Box At(int i) => new(100 + 2 * i, 100, 24, 30);
        var frames = Enumerable.Range(0, 60).Select(i => i == 0 ? F(i, false, At(i)) : i <= 30 ? Weak(i, At(i)) : F(i)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10)).Build(frames);
        for (int i = 0; i <= 40; i++) Assert.True(Covers(regions[i], At(i)), $"frame {i} left uncovered");
        Assert.Empty(regions[45]);
        Assert.All(regions[20], r => Assert.Equal(regions[0][0].TrackId, r.TrackId));
    }

    [Fact]
    public void Weak_detections_alone_count_only_when_they_persist()
    {
        Box face = new(300, 200, 20, 24);
        var blip = Enumerable.Range(0, 40).Select(i => i is 10 or 11 ? Weak(i, face) : F(i)).ToList();
        var persistent = Enumerable.Range(0, 40).Select(i => i is >= 10 and < 16 ? Weak(i, face) : F(i)).ToList();
        var options = new TrackerOptions(holdFrames: 10, birthHits: 5, birthScore: 0.15f);
        Assert.All(new Tracker(options).Build(blip), r => Assert.Empty(r));
        var kept = new Tracker(options).Build(persistent);
        Assert.All(Enumerable.Range(10, 6), i => Assert.True(Covers(kept[i], face)));
        // Too low a best score is not enough, however long.
        Assert.All(new Tracker(new TrackerOptions(birthHits: 5, birthScore: 0.2f)).Build(persistent), r => Assert.Empty(r));
        // Without tracking, weak detections are never redacted.
        Assert.All(new NoTracker().Build(persistent), r => Assert.Empty(r));
        // Weak and doubtful ones never start a track, however many.
        var doubted = persistent.Select(f => f with { Detections = [.. f.Detections.Select(d => d with { Doubtful = true })] }).ToList();
        Assert.All(new Tracker(options).Build(doubted), r => Assert.Empty(r));
    }

    [Fact]
    public void Two_crossing_faces_keep_separate_tracks()
    {
        Box A(int i) => new(50 + 5 * i, 100, 40, 40);
        Box B(int i) => new(250 - 5 * i, 110, 40, 40);
        var frames = Enumerable.Range(0, 40).Select(i => F(i, false, A(i), B(i))).ToList();
        var regions = new Tracker(new TrackerOptions()).Build(frames);
        int? idA0 = regions[0].Single(r => r.Box == A(0)).TrackId, idB0 = regions[0].Single(r => r.Box == B(0)).TrackId;
        Assert.NotEqual(idA0, idB0);
        Assert.Equal(idA0, regions[39].Single(r => r.Box == A(39)).TrackId);
        Assert.Equal(idB0, regions[39].Single(r => r.Box == B(39)).TrackId);
    }

    [Fact]
    public void A_cut_ends_tracks_and_holds_do_not_cross_it()
    {
        var face = new Box(100, 100, 40, 40);
        var frames = Enumerable.Range(0, 30).Select(i => i < 15 ? F(i, false, face) : F(i, i == 15)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10)).Build(frames);
        Assert.NotEmpty(regions[14]);
        Assert.Empty(regions[15]);
        // A face seen only after the cut is not linked to the one before it.
        var frames2 = Enumerable.Range(0, 30).Select(i => F(i, i == 15, face)).ToList();
        var r2 = new Tracker(new TrackerOptions()).Build(frames2);
        Assert.NotEqual(r2[14].Single(r => r.Source == RegionSource.Detected).TrackId, r2[15].Single(r => r.Source == RegionSource.Detected).TrackId);
    }

    [Fact]
    public void No_tracker_gives_each_frame_its_own_detections_only()
    {
        var frames = new[] { F(0, false, new Box(1, 1, 10, 10)), F(1) };
        var regions = new NoTracker().Build(frames);
        Assert.Single(regions[0]);
        Assert.Empty(regions[1]);
    }

    /// <summary>Four faces that move only with the camera, at the corners of the picture.</summary>
    private static Box[] Still(int i, float panX, float panY = 0) =>
        [new(50 + panX * i, 50 + panY * i, 40, 40), new(600 + panX * i, 60 + panY * i, 40, 40),
         new(70 + panX * i, 400 + panY * i, 40, 40), new(620 + panX * i, 420 + panY * i, 40, 40)];

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Held_boxes_follow_the_camera_not_a_last_poor_box(bool followCamera, bool covered)
    {
        // The camera pans 4 px a frame. Face X is seen on frames 0..24; its last box slid 8 px right (a neighbour, a poor
        // box), so its own velocity over the last frames says 6.7 px a frame, and ten frames of hold at that speed leave
        // the face. The other faces say where the camera goes.
        Box X(int i) => new(300 + 4 * i, 200, 40, 40);
        var frames = Enumerable.Range(0, 40).Select(i =>
            F(i, false, [.. Still(i, 4), .. i < 24 ? [X(i)] : i == 24 ? [X(i) with { X = X(i).X + 8 }] : Array.Empty<Box>()])).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10, spreadFrames: 0, followCamera: followCamera)).Build(frames);
        Assert.Equal(covered, Enumerable.Range(25, 10).All(i => Covers(regions[i], X(i))));
    }

    [Fact]
    public void A_face_walking_past_a_still_camera_keeps_its_own_velocity()
    {
        // Four faces stand still; W walks 5 px a frame and is last seen on frame 24. Moved with the camera (not at all),
        // its held box would stay behind.
        Box W(int i) => new(200 + 5 * i, 250, 40, 40);
        var frames = Enumerable.Range(0, 40).Select(i => F(i, false, [.. Still(i, 0), .. i < 25 ? [W(i)] : Array.Empty<Box>()])).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10, spreadFrames: 0)).Build(frames);
        Assert.All(Enumerable.Range(25, 10), i => Assert.True(Covers(regions[i], W(i)), $"frame {i} left uncovered"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Spread_detections_are_carried_with_the_camera(bool followCamera)
    {
        // A fast pan and zoom: detections of three frames before and after land on the face only when moved with it.
        Box Zoomed(Box b, int i) => Box.FromCenter(640 + (b.CenterX - 640) * MathF.Pow(1.01f, i) + 10 * i, 360 + (b.CenterY - 360) * MathF.Pow(1.01f, i),
            b.Width * MathF.Pow(1.01f, i), b.Height * MathF.Pow(1.01f, i));
        var frames = Enumerable.Range(0, 30).Select(i => F(i, false, Still(0, 0).Select(b => Zoomed(b, i)).ToArray())).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 0, weakHoldFrames: 0, spreadFrames: 3, followCamera: followCamera)).Build(frames);
        var spread = regions[15].Where(r => r.Source == RegionSource.Spread).ToList();
        Assert.Equal(4 * 6, spread.Count);
        Assert.Equal(followCamera, spread.All(r => frames[15].Detections.Any(d => d.Box.IoU(r.Box) > 0.9f)));
    }

    [Fact]
    public void Held_boxes_follow_a_pan_that_starts_after_the_last_detection()
    {
        // The camera stands still until frame 15, then pans 20 px a frame; face X was last seen, standing, on frame 14.
        // Its own velocity (none) would leave the held box behind; a step applied one frame early or late leaves it 20 px off.
        float Pan(int i) => 20 * Math.Max(0, i - 15);
        Box X(int i) => new(300 + Pan(i), 200, 40, 40);
        var frames = Enumerable.Range(0, 30).Select(i =>
            F(i, false, [.. Still(0, 0).Select(b => b with { X = b.X + Pan(i) }), .. i <= 14 ? [X(i)] : Array.Empty<Box>()])).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10, spreadFrames: 0)).Build(frames);
        Assert.All(Enumerable.Range(15, 10), i => Assert.True(Covers(regions[i], X(i)), $"frame {i} left uncovered"));
    }

    [Fact]
    public void Boxes_held_before_the_first_detection_follow_the_camera_back_in_time()
    {
        // The camera pans 20 px a frame throughout; face Y is first seen on frame 15 with a box slid 10 px ahead, so its
        // velocity over its first frames reads 16.7 px a frame, and ten frames back at that speed miss the face.
        Box Y(int i) => new(300 + 20 * i, 200, 40, 40);
        var frames = Enumerable.Range(0, 30).Select(i =>
            F(i, false, [.. Still(i, 20), .. i == 15 ? [Y(i) with { X = Y(i).X + 10 }] : i > 15 ? [Y(i)] : Array.Empty<Box>()])).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10, spreadFrames: 0)).Build(frames);
        Assert.All(Enumerable.Range(5, 10), i => Assert.True(Covers(regions[i], Y(i)), $"frame {i} left uncovered"));
    }

    [Fact]
    public void A_walker_among_few_still_faces_does_not_move_the_others_held_boxes()
    {
        // A still camera: three faces stand, W walks 6 px a frame, and Z, standing, is last seen on frame 20.
        Box W(int i) => new(200 + 6 * i, 250, 40, 40);
        Box Z = new(400, 500, 40, 40);
        var frames = Enumerable.Range(0, 40).Select(i =>
            F(i, false, [.. Still(i, 0).Take(3), W(i), .. i <= 20 ? [Z] : Array.Empty<Box>()])).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10, spreadFrames: 0)).Build(frames);
        Assert.All(Enumerable.Range(21, 10), i => Assert.True(regions[i].Any(r => Math.Abs(r.Box.CenterX - Z.CenterX) < 1 && Math.Abs(r.Box.CenterY - Z.CenterY) < 1),
            $"frame {i}: Z's held box moved"));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void A_march_in_front_of_a_still_camera_is_not_taken_for_a_pan(bool pictureSaysStill, bool stays)
    {
        // Four faces walk left 6 px a frame in front of a still camera; Z, seen only fairly well (0.5: not clearly enough
        // for its own standing still to be believed over the camera), stands and is last seen on frame 20. The faces
        // alone read as a pan; the picture (its background) says the camera stood still, and Z's held box stays.
        Box Z = new(400, 500, 40, 40);
        var frames = Enumerable.Range(0, 40).Select(i =>
        {
            var f = F(i, false, Still(i, -6));
            if (i <= 20) f = f with { Detections = [.. f.Detections, new Detection(Z, 0.5f)] };
            return pictureSaysStill && i > 0 ? f with { Shift = new PictureShift(0, 0, 640, 360) } : f;
        }).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 10, spreadFrames: 0)).Build(frames);
        Assert.Equal(stays, Enumerable.Range(21, 10).All(i =>
            regions[i].Any(r => Math.Abs(r.Box.CenterX - Z.CenterX) < 1 && Math.Abs(r.Box.CenterY - Z.CenterY) < 1)));
    }

    /// <summary>A crowd under a panning, zooming camera: faces come and go, are missed for a few frames, some only weakly
    /// seen, with cuts every 90 frames; seeded, so the same every run.</summary>
    private static List<FrameDetections> Crowd(int frames, int seed)
    {
        var random = new Random(seed);
        var faces = new List<(float X, float Y, float S, float Vx, int Until, bool Weak)>();
        var list = new List<FrameDetections>();
        for (int i = 0; i < frames; i++)
        {
            bool cut = i > 0 && i % 90 == 0;
            if (cut) faces.Clear();
            faces.RemoveAll(f => f.Until < i);
            while (faces.Count < 12)
                faces.Add((random.Next(40, 1200), random.Next(40, 650), random.Next(12, 90), (float)(random.NextDouble() * 4 - 2), i + random.Next(5, 120), random.Next(5) == 0));
            float zoom = 1 + 0.003f * (i % 90);
            var dets = new List<Detection>();
            for (int k = 0; k < faces.Count; k++)
            {
                var (x, y, size, vx, _, weak) = faces[k];
                faces[k] = faces[k] with { X = x + vx + 3 };
                if (random.Next(6) == 0) continue;
                var box = new Box(640 + (x - 640) * zoom + (float)random.NextDouble(), 360 + (y - 360) * zoom, size * zoom, 1.2f * size * zoom);
                dets.Add(weak && size < 40 ? new Detection(box, 0.16f) { Weak = true } : new Detection(box, 0.3f + 0.7f * (float)random.NextDouble()));
            }
            list.Add(new FrameDetections(i, i / 30.0, dets, cut));
        }
        return list;
    }

    /// <summary>The 30 fps defaults with a window longer than any test video: a tracker that reads the whole video first.</summary>
    private static TrackerOptions Unbounded(int? lookahead = 100_000)
    {
        var o = TrackerOptions.ForFrameRate(30);
        return new TrackerOptions(o.HoldFrames, o.MaxGapFrames, o.GrowthPerFrame, o.MaxGrowth, o.WeakHoldFrames, o.StrongScore, o.BirthHits,
            o.BirthScore, o.SpreadFrames, o.VelocityFrames, o.FollowCamera, o.CameraFaces, lookahead);
    }

    private static string Describe(IReadOnlyList<Region>[] regions) =>
        string.Join("\n", regions.Select((r, i) => $"{i}: " + string.Join(" ", r.Select(x => $"{x.TrackId}/{x.Source}/{x.Box}"))));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_window_gives_the_regions_a_look_at_the_whole_video_gives(int seed)
    {
        var frames = Crowd(1200, seed);
        var windowed = new Tracker(TrackerOptions.ForFrameRate(30)).Build(frames);
        var whole = new Tracker(Unbounded()).Build(frames);
        Assert.Equal(Describe(whole), Describe(windowed));
        Assert.True(windowed.Sum(r => r.Count) > 10_000, "the crowd gave too few regions to compare");
    }

    [Fact]
    public void The_tracker_reads_no_further_ahead_than_its_window()
    {
        var options = TrackerOptions.ForFrameRate(30);
        int read = -1;
        IEnumerable<FrameDetections> Counted()
        {
            foreach (var f in Crowd(600, 4))
            {
                read = (int)f.Index;
                yield return f;
            }
        }
        int given = 0;
        foreach (var _ in new Tracker(options).Track(Counted()))
        {
            Assert.InRange(read, given, given + options.LookaheadFrames);
            given++;
        }
        Assert.Equal(600, given);
        Assert.Equal(129, options.LookaheadFrames);
    }

    [Fact]
    public void A_weak_track_confirmed_within_the_window_is_covered_back_to_its_start()
    {
        // Weak detections of one face for 60 frames (below the birth score, so not redacted on their own), then a clear one.
        Box face = new(300, 200, 20, 24);
        var frames = Enumerable.Range(0, 120).Select(i =>
            i < 60 ? new FrameDetections(i, i / 30.0, [new Detection(face, 0.11f) { Weak = true }], false) : i == 60 ? F(i, false, face) : F(i)).ToList();
        var regions = new Tracker(TrackerOptions.ForFrameRate(30)).Build(frames);
        Assert.All(Enumerable.Range(0, 61), i => Assert.True(Covers(regions[i], face), $"frame {i} left uncovered"));
    }

    [Fact]
    public void Camera_moves_count_a_track_confirmed_within_the_window()
    {
        // The camera zooms in 0.3% a frame. Faces A and B are seen clearly throughout; W only weakly (below the birth score)
        // from frame 25 until a clear detection at frame 130, 105 frames later, which confirms it; D appears at frame 40.
        // With W the camera's move is known from three faces, and D's hold before frame 40 shrinks back with the zoom;
        // without W (two faces) it is carried at D's velocity at its old size. The window must count W there as a
        // tracker reading the whole video does; with the 105 frames it once had, it did not.
        static Box Zoomed(float x, float y, float size, int i)
        {
            float z = MathF.Pow(1.003f, i);
            return Box.FromCenter(640 + (x - 640) * z, 360 + (y - 360) * z, size * z, 1.2f * size * z);
        }
        var frames = Enumerable.Range(0, 220).Select(i =>
        {
            var dets = new List<Detection> { new(Zoomed(300, 200, 40, i), 0.9f), new(Zoomed(950, 520, 44, i), 0.9f) };
            if (i >= 25) dets.Add(i < 130 ? new Detection(Zoomed(620, 300, 36, i), 0.11f) { Weak = true } : new Detection(Zoomed(620, 300, 36, i), 0.9f));
            if (i >= 40) dets.Add(new Detection(Zoomed(420, 470, 42, i), 0.9f));
            return new FrameDetections(i, i / 30.0, dets, false);
        }).ToList();
        string whole = Describe(new Tracker(Unbounded()).Build(frames));
        Assert.Equal(whole, Describe(new Tracker(TrackerOptions.ForFrameRate(30)).Build(frames)));
        Assert.NotEqual(whole, Describe(new Tracker(Unbounded(lookahead: 105)).Build(frames)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(50)]
    public void Videos_shorter_than_the_window_get_every_frame_s_regions(int length)
    {
        var frames = Crowd(length, 5);
        var windowed = new Tracker(TrackerOptions.ForFrameRate(30)).Build(frames);
        Assert.Equal(length, windowed.Length);
        Assert.Equal(Describe(new Tracker(Unbounded()).Build(frames)), Describe(windowed));
    }

    [Fact]
    public void Enumerating_the_regions_again_tracks_again_from_the_start()
    {
        var regions = new Tracker(TrackerOptions.ForFrameRate(30)).Track(Crowd(300, 6));
        string first = Describe([.. regions]);
        Assert.Equal(first, Describe([.. regions]));
        Assert.Equal(300, regions.Count());
    }

    [Fact]
    public void Doubtful_detections_alone_are_not_redacted_but_ride_on_a_track_others_confirm()
    {
        // A large box a second look did not confirm, in frames 10..29; in the second video the same face is also seen
        // once as a box that counts (frame 20), which confirms the track.
        Box face = new(300, 200, 130, 160);
        var doubt = new Detection(face, 0.6f) { Doubtful = true };
        var alone = Enumerable.Range(0, 40).Select(i => i is >= 10 and < 30 ? new FrameDetections(i, i / 30.0, [doubt], false) : F(i)).ToList();
        var backed = alone.Select(f => f.Index == 20 ? F(20, false, face) : f).ToList();
        var options = new TrackerOptions(holdFrames: 5);
        Assert.All(new Tracker(options).Build(alone), r => Assert.Empty(r));
        var kept = new Tracker(options).Build(backed);
        Assert.All(Enumerable.Range(5, 30), i => Assert.True(Covers(kept[i], face), $"frame {i} left uncovered"));
        Assert.All(new NoTracker().Build(alone), r => Assert.Empty(r));
    }

    [Theory]
    [InlineData(100f, false)]
    [InlineData(160f, false)]
    [InlineData(161f, true)]
    [InlineData(float.PositiveInfinity, true)]
    public void A_track_more_doubted_than_counted_is_not_drawn_when_its_boxes_are_large_enough(float majorityHeight, bool drawn)
    {
        // A banner's lettering read as a 160 px face in frames 10..29: a second look doubted it in 12 frames, 8 counted.
        Box face = new(300, 200, 130, 160);
        var frames = Enumerable.Range(0, 40).Select(i => new FrameDetections(i, i / 30.0,
            i is >= 10 and < 30 ? [new Detection(face, 0.6f) { Doubtful = i % 5 < 3 }] : [], false)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 5, majorityHeight: majorityHeight)).Build(frames);
        Assert.All(Enumerable.Range(5, 30), i => Assert.Equal(drawn, Covers(regions[i], face)));
    }

    [Fact]
    public void A_drawn_track_stays_drawn_when_doubts_outnumber_its_counts_later()
    {
        // Counted in frames 10..29, then doubted in 30..69: the window (40 frames here) decides at the track's first frame
        // drawn (frame 5, with the hits up to frame 45: 20 counted, 16 doubted); the doubts that follow must not uncover
        // the rest of the face.
        Box face = new(300, 200, 130, 160);
        var frames = Enumerable.Range(0, 80).Select(i => new FrameDetections(i, i / 30.0,
            i is >= 10 and < 70 ? [new Detection(face, 0.6f) { Doubtful = i >= 30 }] : [], false)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 5, maxGapFrames: 5, lookaheadFrames: 40, majorityHeight: 100)).Build(frames);
        Assert.All(Enumerable.Range(5, 70), i => Assert.True(Covers(regions[i], face), $"frame {i} left uncovered"));
    }

    [Theory]
    [InlineData(10, 0.6f, false, true)]   // a tie is drawn
    [InlineData(11, 0.6f, false, false)]
    [InlineData(11, 0.6f, true, true)]    // weak boxes of the same face support it
    [InlineData(11, 0.92f, false, true)]  // one box seen clearly vetoes the doubts
    public void Doubts_outvote_a_track_only_when_they_outnumber_its_support(int doubted, float bestScore, bool weakSupport, bool drawn)
    {
        // 20 frames of one face: the first `doubted` doubtful, the rest counted (the last one scoring bestScore); with
        // weakSupport, three more weak boxes of it follow.
        Box face = new(300, 200, 130, 160);
        Detection At(int k) => k < doubted ? new Detection(face, 0.6f) { Doubtful = true } : new Detection(face, k == 19 ? bestScore : 0.6f);
        var frames = Enumerable.Range(0, 40).Select(i => new FrameDetections(i, i / 30.0,
            i is >= 10 and < 30 ? [At(i - 10)] : weakSupport && i is >= 30 and < 33 ? [new Detection(face, 0.15f) { Weak = true }] : [], false)).ToList();
        var regions = new Tracker(new TrackerOptions(holdFrames: 5, majorityHeight: 100)).Build(frames);
        Assert.All(Enumerable.Range(10, 20), i => Assert.Equal(drawn, Covers(regions[i], face)));
    }

    [Theory]
    [InlineData(720, 180f)]
    [InlineData(1080, 270f)]
    [InlineData(0, float.PositiveInfinity)]
    public void Doubts_outvote_tracks_from_a_quarter_of_the_frame_height(int frameHeight, float expected) =>
        Assert.Equal(expected, TrackerOptions.ForFrameRate(30, frameHeight: frameHeight).MajorityHeight);
}
