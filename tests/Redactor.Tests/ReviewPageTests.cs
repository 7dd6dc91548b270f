using System.Text.Json;
using Microsoft.Playwright;
using Redactor.Review;
using Xunit;

namespace Redactor.Tests;

/// <summary>One headless Debian chromium for the page tests of a class (starting one costs about a second).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Playwright never fetches a browser here: it drives the system's chromium (.ci/install-deps installs it).
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: run .ci/install-deps");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}

/// <summary>A review server on a hand-made plan with fake media, and a page of the shared browser open on it; collects
/// the page's console errors and CSP violations (each test ends by asserting there were none).</summary>
internal sealed class PageRun : IAsyncDisposable
{
    public required string Dir { get; init; }
    public required ReviewPlan Plan { get; init; }
    public required FakeMedia Media { get; init; }
    public required ReviewSession Session { get; init; }
    public required ReviewServer Server { get; init; }
    public required IBrowserContext Context { get; init; }
    public required IPage Page { get; init; }
    public List<string> Problems { get; } = [];
    public string PlanPath => Session.PlanPath;

    public static async Task<PageRun> Open(BrowserFixture browser, ReviewPlan plan, string hash = "", FakeMedia? media = null,
        int width = 1400, int height = 900)
    {
        string dir = TestPaths.NewTempDir();
        media ??= ReviewTestKit.MediaFor(plan);
        var session = ReviewTestKit.Session(plan, Path.Combine(dir, "plan.json"), media);
        var server = await ReviewServer.StartAsync(session, Console.Error);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
        });
        // Reported through the console, which is watched below (the init script runs outside the page's CSP).
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', (e) =>
              console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
            """);
        var page = await context.NewPageAsync();
        var run = new PageRun { Dir = dir, Plan = plan, Media = media, Session = session, Server = server, Context = context, Page = page };
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning") lock (run.Problems) run.Problems.Add($"console {m.Type}: {m.Text}");
        };
        page.PageError += (_, e) => { lock (run.Problems) run.Problems.Add($"page error: {e}"); };
        await page.GotoAsync(server.Address + hash);
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 10_000 });
        return run;
    }

    public void AssertNoProblems()
    {
        lock (Problems) Assert.True(Problems.Count == 0, string.Join("\n", Problems));
    }

    /// <summary>Waits until frame <paramref name="frame"/> of <paramref name="item"/> is the picture on screen.</summary>
    public Task Shown(long frame, int item = 0) =>
        Page.WaitForSelectorAsync($"#stage[data-frame='{frame}'][data-item='{item}']", new PageWaitForSelectorOptions { Timeout = 10_000 });

    /// <summary>A point of the picture, in stored pixels, as page coordinates.</summary>
    public async Task<(float X, float Y)> At(double x, double y, int item = 0)
    {
        var bb = await Page.Locator("#overlay").BoundingBoxAsync() ?? throw new InvalidOperationException("no overlay");
        var id = Plan.Items[item].Identity;
        return ((float)(bb.X + x * bb.Width / id.Width), (float)(bb.Y + y * bb.Height / id.Height));
    }

    public async Task Drag(double x0, double y0, double x1, double y1, int item = 0)
    {
        var (ax, ay) = await At(x0, y0, item);
        var (bx, by) = await At(x1, y1, item);
        await Page.Mouse.MoveAsync(ax, ay);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(bx, by, new MouseMoveOptions { Steps = 6 });
        await Page.Mouse.UpAsync();
    }

    public async Task Click(double x, double y, int item = 0)
    {
        var (px, py) = await At(x, y, item);
        await Page.Mouse.ClickAsync(px, py);
    }

    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = name, Exact = true });

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class ReviewPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static void Near(double expected, JsonElement actual, string what) =>
        Assert.True(Math.Abs(expected - actual.GetDouble()) <= 2, $"{what}: expected {expected} ± 2, got {actual.GetDouble()}");

    private static void KeyNear(JsonElement key, long frame, double x, double y, double w, double h)
    {
        Assert.Equal(frame, key[0].GetInt64());
        Near(x, key[1], "x");
        Near(y, key[2], "y");
        Near(w, key[3], "width");
        Near(h, key[4], "height");
    }

    [Fact]
    public async Task Drawn_boxes_keyframes_keep_remove_and_a_cover_span_are_saved_and_shown_again_after_a_reload()
    {
        await using var run = await PageRun.Open(browser, ReviewTestKit.VideoPlan(), "#item=0&frame=5");
        var page = run.Page;
        await run.Shown(5);

        // A: draw a box on frame 5 (stored pixels; the picture shows them wider than high).
        await page.Keyboard.PressAsync("a");
        await run.Drag(400, 300, 560, 460);
        var item = await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("manual").GetArrayLength() == 1);
        var region = item.GetProperty("manual")[0];
        Assert.Equal(5, region.GetProperty("start").GetInt64());
        Assert.Equal(59, region.GetProperty("end").GetInt64());
        KeyNear(region.GetProperty("keys")[0], 5, 400, 300, 160, 160);

        // Step to frame 12 and set its box there (K, then drag).
        for (int i = 0; i < 7; i++) await page.Keyboard.PressAsync("ArrowRight");
        await run.Shown(12);
        Assert.Equal("12", await page.Locator("#frameNumber").TextContentAsync());
        await page.Keyboard.PressAsync("k");
        await run.Drag(600, 250, 720, 390);
        item = await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("manual")[0].GetProperty("keys").GetArrayLength() == 2);
        Assert.Equal(1, item.GetProperty("manual").GetArrayLength());
        var keys = item.GetProperty("manual")[0].GetProperty("keys");
        KeyNear(keys[0], 5, 400, 300, 160, 160);
        KeyNear(keys[1], 12, 600, 250, 120, 140);

        // Keep track 1 (its box on frame 12 is at 124,120 120×150), remove track 2 (800,380 110×130).
        await run.Click(184, 195);
        await page.Locator("#selection h3", new PageLocatorOptions { HasTextString = "Face track #1" }).WaitForAsync();
        await run.Button("Keep visible (consent)").ClickAsync();
        await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("keep").Compact() == "[1]");
        await run.Click(855, 445);
        await page.Locator("#selection h3", new PageLocatorOptions { HasTextString = "Face track #2" }).WaitForAsync();
        await run.Button("Not a face (remove)").ClickAsync();
        await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("remove").Compact() == "[2]");

        // Cover whole frames 12 to 37: [ here, a second forward (25 frames), ].
        await page.Keyboard.PressAsync("[");
        await page.Keyboard.PressAsync("Shift+ArrowRight");
        await run.Shown(37);
        await page.Keyboard.PressAsync("]");
        item = await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("coverFrames").Compact() == "[[12,37]]");
        string saved = File.ReadAllText(run.PlanPath);
        Assert.Equal("[1]", item.GetProperty("keep").Compact());
        Assert.Equal("[2]", item.GetProperty("remove").Compact());

        // A reload shows every edit again, from the server's plan, on the same frame.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await run.Shown(37);
        string lists = await page.Locator("#lists").InnerTextAsync();
        Assert.Contains("Track #1 · frames 0–59", lists);
        Assert.Contains("Track #2 · frames 10–50", lists);
        Assert.Contains("M1 · frames 5–59 · 2 boxes", lists);
        Assert.Contains("frames 12–37", lists);
        Assert.Equal("Whole frame covered (frames 12–37)", await page.Locator("#stageMessage").TextContentAsync());
        Assert.Equal("On this frame: #1 #2 M1", await page.Locator("#onFrame").TextContentAsync());
        await run.Button("#2").ClickAsync();
        await page.Locator("#selection", new PageLocatorOptions { HasTextString = "Not a face: not covered" }).WaitForAsync();
        Assert.Equal(saved, File.ReadAllText(run.PlanPath));
        Assert.Equal("Saved", await page.Locator("#saveState").TextContentAsync());
        run.AssertNoProblems();
    }

    [Fact]
    public async Task Keys_step_frames_seconds_and_flagged_frames_and_show_the_key_list_and_the_preview()
    {
        await using var run = await PageRun.Open(browser, ReviewTestKit.VideoPlan());
        var page = run.Page;
        await run.Shown(0);
        await page.Keyboard.PressAsync("ArrowRight");
        await run.Shown(1);
        Assert.Equal("1", await page.Locator("#frameNumber").TextContentAsync());
        Assert.Equal("0:00.04", await page.Locator("#frameTime").TextContentAsync());
        await page.Keyboard.PressAsync("Shift+ArrowRight");
        await run.Shown(26);
        await page.Keyboard.PressAsync("ArrowLeft");
        await run.Shown(25);
        await page.Keyboard.PressAsync("Shift+ArrowLeft");
        await run.Shown(0);
        await page.Keyboard.PressAsync("ArrowLeft");      // stays on the first frame
        await page.Keyboard.PressAsync("n");
        await run.Shown(10);
        Assert.Contains("a face track starts mid-shot", await page.Locator("#flagHere").TextContentAsync());
        await page.Keyboard.PressAsync("n");
        await run.Shown(20);
        await page.Keyboard.PressAsync("n");
        await run.Shown(51);
        await page.Keyboard.PressAsync("p");
        await run.Shown(20);
        Assert.Equal("#item=0&frame=20", new Uri(page.Url).Fragment);

        // The weak detection on frame 20: select it and add it as a region (to the end of the shot, frame 59).
        Assert.Equal("On this frame: weak 0.31 #1 #2", await page.Locator("#onFrame").TextContentAsync());
        await run.Click(660, 114);
        await run.Button("Add as region").ClickAsync();
        var item = await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("manual").GetArrayLength() == 1);
        Assert.Equal("""{"id":1,"start":20,"end":59,"keys":[[20,640,90,40,48]]}""", item.GetProperty("manual")[0].Compact());

        await page.Keyboard.PressAsync("?");
        Assert.True(await page.Locator("#keysDialog").IsVisibleAsync());
        await page.Keyboard.PressAsync("Escape");
        Assert.False(await page.Locator("#keysDialog").IsVisibleAsync());

        int before = run.Media.PreviewCalls.Count;
        await page.Keyboard.PressAsync("v");
        await page.WaitForSelectorAsync("#stage[data-preview='blur']");
        Assert.True(run.Media.PreviewCalls.Count > before);
        await page.SelectOptionAsync("#style", "fill");
        await page.WaitForSelectorAsync("#stage[data-preview='fill']");
        Assert.Equal(RedactionStyle.Fill, run.Media.PreviewCalls.Last().Style.Style);
        await page.Keyboard.PressAsync("v");
        await page.WaitForSelectorAsync("#stage[data-preview='']");
        run.AssertNoProblems();
    }

    [Fact]
    public async Task Frames_ahead_are_fetched_once_so_stepping_shows_them_without_asking_again()
    {
        await using var run = await PageRun.Open(browser, ReviewTestKit.VideoPlan(), "#item=0&frame=30");
        await run.Shown(30);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (run.Media.FrameCalls.Count(c => c.Frame is > 30 and <= 34) < 4 && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.Equal([30L, 31, 32, 33, 34], run.Media.FrameCalls.Select(c => c.Frame).Order());
        await run.Page.Keyboard.PressAsync("ArrowRight");
        await run.Shown(31);
        await run.Page.Keyboard.PressAsync("ArrowRight");
        await run.Shown(32);
        Assert.Single(run.Media.FrameCalls, c => c.Frame == 31);
        Assert.Single(run.Media.FrameCalls, c => c.Frame == 32);
        run.AssertNoProblems();
    }

    [Fact]
    public async Task Steps_made_while_a_frame_loads_are_not_queued_up_only_the_last_is_fetched()
    {
        var plan = ReviewTestKit.VideoPlan();
        var media = ReviewTestKit.MediaFor(plan);
        media.HoldFrom = 1;
        await using var run = await PageRun.Open(browser, plan, media: media);
        await run.Shown(0);
        // Frame 1 is being fetched ahead and hangs; ten steps go by meanwhile.
        for (int i = 0; i < 10; i++) await run.Page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal("10", await run.Page.Locator("#frameNumber").TextContentAsync());
        media.Release.Set();
        await run.Shown(10);
        var asked = media.FrameCalls.Select(c => c.Frame).ToList();
        Assert.DoesNotContain(asked, f => f is >= 5 and <= 9);
        Assert.Single(asked, f => f == 10);
        run.AssertNoProblems();
    }

    [Fact]
    public async Task Photos_open_from_a_grid_and_take_the_same_edits()
    {
        await using var run = await PageRun.Open(browser, ReviewTestKit.PhotoPlan());
        var page = run.Page;
        var thumbs = page.Locator("#gridItems .thumb");
        Assert.Equal(3, await thumbs.CountAsync());
        Assert.Equal("a.jpg\n2 faces covered", await thumbs.Nth(0).InnerTextAsync());
        Assert.Equal("c/third.jpg\n1 weak0 faces covered", await thumbs.Nth(2).InnerTextAsync());
        await thumbs.Nth(0).ClickAsync();
        await run.Shown(0, item: 0);
        Assert.Equal("a.jpg", await page.Locator("#itemName").TextContentAsync());
        Assert.False(await page.Locator("#timeline").IsVisibleAsync());

        await run.Click(550, 210);
        await run.Button("Not a face (remove)").ClickAsync();
        await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("remove").Compact() == "[2]");
        await page.Keyboard.PressAsync("a");
        await run.Drag(600, 400, 700, 520);
        var saved = await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("manual").GetArrayLength() == 1);
        var region = saved.GetProperty("manual")[0];
        Assert.Equal(0, region.GetProperty("start").GetInt64());
        Assert.Equal(0, region.GetProperty("end").GetInt64());
        KeyNear(region.GetProperty("keys")[0], 0, 600, 400, 100, 120);

        await page.Keyboard.PressAsync("ArrowRight");
        await run.Shown(0, item: 1);
        Assert.Equal("b.jpg", await page.Locator("#itemName").TextContentAsync());
        await run.Button("Cover whole photo").ClickAsync();
        await ReviewTestKit.WaitForSaved(run.PlanPath, i => i.GetProperty("coverFrames").Compact() == "[[0,0]]", item: 1);

        await run.Button("← All photos").ClickAsync();
        await page.WaitForSelectorAsync("#grid:not([hidden])");
        // One face removed, one drawn: still two covered, and edited.
        Assert.Equal("a.jpg\nedited2 faces covered", await thumbs.Nth(0).InnerTextAsync());
        Assert.Equal("b.jpg\neditedwhole photo covered", await thumbs.Nth(1).InnerTextAsync());
        Assert.Equal("c/third.jpg\n1 weak0 faces covered", await thumbs.Nth(2).InnerTextAsync());
        run.AssertNoProblems();
    }

    [Fact]
    public async Task Export_shows_progress_then_the_summary_and_Finish_ends_the_review()
    {
        var plan = ReviewTestKit.VideoPlan();
        var media = new FakeMedia(plan) { DisplayAspect = 16.0 / 9, ExportGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var run = await PageRun.Open(browser, plan, media: media);
        var page = run.Page;
        await run.Shown(0);
        await page.SelectOptionAsync("#style", "pixelate");
        await run.Button("Export").ClickAsync();
        await page.Locator("#exportState", new PageLocatorOptions { HasTextString = "Exporting (pixelate): 50%" }).WaitForAsync();
        Assert.True(await run.Button("Export").IsDisabledAsync());
        media.ExportGate.SetResult();
        await page.Locator("#exportState", new PageLocatorOptions { HasTextString = "Exported (pixelate)." }).WaitForAsync();
        string summary = await page.Locator("#exportSummary").InnerTextAsync();
        Assert.Contains("clip.mp4: 0 kept, 0 removed, 0 drawn, 0 spans covered", summary);
        Assert.Contains("Written: /tmp/out/clip.redacted.mp4", summary);
        Assert.Equal(RedactionStyle.Pixelate, Assert.Single(media.Exports).Style.Style);

        Assert.False(run.Server.Finished.IsCompleted);
        await run.Button("Finish review").ClickAsync();
        await run.Server.Finished.WaitAsync(TimeSpan.FromSeconds(10));
        await page.Locator("#finishedView").WaitForAsync();
        Assert.Contains("You can close this tab", await page.Locator("#finishedView").InnerTextAsync());
        run.AssertNoProblems();
    }

    /// <summary>A real video and its real detection pass: Intel's "face-demographics-walking" (CC BY 4.0, from
    /// ../shared) and the tracks <c>redactor detect</c> finds in it, with a review's decisions on top: the woman kept
    /// visible (track 1), the man covered (track 2), a false box on his vest removed (track 3), a window drawn by hand,
    /// a weak detection on the lamp, the last frames covered whole. Each kind of box must be drawn in its colour where
    /// the plan puts it. Writes the page's picture to $REDACTOR_REVIEW_SCREENSHOT when set (docs/review-page.png).</summary>
    [Fact]
    public async Task A_real_video_s_tracks_are_drawn_in_the_colour_of_their_decision_over_its_faces()
    {
        string video = Path.Combine(TestPaths.Shared, "data", "videos", "intel_face-demographics-walking_preview.mp4");
        string work = TestPaths.NewTempDir();
        try
        {
            var (ff, _, fferr) = TestPaths.Tool("ffmpeg", "-v", "error", "-i", video, Path.Combine(work, "%04d.png"));
            Assert.True(ff == 0, fferr);
            string report = Path.Combine(work, "found.json");
            var (exit, _, err) = Cli.Run(Cli.WithModels("detect", video, "--json", report));
            Assert.True(exit == 0, err);
            var plan = PlanOfReport(report, Path.GetFileName(video));
            var item = plan.Items[0];
            Assert.Equal(35, item.Identity.Frames);
            Assert.True(item.Tracks.Count >= 3, $"{item.Tracks.Count} tracks");

            item.Keep.Add(1);
            item.Remove.Add(3);
            item.Uncovered.AddRange(Enumerable.Range(14, 5).Select(f => new TrackBox(f, new Box(258, 26, 30, 14), 0.12f, RegionSource.Detected)));
            item.Marks.Add(new PlanMark(14, MarkKind.Uncovered));
            item.Marks.Sort((a, b) => a.Frame.CompareTo(b.Frame));
            item.Manual.Add(new ManualRegion
            {
                Id = 1, Start = 12, End = 34,
                Keys = [new KeyBox(12, new Box(418, 58, 52, 150)), new KeyBox(34, new Box(410, 52, 60, 170))],
            });
            item.CoverFrames.Add(new FrameSpan(31, 34));

            var media = new FakeMedia(plan) { FramesDir = work, VideoScale = 1 };
            await using var run = await PageRun.Open(browser, plan, "#item=0&frame=18", media);
            var page = run.Page;
            await run.Shown(18);
            Box At18(int track) => item.Tracks.Single(t => t.Id == track).Boxes.First(b => b.Frame == 18 && b.Source != RegionSource.Spread).Box;
            var man = At18(2);
            await run.Click(man.CenterX, man.CenterY);
            await page.Locator("#selection h3", new PageLocatorOptions { HasTextString = "Face track #2" }).WaitForAsync();
            await page.Mouse.MoveAsync(0, 0);
            var png = await page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Png });
            if (Environment.GetEnvironmentVariable("REDACTOR_REVIEW_SCREENSHOT") is { Length: > 0 } path) File.WriteAllBytes(path, png);

            using var shot = OpenCvSharp.Cv2.ImDecode(png, OpenCvSharp.ImreadModes.Color);
            // Along the left edge of each box, pixels of the kind's colour (BGR): red covered, green kept (dashed), grey
            // removed, blue drawn by hand, yellow weak (dotted).
            async Task Edge(Box b, (int B, int G, int R) colour, string what)
            {
                var (x, y0) = await run.At(b.X, b.Y);
                var (_, y1) = await run.At(b.X, b.Bottom);
                int found = 0;
                for (int y = (int)y0 + 3; y < (int)y1 - 3; y++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        var p = shot.At<OpenCvSharp.Vec3b>(y, (int)Math.Round(x) + dx);
                        if (Math.Abs(p.Item0 - colour.B) < 40 && Math.Abs(p.Item1 - colour.G) < 40 && Math.Abs(p.Item2 - colour.R) < 40) found++;
                    }
                Assert.True(found >= 3, $"{what}: {found} pixels of its colour along its left edge");
            }
            await Edge(man, (0x31, 0x31, 0xe0), "covered track 2");
            await Edge(At18(1), (0x3e, 0x8a, 0x2b), "kept track 1");
            await Edge(At18(3), (0x96, 0x8e, 0x86), "removed track 3");
            await Edge(new Box(418, 58, 52, 150).Lerp(new Box(410, 52, 60, 170), 6 / 22f), (0xd6, 0x7e, 0x1c), "hand-drawn M1 (between its keys)");
            await Edge(new Box(258, 26, 30, 14), (0x00, 0xa8, 0xe0), "weak detection");
            // Inside the man's face no box is drawn: the frame's own pixels show there.
            var (cx, cy) = await run.At(man.CenterX, man.CenterY);
            var centre = shot.At<OpenCvSharp.Vec3b>((int)cy, (int)cx);
            Assert.False(centre.Item2 > 180 && centre.Item0 < 90 && centre.Item1 < 90, "the man's face is painted over");
            run.AssertNoProblems();
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    /// <summary>A plan made from a <c>detect --json</c> report of one video, as a first pass would make it: the regions
    /// grouped by track, marks where a track starts or ends mid-video and where faces drop.</summary>
    private static ReviewPlan PlanOfReport(string report, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var file = doc.RootElement.GetProperty("files")[0];
        long frames = file.GetProperty("frame_count").GetInt64();
        var item = new PlanItem
        {
            Path = name,
            Kind = PlanItemKind.Video,
            Identity = new MediaIdentity(new FileInfo(file.GetProperty("path").GetString()!).Length, new string('d', 64),
                file.GetProperty("width").GetInt32(), file.GetProperty("height").GetInt32(), frames),
            FrameRate = file.GetProperty("fps").GetDouble(),
        };
        var tracks = new SortedDictionary<int, PlanTrack>();
        var perFrame = new int[frames];
        foreach (var frame in file.GetProperty("frames").EnumerateArray())
        {
            long f = frame.GetProperty("frame").GetInt64();
            var ids = new HashSet<int>();
            foreach (var r in frame.GetProperty("regions").EnumerateArray())
            {
                int id = r.GetProperty("track").GetInt32();
                ids.Add(id);
                if (!tracks.TryGetValue(id, out var t)) tracks[id] = t = new PlanTrack { Id = id };
                var source = Enum.Parse<RegionSource>(r.GetProperty("source").GetString()!, ignoreCase: true);
                t.Boxes.Add(new TrackBox(f, new Box(r.GetProperty("x").GetSingle(), r.GetProperty("y").GetSingle(),
                    r.GetProperty("w").GetSingle(), r.GetProperty("h").GetSingle()), r.GetProperty("score").GetSingle(), source));
            }
            perFrame[f] = ids.Count;
        }
        item.Tracks.AddRange(tracks.Values);
        foreach (var t in item.Tracks)
        {
            if (t.Boxes[0].Frame > 0) item.Marks.Add(new PlanMark(t.Boxes[0].Frame, MarkKind.TrackStarts));
            if (t.Boxes[^1].Frame < frames - 1) item.Marks.Add(new PlanMark(t.Boxes[^1].Frame, MarkKind.TrackEnds));
        }
        for (int f = 1; f < frames; f++)
            if (perFrame[f] < perFrame[f - 1]) item.Marks.Add(new PlanMark(f, MarkKind.FewerFaces));
        item.Marks.Sort((a, b) => a.Frame.CompareTo(b.Frame));
        return new ReviewPlan { MadeBy = "0.1.0", Detector = "combined", Items = [item] };
    }
}
