using System.Diagnostics;
using System.Text.Json;
using Redactor.FFmpeg;
using Redactor.OpenCv;
using Redactor.Review;

namespace Redactor.Cli;

internal static class Commands
{
    public static int Redact(RedactOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        Validate(o);
        var style = StyleOf(o);
        var plan = o.Plan is null ? null : ReadPlan(o);
        // A plan made for a folder's subfolders names them: its photos are looked for there, as the review found them.
        bool recursive = o.Recursive || plan is not null && plan.Items.Any(i => i.Path.Contains('/'));
        var items = Inputs.Plan(o.Inputs, o.Output, recursive, withOutputs: true, out var skipped);
        ReportSkipped(skipped, o.Quiet, stderr);
        if (items.Count == 0) throw new UsageException("no photos or videos found in the given inputs");
        if (o.Style != RedactionStyle.Fill && !o.Color.Equals(new RedactOptions().Color, StringComparison.OrdinalIgnoreCase))
            stderr.WriteLine($"warning: --color is used with --style fill only; the faces are covered by {o.Style.ToString().ToLowerInvariant()}");
        var planned = plan is null ? null : MatchPlan(plan, o, items, stderr);

        RemoveStaleTemporaries(items.Where(i => i.Error is null).Select(i => i.Output!), o.Quiet, stderr);

        int done = 0, failed = 0;
        using var engine = new Engine(o);
        // A plan's render finds no faces: it needs no model.
        if (planned is null) RequireModel(engine, items, stderr);
        var redactor = new FrameRedactor(style);
        ProgressView.Create(o.Quiet, stderr).Run(view =>
        {
            // What one input came to: the summary line and any warning, or the reason it failed.
            (string? Line, string? Error, string? Warning) Process(WorkItem item, Func<string, (string What, string? Warning)> work)
            {
                var clock = Stopwatch.StartNew();
                bool started = false;
                try
                {
                    if (item.Error is not null) throw new MediaException(item.Error);
                    var output = item.Output!;
                    PrepareOutput(output, o.Overwrite);
                    started = true;
                    var (what, warning) = work(output);
                    return ($"{item.Input} -> {output} ({what}, {clock.Elapsed.TotalSeconds:0.0} s)", null, warning is null ? null : $"warning: {item.Input}: {warning}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (item.Kind == MediaKind.Video && started) ThrowIfInterrupted(ct);
                    return (null, $"error: {item.Input}: {Reason(e)}", null);
                }
            }
            void Report((string? Line, string? Error, string? Warning) result)
            {
                if (result.Error is not null) { failed++; view.Print(stderr, result.Error); return; }
                if (result.Warning is not null) view.Print(stderr, result.Warning);
                done++;
                if (!o.Quiet) view.Print(stdout, result.Line!);
            }

            for (int i = 0; i < items.Count;)
            {
                ct.ThrowIfCancellationRequested();
                // Refused before any work (not found, a HEIC): named without building detectors, which would fail a run
                // of such files alone for want of a model they never needed.
                if (items[i].Error is not null)
                {
                    Report(Process(items[i++], _ => throw new InvalidOperationException("a refused input is never worked on")));
                    continue;
                }
                if (planned is not null)
                {
                    var input = items[i++];
                    IReadOnlyList<string> summary = [];
                    var result = Process(input, output =>
                    {
                        if (!planned.TryGetValue(input, out var item))
                            throw new MediaException($"not in the plan {o.Plan} (it was not reviewed): review it, or redact it without --plan");
                        var r = engine.RenderPlan(input.Input, output, item, style, view.For(Path.GetFileName(input.Input)), ct,
                            RenderSettings.Of(o), line => view.Print(stderr, line), o.Plan!);
                        summary = r.Summary;
                        string regions = $"{r.Regions} region{(r.Regions == 1 ? "" : "s")} covered from the plan";
                        return (item.Kind == PlanItemKind.Video ? $"{r.Frames} frames, {regions}" : regions, null);
                    });
                    // What the plan decided, under the line that names the output.
                    Report(result.Line is null ? result : (result.Line + string.Concat(summary.Select(line => Environment.NewLine + "  " + line)), result.Error, result.Warning));
                    continue;
                }
                if (items[i].Kind == MediaKind.Photo)
                {
                    // A run of photos goes through one worker a core; results are reported in input order.
                    int end = i;
                    while (end < items.Count && items[end].Kind == MediaKind.Photo && items[end].Error is null) end++;
                    engine.ForEachPhoto(items.GetRange(i, end - i), style, (item, photos) => Process(item, output =>
                    {
                        var (faces, warning) = photos.Redact(item.Input, output, o.Overwrite);
                        return ($"{faces} face{(faces == 1 ? "" : "s")}", warning);
                    }), Report, ct);
                    i = end;
                    continue;
                }
                var video = items[i++];
                Report(Process(video, output =>
                {
                    var r = engine.RedactVideo(video.Input, output, o, redactor, view.For(Path.GetFileName(video.Input)), line => view.Print(stderr, line), ct);
                    return ($"{r.Frames} frames, {r.Detections} detections, {r.Regions} regions covered", null);
                }));
            }
        });
        if (!o.Quiet && (items.Count > 1 || skipped.Count > 0))
            stdout.WriteLine($"{done} redacted, {failed} failed{(skipped.Count > 0 ? $", {skipped.Count} skipped" : "")}");
        return failed == 0 ? App.Ok : App.SomeFailed;
    }

    /// <summary>Reads <c>--plan</c>'s file, after refusing the options that choose how faces are found (a render from a plan
    /// finds none, and would silently ignore them). A plan that cannot be read or used fails the run (exit code 1).</summary>
    private static ReviewPlan ReadPlan(RedactOptions o)
    {
        var detection = RedactOptions.DetectionOptions.Where(o.Given.Contains).Select(n => "--" + n).ToList();
        if (detection.Count > 0)
            throw new UsageException($"{string.Join(", ", detection)}: not with --plan (a plan's render finds no faces: it covers what the plan says)");
        if (o.Inputs.Count() != 1) throw new UsageException("--plan renders one input: the file, or folder of photos, the plan was made for");
        try
        {
            return PlanJson.Read(o.Plan!);
        }
        catch (PlanException e)
        {
            throw new MediaException(e.Message);
        }
    }

    /// <summary>
    /// Each input's plan item. A single file takes a plan of one item (checked against the file before any work); a
    /// folder's photos and videos are matched by their path relative to it. An input the plan does not list is an error
    /// of its own when its turn comes (nobody reviewed it); a plan item the folder does not hold is only named: there is
    /// nothing of it to publish.
    /// </summary>
    private static Dictionary<WorkItem, PlanItem> MatchPlan(ReviewPlan plan, RedactOptions o, List<WorkItem> items, TextWriter stderr)
    {
        var root = o.Inputs.Single();
        var matched = new Dictionary<WorkItem, PlanItem>();
        if (!Directory.Exists(root))
        {
            if (plan.Items.Count != 1)
                throw new MediaException($"{root}: the plan {o.Plan} lists {plan.Items.Count} files: give the folder it was made for");
            if (items.Single() is { Error: null } single) matched[single] = plan.Items[0];
            return matched;
        }
        var byPath = plan.Items.ToDictionary(i => i.Path, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var path = Engine.PlanPath(root, item.Input);
            found.Add(path);
            if (item.Error is null && byPath.TryGetValue(path, out var planItem)) matched[item] = planItem;
        }
        foreach (var missing in plan.Items.Where(i => !found.Contains(i.Path)))
            stderr.WriteLine($"warning: {o.Plan}: {missing.Path} is in the plan but not in {root}");
        return matched;
    }

    /// <summary>The style the output options ask for; a bad value is a usage error named as the user typed it.</summary>
    internal static RedactionOptions StyleOf(OutputOptions o)
    {
        if (o.Crf is < 0 or > 51) throw new UsageException($"--crf must be 0..51 (got {o.Crf})");
        if (!Rgb.TryParse(o.Color, out var colour)) throw new UsageException($"--color must be RRGGBB hex, like ff00ff (got '{o.Color}')");
        try
        {
            return new RedactionOptions(o.Style, o.Shape, o.MaskScale, colour, maskMargin: o.MaskMargin);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Named as the user typed it, not by the constructor's parameter ('maskScale').
            string option = e.ParamName switch { "maskScale" => "--mask-scale", "maskMargin" => "--mask-margin", var p => $"--{p}" };
            string reason = e.Message.Split(Environment.NewLine)[0];
            int at = reason.IndexOf(" (Parameter", StringComparison.Ordinal);
            throw new UsageException($"{option}: {(at >= 0 ? reason[..at] : reason)} (got {e.ActualValue})");
        }
    }

    public static int Detect(DetectOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        Validate(o);
        var items = Inputs.Plan(o.Inputs, null, o.Recursive, withOutputs: false, out var skipped);
        ReportSkipped(skipped, o.Quiet, stderr); // the report may go to stdout; stderr is free for the notes
        if (items.Count == 0) throw new UsageException("no photos or videos found in the given inputs");
        bool toStdout = o.Json == "-";
        if (!toStdout) RefuseReportOverMedia(o.Json, items);
        // A device or pipe (/dev/null, /dev/stdout, >(jq .)) is written as it is: renaming a finished file over it
        // would replace it. Regular files are written beside and renamed into place when complete.
        string jsonPath = Path.GetFullPath(o.Json);
        bool direct = !toStdout && FileKinds.IsSpecial(jsonPath);
        bool viaTemp = !toStdout && !direct;
        if (viaTemp)
        {
            PrepareOutput(jsonPath, overwrite: true);
            RemoveStaleTemporaries([jsonPath], o.Quiet, stderr);
        }
        int failed = 0;
        using var engine = new Engine(o);
        RequireModel(engine, items, stderr);
        using var temp = viaTemp ? TempFile.Beside(jsonPath) : null;
        // The temporary file's stream is its lock, and stays open until it is renamed into place.
        using (var stream = toStdout ? Console.OpenStandardOutput()
               : direct ? new FileStream(jsonPath, FileMode.Open, FileAccess.Write)
               : new KeepOpen(temp!.Stream))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("redactor", App.Version);
            json.WriteStartArray("files");
            ProgressView.Create(o.Quiet || toStdout, stderr).Run(view =>
            {
                foreach (var item in items)
                {
                    ct.ThrowIfCancellationRequested();
                    bool started = false;
                    try
                    {
                        if (item.Error is not null) throw new MediaException(item.Error);
                        started = true;
                        if (item.Kind == MediaKind.Photo) DetectPhoto(engine, item.Input, json, line => view.Print(stderr, line));
                        else DetectVideo(engine, item.Input, json, view.For(Path.GetFileName(item.Input)), line => view.Print(stderr, line), ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        if (item.Kind == MediaKind.Video && started) ThrowIfInterrupted(ct);
                        failed++;
                        view.Print(stderr, $"error: {item.Input}: {Reason(e)}");
                    }
                }
            });
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (temp is not null)
        {
            temp.Publish(jsonPath, overwrite: true);
            if (!o.Quiet) stdout.WriteLine($"wrote {o.Json} ({items.Count - failed} file{(items.Count - failed == 1 ? "" : "s")})");
        }
        return failed == 0 ? App.Ok : App.SomeFailed;
    }

    /// <summary>A stream whose disposal leaves the stream it wraps open (here a locked temporary file's, closed by its
    /// <see cref="TempFile"/> once renamed into place).</summary>
    private sealed class KeepOpen(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Flush();
            base.Dispose(disposing);
        }
    }

    private static void DetectPhoto(Engine engine, string path, Utf8JsonWriter json, Action<string> warn)
    {
        var frame = ImageFiles.Read(path, out var warning);
        if (warning is not null) warn($"warning: {path}: {warning}");
        var faces = engine.DetectPhoto(frame);
        json.WriteStartObject();
        json.WriteString("path", path);
        json.WriteString("kind", "photo");
        json.WriteNumber("width", frame.Width);
        json.WriteNumber("height", frame.Height);
        json.WriteStartArray("frames");
        WriteFrame(json, 0, 0, faces.Select(f => new Region(f.Box, f.Score, null, RegionSource.Detected)));
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void DetectVideo(Engine engine, string path, Utf8JsonWriter json, IProgress<PipelineProgress> progress, Action<string> warn, CancellationToken ct)
    {
        var info = Engine.ProbeVideo(path, ct);
        var (regions, detections) = engine.AnalyseVideo(path, info, progress, ct, warn);
        var (w, h) = info.DisplaySize();
        WriteVideo(json, path, w, h, MediaProbe.ParseRate(info.EncoderFrameRate()) ?? 0, detections, regions);
    }

    /// <summary>One video's entry of the report: its frames' regions (boxes in source pixels, before the mask is grown).</summary>
    internal static void WriteVideo(Utf8JsonWriter json, string path, int w, int h, double fps, IReadOnlyList<FrameDetections> detections, IEnumerable<IReadOnlyList<Region>> regions)
    {
        json.WriteStartObject();
        json.WriteString("path", path);
        json.WriteString("kind", "video");
        json.WriteNumber("width", w);
        json.WriteNumber("height", h);
        json.WriteNumber("fps", Math.Round(fps, 3));
        json.WriteNumber("frame_count", detections.Count);
        json.WriteStartArray("frames");
        int i = 0;
        foreach (var frame in regions) WriteFrame(json, i, detections[i++].Time, frame);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFrame(Utf8JsonWriter json, long index, double time, IEnumerable<Region> regions)
    {
        json.WriteStartObject();
        json.WriteNumber("frame", index);
        json.WriteNumber("time", Math.Round(time, 4));
        json.WriteStartArray("regions");
        foreach (var r in regions)
        {
            json.WriteStartObject();
            json.WriteNumber("x", Math.Round(r.Box.X, 1));
            json.WriteNumber("y", Math.Round(r.Box.Y, 1));
            json.WriteNumber("w", Math.Round(r.Box.Width, 1));
            json.WriteNumber("h", Math.Round(r.Box.Height, 1));
            json.WriteNumber("score", Math.Round(r.Score, 3));
            if (r.TrackId is int id) json.WriteNumber("track", id);
            else json.WriteNull("track");
            json.WriteString("source", r.Source.ToString().ToLowerInvariant());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static int Models(ModelsOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var store = new ModelStore(ModelStore.DefaultDirectory(o.Models, Environment.GetEnvironmentVariable));
        switch (o.Action.ToLowerInvariant())
        {
            case "list":
                stdout.WriteLine($"model folder: {store.Directory}");
                foreach (var m in ModelStore.Catalog)
                    stdout.WriteLine($"  {m.Name,-16} {(store.IsInstalled(m) ? "installed" : "missing  ")}  {m.FileName,-34} {m.License,-10} {m.Description}");
                stdout.WriteLine("licences: MIT and Apache-2.0 allow any use; GPL-3.0 (the YOLOv5-face weights) allows any use, and whoever passes the program on with them must offer its source under the GPL too. SCRFD's weights (InsightFace) are for non-commercial research only: not for work paid for or published commercially.");
                return App.Ok;
            case "install":
                int failed = 0;
                if (store.RemoveStaleTemporaries() is { Count: > 0 } removed) stderr.WriteLine(StaleNote(store.Directory, removed, "an install"));
                foreach (var m in ModelStore.Catalog)
                {
                    // A model with no download is optional (the default detector runs without it, and says so): without
                    // --from, or when the folder does not hold it, say how to get it and go on; the others still install and
                    // decide the exit code.
                    if (m.LocalOnly && (o.From is null || ModelStore.SourceIn(m, o.From) is null))
                    {
                        stdout.WriteLine(o.From is null
                            ? $"skipped {m.Name}: it has no download; it installs only with 'redactor models install --from DIR', DIR holding {m.FileName}" +
                              (m == Engine.YoloModel && !store.IsInstalled(m) ? " (the default detector runs without it, leaving more small faces visible)" : "")
                            : $"skipped {m.Name}: {m.FileName} is not in {o.From} (nor in its candidates/ folder)");
                        continue;
                    }
                    try
                    {
                        var path = o.From is not null ? store.InstallFrom(m, o.From) : ModelDownloader.Download(store, m, ct);
                        stdout.WriteLine($"installed {m.Name}: {path} (sha256 ok)");
                    }
                    catch (Exception e) when (e is MediaException or IOException or UnauthorizedAccessException or HttpRequestException)
                    {
                        failed++;
                        stderr.WriteLine($"error: {m.Name}: {Reason(e)}");
                    }
                }
                return failed == 0 ? App.Ok : App.SomeFailed;
            default:
                throw new UsageException($"unknown models action '{o.Action}' (use list or install)");
        }
    }

    /// <summary>How long a failure waits for a Ctrl-C that may have caused it: the terminal signals ffmpeg too (it is in
    /// our process group), and its death could surface as "ffmpeg failed" before the signal reached our handler (3 runs
    /// of 3 stopped during the render pass exited 1 with that error instead of 130).</summary>
    internal static readonly TimeSpan SignalGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Turns a video's failure into the interruption behind it, if the run is being interrupted. Only failures
    /// after ffmpeg may have run wait: photos do not run it, and an input refused before (an output already there, a file
    /// not found) would make a folder of them pay half a second each.</summary>
    internal static void ThrowIfInterrupted(CancellationToken ct)
    {
        if (ct.IsCancellationRequested || ct.CanBeCanceled && ct.WaitHandle.WaitOne(SignalGrace)) throw new OperationCanceledException(ct);
    }

    /// <summary>The report replaces whatever file <c>--json</c> names, so it must not name an input or any photo or video
    /// (<c>detect clip.mp4 --json clip.mp4</c> overwrote the clip).</summary>
    private static void RefuseReportOverMedia(string json, List<WorkItem> items)
    {
        // Asked where the report is written: its full path, '..' taken away by its text (see Inputs.CheckOutput).
        var written = Path.GetFullPath(json);
        if (Directory.Exists(written))
            throw new UsageException($"--json {json} is a folder: name a file for the report");
        if (items.FirstOrDefault(i => File.Exists(i.Input) && Inputs.SameFile(i.Input, written)) is { } input)
            throw new UsageException($"--json {json} is the input {input.Input}: name another file for the report");
        if (Inputs.KindOf(json) is not null)
            throw new UsageException($"--json {json} has a photo or video extension: name a .json file for the report");
    }

    /// <summary>A missing model fails every input alike: say so once, before any work, instead of once a file (and a
    /// missing optional one is said once too).</summary>
    private static void RequireModel(Engine engine, List<WorkItem> items, TextWriter stderr)
    {
        if (items.Any(i => i.Error is null) && engine.LoadDetector() is { } warning) stderr.WriteLine(warning);
    }

    internal static void Validate(MediaOptions o)
    {
        if (!(o.Threshold > 0 && o.Threshold < 1)) throw new UsageException($"--threshold must be between 0 and 1 (got {o.Threshold})");
        if (!(o.MinFace >= 4 && o.MinFace <= 512)) throw new UsageException($"--min-face must be 4..512 pixels (got {o.MinFace})");
        // Without tracking nothing carries a small face over the frames --fast skips: refuse rather than leave them.
        if (o.Fast && o.NoTrack) throw new UsageException("--fast needs tracking: use one of --fast and --no-track");
    }

    /// <summary>What folders held besides the photos and videos processed, a line for each reason: a hidden file may be
    /// a picture someone hid, an AppleDouble '._' copy only looks like one, and no file goes unmentioned.</summary>
    internal static void ReportSkipped(List<Skipped> skipped, bool quiet, TextWriter stderr)
    {
        if (quiet) return;
        foreach (var group in skipped.GroupBy(s => s.Reason))
        {
            var paths = group.Select(s => s.Path).ToList();
            int n = paths.Count;
            string files = n == 1 ? "file" : "files";
            string what = group.Key switch
            {
                SkipReason.Hidden => $"{n} hidden {(group.All(s => Directory.Exists(s.Path)) ? (n == 1 ? "folder" : "folders") : files)} (named with a leading '.'"
                    + $"{(paths.Any(p => Path.GetFileName(p).StartsWith("._", StringComparison.Ordinal)) ? "; '._' files are macOS resource forks, not pictures" : "")})",
                SkipReason.NotMedia => $"{n} {files} that {(n == 1 ? "is" : "are")} not a photo or video",
                SkipReason.EarlierOutput => $"{n} earlier redacted {files} (*.redacted.*)",
                SkipReason.OutputFolder => "the output folder",
                SkipReason.LinkedFolder => $"{n} linked {(n == 1 ? "folder" : "folders")} (links are not followed)",
                _ => $"{n} {files}",
            };
            const int shown = 8;
            string list = string.Join(", ", paths.Take(shown)) + (n > shown ? $" and {n - shown} more" : "");
            stderr.WriteLine($"note: skipped {what}: {list}");
        }
    }

    /// <summary>Removes what runs killed outright (kill -9, a crash) left in the folders this run writes into, and says so:
    /// they are hidden files, and a partial MKV or WebM among them is a playable, partly redacted copy.</summary>
    private static void RemoveStaleTemporaries(IEnumerable<string> outputs, bool quiet, TextWriter stderr)
    {
        foreach (var dir in outputs.Select(f => Path.GetDirectoryName(f) ?? ".").Distinct(StringComparer.Ordinal))
        {
            var removed = TempFiles.RemoveStale(dir);
            if (removed.Count > 0 && !quiet) stderr.WriteLine(StaleNote(dir, removed, "a run"));
        }
    }

    private static string StaleNote(string dir, IReadOnlyList<string> removed, string whose) =>
        $"note: {dir}: removed {removed.Count} unfinished temporary file{(removed.Count == 1 ? "" : "s")} left by {whose} that was stopped before it could clean up ({string.Join(", ", removed)})";

    /// <summary>Creates the output folder and proves it writable before hours of work go into it.</summary>
    internal static void PrepareOutput(string output, bool overwrite)
    {
        if (FileKinds.IsSpecial(output))
            throw new MediaException($"{output} is not a regular file (a device or a pipe): name a file to write to");
        if (!overwrite && File.Exists(output)) throw new MediaException($"{output} already exists (use --overwrite to replace it)");
        var dir = Path.GetDirectoryName(output) ?? ".";
        try
        {
            Directory.CreateDirectory(dir);
            // Created and deleted under its lock, like every temporary file of ours (TempFile).
            using (TempFile.Beside(output)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MediaException($"output folder {dir} is not writable ({e.Message.TrimEnd('.')})");
        }
    }

    /// <summary>One line for the user; unexpected exceptions are named, never dumped with a stack trace.</summary>
    internal static string Reason(Exception e) => e switch
    {
        MediaException m => m.Message,
        PlanException p => p.Message,
        UnauthorizedAccessException u => $"permission denied ({u.Message.TrimEnd('.')})",
        IOException io when io.HResult == 28 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) => "disk full (no space left on device)",
        IOException io => io.Message,
        HttpRequestException h => $"download failed ({h.Message.TrimEnd('.')}); on an offline machine use 'redactor models install --from DIR'",
        _ => $"internal error ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()})",
    };
}
