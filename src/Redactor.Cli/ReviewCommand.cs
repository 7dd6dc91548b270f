using System.Diagnostics;
using Redactor.FFmpeg;
using Redactor.Review;

namespace Redactor.Cli;

/// <summary>
/// <c>review INPUT</c>: the first pass (or the plan an earlier review of the same input saved), then the local review
/// page until the person presses "Finish review" or Ctrl-C. Every decision is in the plan file as soon as it is made;
/// Export in the page renders from it as <c>redact --plan</c> does.
/// </summary>
internal static class ReviewCommand
{
    public static int Run(ReviewOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        Commands.Validate(o);
        var style = Commands.StyleOf(o);
        var inputs = o.Inputs.ToList();
        if (inputs.Count != 1) throw new UsageException("review takes one video, one photo or one folder of photos");
        string input = inputs[0].Length > 1 ? Path.TrimEndingDirectorySeparator(inputs[0]) : inputs[0];
        bool folder = Directory.Exists(input);
        if (!folder && !File.Exists(input)) throw new MediaException($"{input}: not found");
        var kind = folder ? MediaKind.Photo : Inputs.KindOf(input)
            ?? throw new MediaException($"{input}: not a photo or video ({Inputs.SupportedTypes})");
        string planPath = Path.GetFullPath(o.Plan ?? input + ".review.json");
        if (Inputs.KindOf(planPath) is not null || Directory.Exists(planPath))
            throw new UsageException($"--plan {o.Plan}: name a .json file for the plan");

        // Before any work: an hour's first pass must not end in a plan that cannot be written.
        try
        {
            Commands.PrepareOutput(planPath, overwrite: true);
        }
        catch (MediaException e)
        {
            throw new MediaException($"the plan cannot be written: {e.Message}; name another file with --plan");
        }

        // The video's output, refused now (the input itself, a folder…) rather than after the first pass.
        string videoOutput = kind == MediaKind.Video ? Inputs.Plan([input], o.Output, false, withOutputs: true)[0] switch
        {
            { Error: { } error } => throw new MediaException(error),
            var item => item.Output!,
        } : "";

        // One review of a plan at a time: two would each save their own copy over the other's, and a box drawn in one
        // would be lost without a word.
        using var held = HoldPlan(planPath);
        if (FrameCache.RemoveAbandoned() is > 0 and var abandoned && !o.Quiet)
            stderr.WriteLine($"note: removed the frame pictures of {abandoned} review{(abandoned == 1 ? "" : "s")} stopped before it could clean up ({Path.GetTempPath()}redactor-review-*)");

        // Photos: the folder's (or the one photo's), with the outputs redact would write for them.
        string root = folder ? input : Path.GetDirectoryName(Path.GetFullPath(input))!;
        // How plan items name photos: relative to the folder, or by file name for one photo.
        string? photoRoot = folder ? root : null;
        List<WorkItem> photos = [];
        if (kind == MediaKind.Photo)
        {
            var items = Inputs.Plan([input], o.Output, o.Recursive, withOutputs: true, out var skipped);
            Commands.ReportSkipped(skipped, o.Quiet, stderr);
            foreach (var refused in items.Where(i => i.Error is not null || i.Kind != MediaKind.Photo))
                stderr.WriteLine(refused.Kind == MediaKind.Video
                    ? $"note: skipped {refused.Input}: a video is reviewed on its own ('redactor review {refused.Input}')"
                    : $"error: {refused.Input}: {refused.Error}");
            photos = items.Where(i => i.Error is null && i.Kind == MediaKind.Photo).ToList();
            if (photos.Count == 0) throw new UsageException($"no photos found in {input}");
        }

        using var engine = new Engine(o);
        FrameCache? cache = null;
        try
        {
            ReviewPlan plan = default!;
            MediaInfo? info = kind == MediaKind.Video ? Engine.ProbeVideo(input, ct) : null;
            ProgressView.Create(o.Quiet, stderr).Run(view =>
            {
                var progress = view.For(Path.GetFileName(input));
                if (File.Exists(planPath))
                {
                    plan = Resume(planPath, input, photoRoot, kind, photos, ct);
                    foreach (var added in photos.Select(p => Engine.PlanPath(photoRoot, p.Input)).Except(plan.Items.Select(i => i.Path)))
                        view.Print(stderr, $"note: {added} is not in the plan (added since the review began, or unreadable then): it is not shown or exported; review it with a new --plan");
                    if (!o.Quiet) view.Print(stdout, $"resuming the review saved in {planPath}");
                    if (info is not null) cache = FrameCache.Fill(input, info, plan.Items[0].Identity.Frames, progress, ct);
                    return;
                }
                if (engine.LoadDetector() is { } warning) view.Print(stderr, warning);
                if (info is not null)
                {
                    var (w, h) = info.DetectionSize();
                    cache = new FrameCache(w, h);
                    plan = engine.NewPlan([engine.PlanVideo(input, progress, ct, line => view.Print(stderr, line), cache.Put)]);
                }
                else
                {
                    var items = engine.PlanPhotos(photoRoot, photos.Select(p => p.Input).ToList(),
                        (photo, reason) => view.Print(stderr, $"error: {photo}: {reason}"), line => view.Print(stderr, line), ct);
                    if (items.Count == 0) throw new MediaException($"none of the {photos.Count} photos could be read");
                    plan = engine.NewPlan(items);
                }
                PlanJson.Write(plan, planPath);
            });

            var outputs = photos.ToDictionary(p => Engine.PlanPath(photoRoot, p.Input), p => (p.Input, Output: p.Output!));
            var exporter = new Exporter(engine, o, Path.GetFileName(planPath), kind == MediaKind.Video ? (_ => (input, videoOutput)) : path => outputs[path], stdout, stderr);
            var media = new ReviewMedia(kind == MediaKind.Video ? input : root, plan.Items, cache, exporter.Export);
            var session = new ReviewSession(plan, planPath, media, style);
            return Serve(session, planPath, input, o, stdout, stderr, ct);
        }
        finally
        {
            cache?.Dispose();
        }
    }

