using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Redactor.Tests;

/// <summary>The <c>review</c> command around the page: what it refuses, how it resumes, and a folder of photos exported
/// through the page's own HTTP calls.</summary>
public class ReviewCommandTests
{
    [Fact]
    public async Task A_review_resumes_from_its_plan_without_detecting_again_or_needing_a_model()
    {
        string dir = TestPaths.NewTempDir();
        string clip = ReviewRun.MakeClip(dir);
        string plan = clip + ".review.json";
        await using (var first = await ReviewRun.Start(Cli.WithModels("review", clip, "--no-browser")))
        {
            Assert.True(first.Address.Length > 0, first.Stderr.ToString());
            Assert.Contains("detect 30/30", first.Stderr.ToString());
            Assert.Equal(0, await first.Interrupt());
            Assert.Contains($"Your decisions are in {plan}", first.Stdout.ToString());
        }
        Assert.True(File.Exists(plan));
        var before = File.ReadAllText(plan);

        // No model at all: a resumed review does not detect.
        string empty = Path.Combine(dir, "no-models");
        Directory.CreateDirectory(empty);
        await using var again = await ReviewRun.Start("review", clip, "--no-browser", "--models", empty);
        Assert.True(again.Address.Length > 0, again.Stderr.ToString());
        Assert.Contains($"resuming the review saved in {plan}", again.Stdout.ToString());
        Assert.DoesNotContain("detect", again.Stderr.ToString());
        using var http = new HttpClient();
        var frame = await http.GetAsync(again.Address + "api/items/0/frames/29.jpg");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("image/jpeg", frame.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await again.Interrupt());
        Assert.Equal(before, File.ReadAllText(plan));
    }

    [Fact]
    public async Task A_plan_made_for_another_file_is_refused_before_any_work()
    {
        string dir = TestPaths.NewTempDir();
        string clip = ReviewRun.MakeClip(dir);
        await using (var first = await ReviewRun.Start(Cli.WithModels("review", clip, "--no-browser")))
            Assert.Equal(0, await first.Interrupt());
        // The same clip, one byte longer: another file.
        string other = Path.Combine(dir, "other.mp4");
        File.WriteAllBytes(other, [.. File.ReadAllBytes(clip), 0]);
        await using var run = await ReviewRun.Start(Cli.WithModels("review", other, "--no-browser", "--plan", clip + ".review.json"));
        Assert.Equal("", run.Address);
        Assert.Equal(1, await run.Exit);
        Assert.Contains("was made for another file (clip.mp4, 30 frames", run.Stderr.ToString());
    }

    /// <summary>Two reviews of one plan would each save their own copy over the other's: the second is refused.</summary>
    [Fact]
    public async Task A_second_review_of_the_same_plan_is_refused_while_the_first_runs()
    {
        string dir = TestPaths.NewTempDir();
        string clip = ReviewRun.MakeClip(dir);
        await using var first = await ReviewRun.Start(Cli.WithModels("review", clip, "--no-browser"));
        Assert.True(first.Address.Length > 0, first.Stderr.ToString());
        await using (var second = await ReviewRun.Start(Cli.WithModels("review", clip, "--no-browser")))
        {
            Assert.Equal("", second.Address);
            Assert.Equal(1, await second.Exit);
            Assert.Contains($"another review of {clip}.review.json is running", second.Stderr.ToString());
        }
        Assert.Equal(0, await first.Interrupt());
        // Once the first has ended, the plan is free again (and its lock file gone).
        Assert.False(File.Exists(Path.Combine(dir, ".clip.mp4.review.json.lock")));
        await using var third = await ReviewRun.Start(Cli.WithModels("review", clip, "--no-browser"));
        Assert.True(third.Address.Length > 0, third.Stderr.ToString());
        Assert.Equal(0, await third.Interrupt());
    }

