using Microsoft.Playwright;
using Xunit;

namespace Redactor.Tests;

/// <summary>
/// The review as a person does it, through the real <c>review</c> command, detectors, page and export: a clip with two
/// real faces (found) and a magenta square moving right that no detector takes for a face. In the browser the square gets
/// a box drawn on frame 5 and again on frame 20, the upper face's track is kept by consent, the page is reloaded, and the
/// export is checked by its pixels.
/// </summary>
public sealed class ReviewEndToEndTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const int W = 640, H = 480, Frames = 30, Side = 40, FirstKey = 5, SecondKey = 20;

    /// <summary>The square's left edge on frame <paramref name="n"/> (its top is at <see cref="SquareY"/>).</summary>
    private static int SquareX(long n) => 420 + 4 * (int)n;

    private const int SquareY = 200;

    /// <summary>dlib-faces' boxes of the photo's two faces (the photo is placed at 0,0): the upper is kept.</summary>
    private static readonly (int X, int Y, int W, int H) Upper = (145, 79, 76, 76), Lower = (125, 214, 90, 91);

    [Fact]
    public async Task A_box_drawn_on_two_frames_covers_every_frame_between_and_a_kept_face_stays_visible()
    {
        string dir = TestPaths.NewTempDir();
        string clip = ReviewRun.MakeClip(dir);
        await using var review = await ReviewRun.Start(Cli.WithModels("review", clip, "--no-browser", "--style", "fill"));
        var (stdout, stderr) = (review.Stdout, review.Stderr);
        Assert.True(review.Address.Length > 0, $"no page: {stderr}");
        {
            string url = review.Address;
            var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
                DeviceScaleFactor = 1,
            });
            var problems = new List<string>();
            var page = await context.NewPageAsync();
            page.Console += (_, m) => { if (m.Type is "error") lock (problems) problems.Add(m.Text); };
            page.PageError += (_, e) => { lock (problems) problems.Add(e); };
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });

            async Task Step(int times, long to)
            {
                for (int i = 0; i < times; i++) await page.Keyboard.PressAsync("ArrowRight");
                await page.WaitForSelectorAsync($"#stage[data-frame='{to}']", new PageWaitForSelectorOptions { Timeout = 10_000 });
            }
            async Task<(float X, float Y)> At(double x, double y)
            {
                var bb = await page.Locator("#overlay").BoundingBoxAsync() ?? throw new InvalidOperationException("no overlay");
                return ((float)(bb.X + x * bb.Width / W), (float)(bb.Y + y * bb.Height / H));
            }
            async Task Drag(double x0, double y0, double x1, double y1)
            {
                var (ax, ay) = await At(x0, y0);
                var (bx, by) = await At(x1, y1);
                await page.Mouse.MoveAsync(ax, ay);
                await page.Mouse.DownAsync();
                await page.Mouse.MoveAsync(bx, by, new MouseMoveOptions { Steps = 6 });
                await page.Mouse.UpAsync();
            }
            string planPath = clip + ".review.json";

            // The square on frame 5, then frame 20, each with a 4-pixel margin.
            await Step(FirstKey, FirstKey);
            await page.Keyboard.PressAsync("a");
            await Drag(SquareX(FirstKey) - 4, SquareY - 4, SquareX(FirstKey) + Side + 4, SquareY + Side + 4);
            await ReviewTestKit.WaitForSaved(planPath, i => i.GetProperty("manual").GetArrayLength() == 1);
            await Step(SecondKey - FirstKey, SecondKey);
            await page.Keyboard.PressAsync("k");
            await Drag(SquareX(SecondKey) - 4, SquareY - 4, SquareX(SecondKey) + Side + 4, SquareY + Side + 4);
            var item = await ReviewTestKit.WaitForSaved(planPath, i => i.GetProperty("manual")[0].GetProperty("keys").GetArrayLength() == 2);
            var keys = item.GetProperty("manual")[0].GetProperty("keys");
            Assert.Equal(FirstKey, keys[0][0].GetInt32());
            Assert.Equal(SecondKey, keys[1][0].GetInt32());

            // The upper face's track, kept by consent.
            await page.Mouse.ClickAsync((await At(Upper.X + Upper.W / 2, Upper.Y + Upper.H / 2)).X, (await At(Upper.X + Upper.W / 2, Upper.Y + Upper.H / 2)).Y);
            await page.Locator("#selection h3", new PageLocatorOptions { HasTextString = "Face track" }).WaitForAsync();
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Keep visible (consent)", Exact = true }).ClickAsync();
            item = await ReviewTestKit.WaitForSaved(planPath, i => i.GetProperty("keep").GetArrayLength() == 1);

            // Nothing is lost on a reload: the page shows the plan the server saved.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
            string lists = await page.Locator("#lists").InnerTextAsync();
            Assert.Contains($"M1 · frames {FirstKey}–{Frames - 1} · 2 boxes", lists);
            Assert.Contains($"Track #{item.GetProperty("keep")[0].GetInt32()}", lists);

            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Export", Exact = true }).ClickAsync();
            string state = "";
            for (var until = DateTime.UtcNow.AddMinutes(2); DateTime.UtcNow < until && !state.Contains("Exported") && !state.Contains("fail"); await Task.Delay(200))
                state = await page.Locator("#exportState").InnerTextAsync();
            Assert.True(state.Contains("Exported (fill)."), $"export: {state}; stderr: {stderr}");
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Finish review", Exact = true }).ClickAsync();
            Assert.Equal(0, await review.Exit.WaitAsync(TimeSpan.FromSeconds(30)));
            await context.DisposeAsync();
            lock (problems) Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        string output = Path.Combine(dir, "clip.redacted.mp4");
        Assert.True(File.Exists(output), $"no export; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains("kept visible by consent", stdout.ToString());
        var input = Decode(clip);
        var redacted = Decode(output);
        Assert.Equal(Frames, redacted.Count);
        for (int n = 0; n < Frames; n++)
        {
            int magenta = Magenta(redacted[n], SquareX(n) + 4, SquareY + 4, Side - 8, Side - 8);
            // Covered from its first key on, every frame to the second (and held at the second's box after it).
            if (n >= FirstKey && n <= SecondKey) Assert.True(magenta == 0, $"frame {n}: {magenta} magenta pixels of the square show");
            // Before the first key nothing covers it: the check can fail.
            if (n < FirstKey) Assert.True(magenta > 500, $"frame {n}: the square is not visible before its box starts ({magenta})");
            // The kept face is as the input has it; the other face is filled black.
            Assert.True(MeanDifference(input[n], redacted[n], Upper) < 6, $"frame {n}: the kept face was changed");
            Assert.True(Mean(redacted[n], Lower) < 30, $"frame {n}: the other face is not covered");
        }
    }

    /// <summary>Every frame of a video as rgb24 bytes.</summary>
    private static List<byte[]> Decode(string video)
    {
        string raw = Path.Combine(Path.GetDirectoryName(video)!, Path.GetFileName(video) + ".rgb");
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        var bytes = File.ReadAllBytes(raw);
        int size = W * H * 3;
        Assert.Equal(0, bytes.Length % size);
        return Enumerable.Range(0, bytes.Length / size).Select(i => bytes.AsSpan(i * size, size).ToArray()).ToList();
    }

    private static int Magenta(byte[] frame, int x0, int y0, int w, int h)
    {
        int n = 0;
        for (int y = y0; y < y0 + h; y++)
            for (int x = Math.Max(0, x0); x < Math.Min(W, x0 + w); x++)
            {
                int i = (y * W + x) * 3;
                if (frame[i] > 180 && frame[i + 1] < 90 && frame[i + 2] > 180) n++;
            }
        return n;
    }

    private static double MeanDifference(byte[] a, byte[] b, (int X, int Y, int W, int H) box)
    {
        long sum = 0, n = 0;
        for (int y = box.Y; y < box.Y + box.H; y++)
            for (int x = box.X; x < box.X + box.W; x++)
                for (int c = 0; c < 3; c++, n++) sum += Math.Abs(a[(y * W + x) * 3 + c] - b[(y * W + x) * 3 + c]);
        return (double)sum / n;
    }

    private static double Mean(byte[] a, (int X, int Y, int W, int H) box)
    {
        long sum = 0, n = 0;
        for (int y = box.Y; y < box.Y + box.H; y++)
            for (int x = box.X; x < box.X + box.W; x++)
                for (int c = 0; c < 3; c++, n++) sum += a[(y * W + x) * 3 + c];
        return (double)sum / n;
    }
}
