using System.Diagnostics;
using Microsoft.Playwright;

/// <summary>
/// "review-steps URL [STEPS]": how long the review page takes to show a frame, in Debian's chromium driven by Playwright,
/// as a person steps (→, one frame at a time, after the frame before is on screen) and jumps (to frames never shown,
/// through the address). Start the page first: <c>./redactor review VIDEO --no-browser</c>, then pass its address.
/// Prints the median, 90th percentile and worst time from key press (or jump) to the new frame's picture drawn.
/// </summary>
internal static class ReviewSteps
{
    public static void Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task RunAsync(string[] args)
    {
        if (args.Length < 1) throw new ArgumentException("usage: review-steps URL [STEPS]");
        string url = args[0].TrimEnd('/') + "/";
        int steps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100;
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        await page.WaitForSelectorAsync("#stage[data-frame='0']");

        var stepTimes = new List<double>();
        for (int n = 1; n <= steps; n++)
        {
            var clock = Stopwatch.StartNew();
            await page.Keyboard.PressAsync("ArrowRight");
            await page.WaitForSelectorAsync($"#stage[data-frame='{n}']", new PageWaitForSelectorOptions { Timeout = 10_000 });
            stepTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
        Report($"step (→, {steps} frames)", stepTimes);

        // Jumps to frames far from any fetched ahead: the cache's cold path.
        int frames = await page.EvaluateAsync<int>("() => Number(document.getElementById('frameCount').textContent)");
        var jumpTimes = new List<double>();
        var random = new Random(1);
        for (int i = 0; i < 20; i++)
        {
            int target = random.Next(steps + 10, Math.Max(steps + 11, frames));
            var clock = Stopwatch.StartNew();
            await page.EvaluateAsync("(f) => { const s = document.getElementById('scrubber'); s.value = String(f); s.dispatchEvent(new Event('input', { bubbles: true })); }", target);
            await page.WaitForSelectorAsync($"#stage[data-frame='{target}']", new PageWaitForSelectorOptions { Timeout = 10_000 });
            jumpTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
        Report("jump (scrubber, 20 frames)", jumpTimes);
    }

    private static void Report(string what, List<double> ms)
    {
        ms.Sort();
        double Pct(double p) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(p * ms.Count) - 1)];
        Console.WriteLine($"{what}: median {Pct(0.5):0} ms, 90th percentile {Pct(0.9):0} ms, worst {ms[^1]:0} ms");
    }
}
