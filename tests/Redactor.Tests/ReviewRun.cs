using Xunit;

namespace Redactor.Tests;

/// <summary>The <c>review</c> command run in this process on a task, as a user's terminal runs it: its address read from
/// what it prints, stopped by Ctrl-C (cancellation) or by the page's Finish.</summary>
internal sealed class ReviewRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(5));

    private ReviewRun(string[] args)
    {
        Exit = Task.Run(() => Redactor.Cli.App.Run(args, Stdout, Stderr, _stop.Token));
    }

    public SharedWriter Stdout { get; } = new();
    public SharedWriter Stderr { get; } = new();
    public Task<int> Exit { get; }

    /// <summary>The page's address (with its token), once printed.</summary>
    public string Address { get; private set; } = "";

    /// <summary>Starts <c>redactor ARGS</c> and waits for the page's address; null address (and the exit code known)
    /// when the command ended without serving.</summary>
    public static async Task<ReviewRun> Start(params string[] args)
    {
        var run = new ReviewRun(args);
        var until = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < until && !run.Exit.IsCompleted)
        {
            var line = run.Stdout.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("Review page: ", StringComparison.Ordinal));
            if (line is not null)
            {
                run.Address = line["Review page: ".Length..].Trim();
                return run;
            }
            await Task.Delay(100);
        }
        if (!run.Exit.IsCompleted) throw new InvalidOperationException($"the review printed no address: {run.Stdout} {run.Stderr}");
        return run;
    }

    /// <summary>A 3 s clip at 10 fps, 640×480 (clip.mp4 in <paramref name="dir"/>): dlib-faces' 2008_001009 (two faces) at the
    /// top left, and a 40×40 magenta square at x = 420 + 4n, y = 200 on frame n, which no detector takes for a face.</summary>
    public static string MakeClip(string dir)
    {
        string clip = Path.Combine(dir, "clip.mp4");
        var made = TestPaths.Tool("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=640x480:r=10:d=3",
            "-loop", "1", "-i", Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg"),
            "-f", "lavfi", "-i", "color=c=magenta:s=40x40:r=10",
            "-filter_complex", "[0][1]overlay=0:0:shortest=1[a];[a][2]overlay=x='420+4*n':y=200:shortest=1,format=yuv420p",
            "-frames:v", "30", "-c:v", "libx264", "-crf", "12", clip);
        Assert.True(made.Exit == 0, made.Err);
        return clip;
    }

    /// <summary>Ctrl-C, and the exit code.</summary>
    public async Task<int> Interrupt()
    {
        _stop.Cancel();
        return await Exit.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAny(Exit, Task.Delay(10_000));
        _stop.Dispose();
    }
}

/// <summary>Written by the command's threads while the test reads it.</summary>
internal sealed class SharedWriter : TextWriter
{
    private readonly System.Text.StringBuilder _text = new();
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
    public override void Write(char value) { lock (_text) _text.Append(value); }
    public override void Write(string? value) { lock (_text) _text.Append(value); }
    public override void WriteLine(string? value) { lock (_text) _text.Append(value).Append('\n'); }
    public override string ToString() { lock (_text) return _text.ToString(); }
}