    /// <summary>The address holds the token, and a program's arguments are in every user's process list: the browser is
    /// handed a private file that redirects to it.</summary>
    [Fact]
    public async Task The_browser_is_opened_without_the_token_in_its_arguments()
    {
        string dir = TestPaths.NewTempDir();
        string clip = ReviewRun.MakeClip(dir);
        string bin = Path.Combine(dir, "bin");
        Directory.CreateDirectory(bin);
        string args = Path.Combine(dir, "args.txt"), page = Path.Combine(dir, "page.html");
        File.WriteAllText(Path.Combine(bin, "xdg-open"), $"#!/bin/sh\nprintf '%s' \"$*\" > '{args}.part'\ncat \"$1\" > '{page}'\nmv '{args}.part' '{args}'\n");
        Assert.Equal(0, TestPaths.Tool("chmod", "+x", Path.Combine(bin, "xdg-open")).Exit);

        string tmp = Path.Combine(dir, "tmp");
        Directory.CreateDirectory(tmp);
        var (child, address, _) = await StartChild(clip, tmp, browser: true, new() { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"), ["DISPLAY"] = ":99" });
        try
        {
            for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until && !File.Exists(args); await Task.Delay(100)) { }
            Assert.True(File.Exists(args), "xdg-open was not run");
            string token = new Uri(address).Segments[1].TrimEnd('/');
            Assert.True(token.Length >= 40, address);
            string given = File.ReadAllText(args);
            Assert.DoesNotContain(token, given);
            Assert.EndsWith(".html", given);
            Assert.Contains($"url={address}", File.ReadAllText(page));
        }
        finally
        {
            // SIGTERM, as a terminal's close: the review ends and removes its frame pictures (SIGKILL would leave them).
            TestPaths.Tool("kill", "-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!child.WaitForExit(20_000)) child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
    }

    /// <summary>A review killed outright leaves every frame's picture, unredacted, in its temporary folder: the next review
    /// removes it (and a live review's folder is never touched).</summary>
    [Fact]
    public async Task The_next_review_removes_the_frame_pictures_a_killed_review_left()
    {
        string dir = TestPaths.NewTempDir();
        string clip = ReviewRun.MakeClip(dir);
        string tmp = Path.Combine(dir, "tmp");
        Directory.CreateDirectory(tmp);
        string[] Folders() => [.. Directory.GetDirectories(tmp, "redactor-review-*")];

        var (killed, _, _) = await StartChild(clip, tmp);
        Assert.Single(Folders());
        killed.Kill(entireProcessTree: true);
        await killed.WaitForExitAsync();
        var left = Assert.Single(Folders());
        Assert.NotEmpty(Directory.GetFiles(left, "*.jpg"));

        var (next, _, err) = await StartChild(clip, tmp);
        var live = Assert.Single(Folders());
        Assert.NotEqual(left, live);
        TestPaths.Tool("kill", "-TERM", next.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(next.WaitForExit(20_000), "the review did not end on SIGTERM");
        Assert.Contains("note: removed the frame pictures of 1 review stopped before it could clean up", await err);
        Assert.Empty(Folders());
    }

    /// <summary><c>review CLIP</c> as a child process with its own temporary folder, once its page is served.
    /// Returns the process, the page's address it printed, and its whole stderr once it ends.</summary>
    private static async Task<(System.Diagnostics.Process Child, string Address, Task<string> Stderr)> StartChild(string clip, string tmp, bool browser = false,
        Dictionary<string, string>? env = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "redactor.dll"), "review", clip, "--models", TestPaths.Store })
            psi.ArgumentList.Add(a);
        if (!browser) psi.ArgumentList.Add("--no-browser");
        psi.Environment["TMPDIR"] = tmp;
        foreach (var (name, value) in env ?? []) psi.Environment[name] = value;
        var child = System.Diagnostics.Process.Start(psi)!;
        var err = child.StandardError.ReadToEndAsync();
        string? line;
        do line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        while (line is not null && !line.StartsWith("Review page: ", StringComparison.Ordinal));
        Assert.True(line?.StartsWith("Review page: ", StringComparison.Ordinal) == true, $"{line} {(child.HasExited ? await err : "")}");
        return (child, line!["Review page: ".Length..].Trim(), err);
    }

    [Theory]
    [InlineData("two inputs", 2)]
    [InlineData("not found", 1)]
    [InlineData("plan is a video", 2)]
    [InlineData("output is the input", 1)]
    public void Bad_command_lines_are_refused_with_one_line(string what, int exit)
    {
        string dir = TestPaths.NewTempDir();
        string photo = Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg");
        string[] args = what switch
        {
            "two inputs" => ["review", photo, photo],
            "not found" => ["review", Path.Combine(dir, "missing.mp4")],
            // Refused before the first pass: no model is given, so a detection would fail differently.
            "output is the input" => ["review", Path.Combine(TestPaths.Shared, "data", "videos", "intel_face-demographics-walking_preview.mp4"),
                "-o", Path.Combine(TestPaths.Shared, "data", "videos", "intel_face-demographics-walking_preview.mp4"), "--plan", Path.Combine(dir, "p.json"), "--models", dir],
            _ => ["review", photo, "--plan", Path.Combine(dir, "plan.mp4")],
        };
        var (code, _, err) = Cli.Run([.. args, "--no-browser"]);
        Assert.Equal(exit, code);
        if (what == "output is the input") Assert.Contains("overwrite the input", err);
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task A_folder_of_photos_is_reviewed_and_exported_with_a_photo_kept_as_it_was()
    {
        string dir = TestPaths.NewTempDir();
        string photos = Path.Combine(dir, "photos");
        Directory.CreateDirectory(photos);
        foreach (var name in new[] { "2008_001009.jpg", "2007_007763.jpg" })
            File.Copy(Path.Combine(TestPaths.DlibFaces, "images", name), Path.Combine(photos, name));
        string output = Path.Combine(dir, "out");
        await using var run = await ReviewRun.Start(Cli.WithModels("review", photos, "--no-browser", "-o", output, "--style", "fill"));
        Assert.True(run.Address.Length > 0, run.Stderr.ToString());
        using var http = new HttpClient();
        using var plan = JsonDocument.Parse(await http.GetStringAsync(run.Address + "api/plan"));
        var items = plan.RootElement.GetProperty("items");
        Assert.Equal(2, items.GetArrayLength());
        Assert.All(items.EnumerateArray(), i => Assert.Equal("photo", i.GetProperty("kind").GetString()));
        Assert.Equal(["2007_007763.jpg", "2008_001009.jpg"], items.EnumerateArray().Select(i => i.GetProperty("path").GetString()).Order());
        int upper = items.EnumerateArray().ToList().FindIndex(i => i.GetProperty("path").GetString() == "2008_001009.jpg");
        // Keep every face of one photo (the way the page's "Keep visible" does, one track at a time).
        foreach (var track in items[upper].GetProperty("tracks").EnumerateArray())
        {
            var edit = await http.PostAsync(run.Address + "api/edit", new StringContent(
                $$"""{"op":"keep","item":{{upper}},"track":{{track.GetProperty("id").GetInt32()}}}""", Encoding.UTF8, "application/json"));
            Assert.True(edit.IsSuccessStatusCode, await edit.Content.ReadAsStringAsync());
        }
        var started = await http.PostAsync(run.Address + "api/export", new StringContent("""{"style":"fill"}""", Encoding.UTF8, "application/json"));
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        string state = "";
        for (var until = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < until && !state.Contains("\"done\"") && !state.Contains("\"failed\""); await Task.Delay(200))
            state = await http.GetStringAsync(run.Address + "api/export");
        Assert.Contains("\"done\"", state);
        Assert.Equal(0, await run.Interrupt());

        // The kept photo's pixels are as decoded from the input (JPEG re-encoded at 95: close, not equal); the other's faces are black.
        var kept = Pixels(Path.Combine(output, "2008_001009.jpg"));
        var original = Pixels(Path.Combine(photos, "2008_001009.jpg"));
        Assert.True(MeanDifference(kept, original) < 3, "the kept photo was changed");
        var covered = Pixels(Path.Combine(output, "2007_007763.jpg"));
        // dlib-faces' first face of 2007_007763: 194,90 37×37 (the photo is 500 wide).
        Assert.True(MeanOf(covered, 500, 194 + 8, 90 + 8, 21, 21) < 20, "a face of the other photo is not covered");
        Assert.Contains("kept visible by consent", run.Stdout.ToString());
    }

    private static byte[] Pixels(string photo)
    {
        string raw = photo + ".rgb";
        var r = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-i", photo, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        Assert.True(r.Exit == 0, r.Err);
        return File.ReadAllBytes(raw);
    }

    private static double MeanDifference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }

    private static double MeanOf(byte[] rgb, int width, int x0, int y0, int w, int h)
    {
        long sum = 0;
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
                for (int c = 0; c < 3; c++) sum += rgb[(y * width + x) * 3 + c];
        return (double)sum / (w * h * 3);
    }
}