    /// <summary>The plan's lock, held for the whole review: a hidden file beside it, locked exclusively (flock, through
    /// FileShare.None) and removed when the review ends. Left by a review killed outright, it is simply locked again.</summary>
    private static FileStream HoldPlan(string planPath)
    {
        string lockPath = Path.Combine(Path.GetDirectoryName(planPath)!, "." + Path.GetFileName(planPath) + ".lock");
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new MediaException($"another review of {planPath} is running: finish it first (its page has 'Finish review'), or give this one another --plan");
        }
    }

    /// <summary>An earlier review's plan, if it is for this input: the same files, byte for byte.</summary>
    private static ReviewPlan Resume(string planPath, string input, string? photoRoot, MediaKind kind, List<WorkItem> photos, CancellationToken ct)
    {
        var plan = PlanJson.Read(planPath);
        string name = Path.GetFileName(planPath);
        if (kind == MediaKind.Video)
        {
            if (plan.Items is not [{ Kind: PlanItemKind.Video } item])
                throw new MediaException($"the plan {planPath} is not for one video; give another --plan to start a new review");
            Engine.CheckBytes(input, item, name, ct);
            return plan;
        }
        if (plan.Items.Any(i => i.Kind != PlanItemKind.Photo))
            throw new MediaException($"the plan {planPath} is for a video, not photos; give another --plan to start a new review");
        var files = photos.ToDictionary(p => Engine.PlanPath(photoRoot, p.Input), p => p.Input);
        foreach (var item in plan.Items)
        {
            if (!files.TryGetValue(item.Path, out var file))
                throw new MediaException($"the plan {planPath} lists {item.Path}, which is not in {input} any more; give another --plan to start a new review");
            Engine.CheckBytes(file, item, name, ct);
        }
        return plan;
    }

    private static int Serve(ReviewSession session, string planPath, string input, ReviewOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var server = ReviewServer.StartAsync(session, stderr, ct).GetAwaiter().GetResult();
        try
        {
            stdout.WriteLine($"Review page: {server.Address}");
            stdout.WriteLine($"Plan: {planPath} (saved after every change)");
            stdout.WriteLine("Press 'Finish review' in the page, or Ctrl-C here, when you are done.");
            using var opened = o.NoBrowser ? null : OpenBrowser(server.Address, stderr);
            try
            {
                server.Finished.Wait(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C is how a review ends: nothing is lost, every decision is in the plan already.
            }
            catch (AggregateException e) when (e.InnerException is TaskCanceledException)
            {
            }
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        stdout.WriteLine($"Review ended. Your decisions are in {planPath}; to write the redacted copy from them at any time: redactor redact {Quote(input)} --plan {Quote(planPath)}");
        return App.Ok;
    }

    private static string Quote(string path) => path.All(c => char.IsLetterOrDigit(c) || c is '/' or '.' or '-' or '_') ? path : $"'{path.Replace("'", "'\\''")}'";

    /// <summary>Opens the page in the desktop's browser when there is a desktop (xdg-open); otherwise the address printed
    /// is the way in. The browser is handed a file, not the address: a program's arguments are in the process list for
    /// every user of the machine to read, and the address holds the token. The file is a redirect to the address, in a
    /// 0700 folder, removed when the review ends (the returned folder's disposal).</summary>
    private static IDisposable? OpenBrowser(Uri address, TextWriter stderr)
    {
        bool desktop = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        var opener = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "xdg-open")).FirstOrDefault(File.Exists);
        if (!desktop || opener is null)
        {
            stderr.WriteLine("note: no desktop browser to open here: open the address above in a browser on this machine");
            return null;
        }
        var folder = new PrivateFolder();
        try
        {
            string page = Path.Combine(folder.Path, "open-review.html");
            string url = System.Net.WebUtility.HtmlEncode(address.ToString());
            using (var file = new FileStream(page, FileMode.CreateNew, FileAccess.Write))
            using (var text = new StreamWriter(file))
                text.Write($"<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>Redactor review</title><a href=\"{url}\">Open the review page</a>");
            var psi = new ProcessStartInfo(opener) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(page);
            using var p = Process.Start(psi);
            return folder;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            folder.Dispose();
            stderr.WriteLine($"note: could not open a browser ({e.Message}): open the address above");
            return null;
        }
    }

    /// <summary>A folder only this user can read (mkdtemp, 0700), removed on disposal.</summary>
    private sealed class PrivateFolder : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("redactor-open-");
        public string Path => _folder.FullName;

        public void Dispose()
        {
            try
            {
                _folder.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Export from the page: every item rendered from the plan's snapshot, as <c>redact --plan</c> renders it. An
    /// output this review wrote before is replaced; any other existing file only with --overwrite.</summary>
    private sealed class Exporter(Engine engine, ReviewOptions o, string planName, Func<string, (string Input, string Output)> files, TextWriter stdout, TextWriter stderr)
    {
        private readonly HashSet<string> _written = new(StringComparer.Ordinal);

        public ExportResult Export(ReviewPlan plan, RedactionOptions style, IProgress<double> progress, CancellationToken ct)
        {
            var outputs = new List<string>();
            var summary = new List<string>();
            long total = plan.Items.Sum(i => i.Identity.Frames), before = 0;
            foreach (var item in plan.Items)
            {
                var (input, output) = files(item.Path);
                bool replace = o.Overwrite || _written.Contains(Path.GetFullPath(output));
                Commands.PrepareOutput(output, replace);
                long done = before;
                var frames = new Reporting(p => progress.Report(total == 0 ? 1 : (double)(done + p.Done) / total));
                var result = engine.RenderPlan(input, output, item, style, frames, ct,
                    new RenderSettings(replace, o.Audio, o.Crf), line => stderr.WriteLine(line), planName);
                _written.Add(Path.GetFullPath(output));
                outputs.Add(output);
                before += item.Identity.Frames;
                progress.Report((double)before / total);
                string line = $"{input} -> {output} ({result.Frames} frame{(result.Frames == 1 ? "" : "s")}, {result.Regions} regions covered)";
                summary.Add(line);
                stdout.WriteLine($"exported: {line}");
                foreach (var s in result.Summary)
                {
                    summary.Add((plan.Items.Count > 1 ? item.Path + ": " : "") + s);
                    stdout.WriteLine($"  {s}");
                }
            }
            return new ExportResult(outputs, summary);
        }
    }

    /// <summary>Reports on the calling thread (a <see cref="Progress{T}"/> posts to the thread pool, out of order).</summary>
    private sealed class Reporting(Action<PipelineProgress> report) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => report(value);
    }
}
