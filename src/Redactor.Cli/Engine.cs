using Redactor.FFmpeg;
using Redactor.Onnx;
using Redactor.OpenCv;
using Redactor.Review;

namespace Redactor.Cli;

/// <summary>
/// The composition root's wiring of one run: the detector (built once, on first use), and the per-file jobs
/// that connect adapters to the core pipeline.
/// </summary>
internal sealed class Engine(MediaOptions options) : IDisposable
{
    private readonly List<IFaceDetector> _workers = [];
    private IFaceDetector? _photo;
    private bool _warnedToolsOutliveUs;

    /// <summary>With tracking, detectors also return weak detections for the tracker; photos never use them.</summary>
    private ScorePolicy Policy => new(options.Threshold, weakEvidence: !options.NoTrack);

    /// <summary>Loads the detector now (so its errors come before any work). Returns a warning to print once when the
    /// default detector runs without YOLOv5n-face, which installs only from a folder.</summary>
    public string? LoadDetector()
    {
        _ = PhotoDetector;
        return DefaultWantsYolo && !DefaultHasYolo
            ? $"warning: the default detector runs without yolov5n-face, which is not installed in {Store.Directory}: more small faces are left " +
              $"visible (docs/models.md); it has no download: install it with 'redactor models install --from DIR', DIR holding {YoloModel.FileName}"
            : null;
    }

    private ModelStore Store => _store ??= new ModelStore(ModelStore.DefaultDirectory(options.Models, Environment.GetEnvironmentVariable));
    private ModelStore? _store;

    /// <summary>The default detector's optional model: YOLOv5n-face, which has no download.</summary>
    internal static ModelInfo YoloModel => ModelStore.Find("yolov5n-face");

    /// <summary>The default detector without --fast runs YOLOv5n-face when it is installed (it has no download).</summary>
    private bool DefaultWantsYolo => options.Detector is DetectorKind.Combined && !options.Fast;

    /// <summary>Looked up once a run, so that every worker and the tracker agree.</summary>
    private bool DefaultHasYolo => _defaultHasYolo ??= DefaultWantsYolo && Store.IsInstalled(YoloModel);
    private bool? _defaultHasYolo;

    /// <summary>The faces in a photo.</summary>
    public IReadOnlyList<Detection> DetectPhoto(Frame frame) => FacesIn(frame, PhotoDetector);

    /// <summary>A photo has no track to lend weak detections weight: only faces that count on their own.</summary>
    private static List<Detection> FacesIn(Frame frame, IFaceDetector detector) => detector.Detect(frame).Where(d => d.Counts).ToList();

    /// <summary>For single photos (and the JSON report): one detector on every core.</summary>
    private IFaceDetector PhotoDetector => _photo ??= Build(threads: 0);

    /// <summary>A photo worker: its own detector and redactor (neither is thread-safe).</summary>
    internal sealed class PhotoWorker(IFaceDetector detector, FrameRedactor redactor)
    {
        public (int Faces, string? Warning) Redact(string input, string output, bool overwrite) => RedactPhoto(input, output, overwrite, redactor, detector);

        /// <summary>The photo's plan item: every detection, weak and doubtful ones too (<see cref="PlanBuilder.Photo"/>).</summary>
        public (PlanItem Item, string? Warning) Plan(string input, string path, CancellationToken ct)
        {
            var (bytes, sha) = PlanBuilder.Hash(input, ct);
            var frame = ImageFiles.Read(input, out var warning);
            var identity = new MediaIdentity(bytes, sha, frame.Width, frame.Height, 1);
            return (PlanBuilder.Photo(path, identity, detector.Detect(frame)), warning);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on every photo with one worker a core (whole photos in parallel use the cores
    /// better than one network run split across them, and decoding and encoding overlap too) and hands each
    /// result to <paramref name="report"/> on this thread, in input order.
    /// </summary>
    public void ForEachPhoto<T>(IReadOnlyList<WorkItem> photos, RedactionOptions style, Func<WorkItem, PhotoWorker, T> work, Action<T> report, CancellationToken ct)
    {
        int workers = Math.Min(photos.Count, Workers);
        if (workers <= 1)
        {
            var single = new PhotoWorker(PhotoDetector, new FrameRedactor(style));
            foreach (var p in photos)
            {
                ct.ThrowIfCancellationRequested();
                report(work(p, single));
            }
            return;
        }
        var pool = new System.Collections.Concurrent.ConcurrentBag<PhotoWorker>(
            VideoDetectors().Take(workers).Select(d => new PhotoWorker(d, new FrameRedactor(style))));
        var results = photos.AsParallel().AsOrdered()
            .WithDegreeOfParallelism(workers).WithCancellation(ct).WithMergeOptions(ParallelMergeOptions.NotBuffered)
            .Select(p =>
            {
                if (!pool.TryTake(out var worker)) throw new InvalidOperationException("more photo jobs than workers");
                try
                {
                    return work(p, worker);
                }
                finally
                {
                    pool.Add(worker);
                }
            });
        try
        {
            foreach (var r in results) report(r);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>Independent detectors, one per video worker thread (they are not thread-safe), sharing the cores.</summary>
    public IReadOnlyList<IFaceDetector> VideoDetectors()
    {
        int workers = Workers;
        while (_workers.Count < workers) _workers.Add(Build(Math.Max(1, Environment.ProcessorCount / workers)));
        return _workers;
    }

    private IFaceDetector Build(int threads)
    {
        var store = Store;
        var planner = new ScalePlanner(options.MinFace);
        var policy = Policy;
        // Checked before any session opens: a store filled before RetinaFace joined the default has YuNet only.
        if (options.Detector is DetectorKind.Combined && !store.IsInstalled(ModelStore.Find("yunet")) && !store.IsInstalled(ModelStore.Find("retinaface")))
            throw new MediaException(
                $"no face model is installed in {store.Directory}; run 'redactor models install' (or 'redactor models install --from DIR' on an offline machine)");
        if (options.Detector is DetectorKind.Combined && !store.IsInstalled(ModelStore.Find("retinaface")))
            throw new MediaException(
                $"the default detector (combined) also needs the retinaface model, which is not installed in {store.Directory}; " +
                "run 'redactor models install' (or 'redactor models install --from DIR' on an offline machine), or use --detector yunet");
        IFaceModel Load(string model, Func<string, float, IFaceModel> open) => open(store.Require(ModelStore.Find(model)), policy.ModelThreshold);
        IFaceDetector Search(IFaceModel model, IScalePlan? plan = null) => new MultiScaleDetector(model, plan ?? planner, policy, FineEvery);
        IFaceModel YuNetNet() => Load("yunet", (path, t) => new YuNetOnnxModel(path, t, threads));
        IFaceModel RetinaNet() => Load("retinaface", (path, t) => new RetinaFaceOnnxModel(path, t, threads));
        IFaceModel YoloNet(string? name = null) => Load(name ?? YoloModel.Name, (path, t) => new YoloFaceOnnxModel(path, t, threads));
        // YOLOv5n-face once over the whole frame, fitted into 960x544: a fixed cost a frame whatever its size.
        var yoloPlan = new FittedPlan(YoloLongSide, YoloShortSide, planner.MaxUpscale);
        // Both networks' searches, merged, and their second look from close up at large unsure boxes (with the same
        // sessions: their own would cost about 150 MiB more in two workers).
        IFaceDetector Checked(IScalePlan? retinaPlan)
        {
            IFaceModel yunet = YuNetNet(), retina = RetinaNet();
            return new SecondLook(new UnionDetector([Search(yunet), Search(retina, retinaPlan)]), [yunet, retina]);
        }
        // YuNet's search and YOLOv5n-face's fitted pass (and RetinaFace's, given its plan), small boxes weighed by whether
        // another network found them (NetworkAgreement), merged, with their second look.
        IFaceDetector WithYolo(IScalePlan? retinaPlan)
        {
            IFaceModel yunet = YuNetNet(), yolo = YoloNet();
            var agreement = new NetworkAgreement(policy);
            if (retinaPlan is null) return new SecondLook(new UnionDetector([Search(yunet), Search(yolo, yoloPlan)], agreement), [yunet, yolo]);
            var retina = RetinaNet();
            return new SecondLook(new UnionDetector([Search(yunet), Search(retina, retinaPlan), Search(yolo, yoloPlan)], agreement), [yunet, retina]);
        }
        var search = options.Detector switch
        {
            DetectorKind.Yunet => Search(YuNetNet()),
            DetectorKind.Retinaface => Search(RetinaNet()),
            DetectorKind.YunetN => Search(Load("yunet-n", (path, t) => new YuNetOnnxModel(path, t, threads))),
            DetectorKind.Ultraface => Search(Load("ultraface", (path, t) => new UltraFaceModel(path, t))),
            DetectorKind.Ensemble => Checked(null),
            DetectorKind.Yolo => Search(YoloNet()),
            DetectorKind.Scrfd => Search(Load("scrfd-1g", (path, t) => new ScrfdOnnxModel(path, t, threads))),
            DetectorKind.YoloSmall => Search(YoloNet("yolov5n-0.5-face")),
            DetectorKind.YunetYolo => WithYolo(null),
            // RetinaFace once over the whole frame, fitted into one 1120x640 input: see DetectorKind.Combined. Enlarged no
            // more than YuNet's plan: RetinaFace's smallest anchor is 16 px as well. YOLOv5n-face's pass joins them when
            // it is installed.
            DetectorKind.Combined when DefaultHasYolo => WithYolo(new FittedPlan(RetinaFaceOnnxModel.TwoWindowsLongSide, RetinaFaceOnnxModel.Side, planner.MaxUpscale)),
            DetectorKind.Combined => Checked(new FittedPlan(RetinaFaceOnnxModel.TwoWindowsLongSide, RetinaFaceOnnxModel.Side, planner.MaxUpscale)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Detector, "unknown detector"),
        };
        return options.Turned ? new TurnedSearch(search) : search;
    }

    /// <summary>The frame YOLOv5n-face's single pass is fitted into (pixels, long and short side): a 720p frame at 0.75×, a
    /// 1080p one at 0.5×. On four crowd videos (2026-12-06) it left 3.09% of face-frames visible against 3.14% fitted into
    /// 1120×640 and 3.17% into 1280×736 (with 0.4–0.5 points fewer people visible in some frame, and less background),
    /// at 1.16× the time of the default without it, against 1.24× and 1.47×: the network finds small faces at this size
    /// still (docs/results.md).</summary>
    internal const int YoloLongSide = 960, YoloShortSide = 544;

    /// <summary>YuNet's finest pass runs on every other frame with <c>--fast</c> and in the default with YOLOv5n-face (whose
    /// pass over every frame finds most of those faces too); on every frame otherwise, and always without tracking (nothing
    /// would carry a face over the frames between). Photos are frame 0 and get it always.</summary>
    internal int FineEvery => (options.Fast || DefaultHasYolo) && !options.NoTrack ? 2 : 1;

    /// <summary>
    /// Detection workers for video and photo folders ($REDACTOR_WORKERS overrides). One worker a core, each running its
    /// networks on one thread: whole frames in parallel use the cores better than one network run split across them.
    /// OpenCV's DNN (UltraFace) spreads each run over every core itself, so it gets one worker per 4 cores. Each worker
    /// holds its own runtime buffers (about 180 MiB with both YuNet and RetinaFace, about 100 MiB more with YOLOv5n-face
    /// too: 720p runs of the default peaked at 789–940 MiB with two workers, against 647–681 without it) and a run must
    /// stay under 1 GiB, so there are at most 4 workers with YuNet alone and 2 when RetinaFace runs too; beyond that each
    /// network run gets more threads instead. Measurements: docs/results.md (Memory, Speed).
    /// </summary>
    internal int Workers =>
        int.TryParse(Environment.GetEnvironmentVariable("REDACTOR_WORKERS"), out int n) && n > 0 ? n
        : options.Turned ? TurnedWorkers
        : options.Detector is DetectorKind.Ultraface ? Math.Max(1, Environment.ProcessorCount / 4)
        : Math.Min(Environment.ProcessorCount, options.Detector is DetectorKind.Yunet or DetectorKind.YunetN ? MaxWorkers : MaxWorkersWithRetinaFace);

    /// <summary>With <c>--turned</c> each worker keeps buffers for the picture both ways round: two workers took a 1080p
    /// video past 1 GiB (1.43 GiB), one stays under it; small frames pay in time (docs/results.md, --turned).</summary>
    private const int TurnedWorkers = 1;

    private const int MaxWorkers = 4;
    private const int MaxWorkersWithRetinaFace = 2;

    /// <summary>The frame height (display pixels, as the detections) sets the size from which a second look's doubts
    /// outvote a track (<see cref="TrackerOptions.MajorityHeight"/>).</summary>
    public ITracker TrackerFor(MediaInfo info) =>
        options.NoTrack ? new NoTracker() : new Tracker(TrackerOptions.ForFrameRate(MediaProbe.ParseRate(info.EncoderFrameRate()) ?? 30,
            0.75f * options.Threshold, FineEvery, info.DisplaySize().Height));

    public static MediaInfo ProbeVideo(string path, CancellationToken ct)
    {
        var info = MediaProbe.Probe(path, ct);
        if (info.Video is null) throw new MediaException("not a video (no video stream found)");
        var (w, h) = info.DisplaySize();
        if (w <= 0 || h <= 0) throw new MediaException("not a video (its video stream declares no picture size)");
        if (w > MaxVideoSide || h > MaxVideoSide || (long)w * h > MaxVideoPixels)
            throw new MediaException($"video too large: {w}×{h}; the limit is {MaxVideoSide} pixels a side and {MaxVideoPixels / 1e6:0.#} megapixels a frame (8K is 33)");
        // The detectors' pictures are stretched to square pixels: SAR 255:1 on 720p took the first pass to 1.58 GB.
        var (dw, dh) = info.DetectionSize();
        if (dw > MaxVideoSide || dh > MaxVideoSide || (long)dw * dh > MaxVideoPixels)
            throw new MediaException($"video too large: {w}×{h} in non-square pixels is {dw}×{dh} in square ones; the limit is {MaxVideoSide} pixels a side and {MaxVideoPixels / 1e6:0.#} megapixels a frame (8K is 33)");
        return info;
    }

    /// <summary>H.264 (x264) encodes no wider or taller picture: a 20000-pixel-wide clip was decoded and redacted, then
    /// refused by the encoder at the end. Checked from the probe, before any work.</summary>
    private const int MaxVideoSide = 16384;

    /// <summary>8192×8192: a frame is held several times over (decoder, workers, encoder), 200 MB each at this size.</summary>
    private const long MaxVideoPixels = 8192L * 8192;

    /// <summary>First pass, and the regions to cover in every frame of a video, worked out by the tracker as they are
    /// enumerated (once, in order). The detectors are released when the first pass ends (and built again for the next
    /// file): their buffers would sit unused beside the detections through the second pass.</summary>
    public (IEnumerable<IReadOnlyList<Region>> Regions, List<FrameDetections> Detections) AnalyseVideo(
        string path, MediaInfo info, IProgress<PipelineProgress> progress, CancellationToken ct, Action<string>? warn = null)
    {
        var detections = DetectVideo(path, info, progress, ct, warn);
        return (TrackerFor(info).Track(detections), detections);
    }

    /// <summary>The first pass alone: every frame's detections (weak ones too, with tracking), cuts and picture shifts.</summary>
    /// <param name="seen">Shown each decoded frame (square pixels) before detection: the review's picture cache.</param>
    internal List<FrameDetections> DetectVideo(string path, MediaInfo info, IProgress<PipelineProgress>? progress, CancellationToken ct, Action<string>? warn = null,
        Action<Frame>? seen = null)
    {
        try
        {
            // The detectors see square pixels; the render pass, the tracker and the JSON report work in stored ones.
            using var source = new FfmpegFrameSource(path, info, squarePixels: true);
            using var watched = seen is null ? null : new WatchedSource(source, seen);
            var detections = VideoPipeline.Detect(watched ?? (IFrameSource)source, VideoDetectors(), progress, ct);
            if (source.XScale != 1 || source.YScale != 1) detections = ToStoredPixels(detections, (float)source.XScale, (float)source.YScale);
            if (source.Damage is { } damage)
                warn?.Invoke($"warning: {path}: the decoder reported damage ({damage}); {detections.Count} frames were decoded, and any it could not decode are left out");
            return detections;
        }
        finally
        {
            ReleaseVideoDetectors();
        }
    }

    /// <summary>Detections made on pictures stretched by 1 / <paramref name="x"/> across and 1 / <paramref name="y"/> down, in the
    /// stored pictures' pixels.</summary>
    private static List<FrameDetections> ToStoredPixels(List<FrameDetections> frames, float x, float y)
    {
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            frames[i] = f with
            {
                // An array, as the first pass keeps them (no list's spare capacity over a long video).
                Detections = f.Detections.Select(d => d with { Box = d.Box with { X = d.Box.X * x, Width = d.Box.Width * x, Y = d.Box.Y * y, Height = d.Box.Height * y } }).ToArray(),
                Shift = f.Shift is { } s ? s with { Dx = s.Dx * x, CenterX = s.CenterX * x, Dy = s.Dy * y, CenterY = s.CenterY * y } : null,
            };
        }
        return frames;
    }

    private void ReleaseVideoDetectors()
    {
        foreach (var d in _workers) d.Dispose();
        _workers.Clear();
        NativeHeap.Release();
    }

    public VideoResult RedactVideo(
        string input, string output, RedactOptions o, FrameRedactor redactor, IProgress<PipelineProgress> progress, Action<string> warn, CancellationToken ct)
    {
        var settings = RenderSettings.Of(o);
        var info = PrepareVideo(input, output, settings, warn, ct);
        var detections = DetectVideo(input, info, progress, ct, warn);
        long detected = detections.Sum(d => (long)d.Detections.Count), frameCount = detections.Count;
        // The tracker reads the detections as the frames are drawn, and each frame's are let go of once read.
        var regions = TrackerFor(info).Track(VideoPipeline.Handing(detections));
        var result = EncodeVideo(input, info, output, settings, regions, frameCount, redactor, progress, ct);
        return new VideoResult(result.Frames, detected, result.Regions);
    }

    /// <summary>What a video render checks before any work: the probe, the sound the output can take; and what it says
    /// it leaves out.</summary>
    private MediaInfo PrepareVideo(string input, string output, RenderSettings settings, Action<string>? warn, CancellationToken ct)
    {
        // Once a run, and only when it encodes: the protection FfmpegProcess.DeathSignal gives would otherwise be gone unsaid.
        if (!FfmpegProcess.ToolsDieWithUs && !_warnedToolsOutliveUs)
        {
            _warnedToolsOutliveUs = true;
            warn?.Invoke("warning: setpriv (util-linux) is not available here: if redactor is killed, its encoder may finish a partial copy; the next run into that folder removes it");
        }
        var info = ProbeVideo(input, ct);
        if (settings.Audio == AudioMode.Keep) ContainerPolicy.For(Path.GetExtension(output), settings.Crf).CheckAudio(input, info, ct);
        // Everything but the first video stream and the audio is left out: name it, since it may be what the user wanted.
        foreach (var s in info.Streams.Where(s => s != info.Video && !s.IsAudio))
            warn?.Invoke($"warning: {input}: dropping stream #{s.Index} ({s.CodecType}{(s.CodecName is null ? "" : " " + s.CodecName)}{(s.IsAttachedPicture ? ", cover picture" : "")})");
        return info;
    }

    /// <summary>The second pass: decodes <paramref name="input"/> again, covers each frame's <paramref name="regions"/> and
    /// encodes to <paramref name="output"/>, which appears only when complete.</summary>
    private static RenderResult EncodeVideo(string input, MediaInfo info, string output, RenderSettings settings,
        IEnumerable<IReadOnlyList<Region>> regions, long frameCount, FrameRedactor redactor, IProgress<PipelineProgress>? progress, CancellationToken ct)
    {
        using var source = new FfmpegFrameSource(input, info);
        using var sink = new FfmpegVideoSink(input, info, output, settings.Overwrite, new VideoOutputOptions(settings.Crf, settings.Audio == AudioMode.Keep));
        var result = VideoPipeline.Render(source, regions, frameCount, redactor, sink, progress, ct);
        sink.Complete(ct);
        return result;
    }

    /// <summary>Frames a second as both passes decode a video (<see cref="FfmpegFrameSource"/>'s rate).</summary>
    private static double FrameRateOf(MediaInfo info) => MediaProbe.ParseRate(info.EncoderFrameRate()) ?? 30;

    /// <summary>
    /// The first pass of a video for review: its identity (size and sha256, then the frames decoded), every frame's
    /// detections, and the tracker's regions over them as a plan item (<see cref="PlanBuilder.Video"/>), named by the file's
    /// name. The detectors are released when the pass ends.
    /// </summary>
    public PlanItem PlanVideo(string path, IProgress<PipelineProgress>? progress, CancellationToken ct, Action<string>? warn = null, Action<Frame>? seen = null)
    {
        var info = ProbeVideo(path, ct);
        var (width, height) = info.DisplaySize();
        var (bytes, sha) = PlanBuilder.Hash(path, ct);
        var detections = DetectVideo(path, info, progress, ct, warn, seen);
        var identity = new MediaIdentity(bytes, sha, width, height, detections.Count);
        // The tracker reads the detections while they are still held: the plan builder needs each frame's after it.
        return PlanBuilder.Video(Path.GetFileName(path), identity, FrameRateOf(info), detections, TrackerFor(info));
    }

    /// <summary>
    /// Photos for review, one worker a core: each photo's detections (weak and doubtful ones too, shown as uncovered) as a
    /// plan item, in the order given, named by its path relative to <paramref name="root"/> ('/' separated), or by its file
    /// name without a root. A photo that cannot be read is left out and handed to <paramref name="failed"/>, with the reason;
    /// a warning (a truncated JPEG) goes to <paramref name="warn"/>.
    /// </summary>
    public List<PlanItem> PlanPhotos(string? root, IReadOnlyList<string> photos, Action<string, string> failed, Action<string>? warn, CancellationToken ct)
    {
        var items = new List<PlanItem>();
        var work = photos.Select(p => new WorkItem(p, MediaKind.Photo, null)).ToList();
        // The workers' redactors are not used: a plan is made without covering anything.
        ForEachPhoto(work, new RedactionOptions(), (w, worker) =>
        {
            try
            {
                var (item, warning) = worker.Plan(w.Input, PlanPath(root, w.Input), ct);
                return new PhotoPlanned(w.Input, item, warning, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new PhotoPlanned(w.Input, null, null, Commands.Reason(e));
            }
        }, r =>
        {
            if (r.Warning is not null) warn?.Invoke($"warning: {r.Input}: {r.Warning}");
            if (r.Item is not null) items.Add(r.Item);
            else failed(r.Input, r.Error!);
        }, ct);
        return items;
    }

    private sealed record PhotoPlanned(string Input, PlanItem? Item, string? Warning, string? Error);

    /// <summary>A plan of <paramref name="items"/> made by this run's detector.</summary>
    public ReviewPlan NewPlan(IEnumerable<PlanItem> items) => new()
    {
        MadeBy = App.Version,
        Detector = options.Detector.ToString().ToLowerInvariant(),
        Items = [.. items],
    };

    /// <summary>How a plan item names an input: relative to the folder the plan is for, with '/' between folders.</summary>
    internal static string PlanPath(string? root, string input) =>
        root is null ? Path.GetFileName(input) : Path.GetRelativePath(root, input).Replace(Path.DirectorySeparatorChar, '/');


    /// <summary>
    /// Renders one input as its plan item says, with no detection pass and no model: the tracks' boxes (grown by the
    /// style's mask) except kept and removed ones, the regions drawn by hand (as drawn), the frames covered whole. The
    /// input must be the file the item was made for: its size and sha256, then its picture's size, are checked before any
    /// work (<see cref="PlanMismatchException"/>); a video must decode to the item's frame count. Returns what was done,
    /// with the summary lines of the plan's decisions (<see cref="PlanSummary.Lines"/>).
    /// </summary>
    /// <param name="planName">How the plan is named in a refusal (its file name).</param>
    public PlanRenderResult RenderPlan(string input, string output, PlanItem item, RedactionOptions style, IProgress<PipelineProgress>? progress,
        CancellationToken ct, RenderSettings? settings = null, Action<string>? warn = null, string planName = "the plan")
    {
        var how = settings ?? new RenderSettings();
        CheckBytes(input, item, planName, ct);
        var redactor = new FrameRedactor(style);
        if (item.Kind == PlanItemKind.Photo)
        {
            var frame = ImageFiles.Read(input, out var warning);
            if (warning is not null) warn?.Invoke($"warning: {input}: {warning}");
            CheckSize(frame.Width, frame.Height, item, planName);
            // A photo's regions get noise of their own call, as in any photo: track ids repeat from photo to photo.
            var regions = PlanRegions.At(item, 0).Select(r => r with { TrackId = null }).ToList();
            redactor.Apply(frame, regions);
            using (var temp = TempFile.Beside(output))
            {
                ImageFiles.Write(frame, temp.Stream, Path.GetExtension(output));
                temp.Publish(output, how.Overwrite);
            }
            return new PlanRenderResult(1, regions.Count, PlanSummary.Lines(item));
        }
        var info = PrepareVideo(input, output, how, warn, ct);
        var (w, h) = info.DisplaySize();
        CheckSize(w, h, item, planName);
        var result = EncodeVideo(input, info, output, how, PlanRegions.All(item), item.Identity.Frames, redactor, progress, ct);
        return new PlanRenderResult(result.Frames, result.Regions, PlanSummary.Lines(item));
    }

    /// <summary>The file's length, then its sha256: a plan covers the faces of one file only.</summary>
    internal static void CheckBytes(string input, PlanItem item, string planName, CancellationToken ct)
    {
        if (new FileInfo(input).Length != item.Identity.Bytes) throw new PlanMismatchException(planName, item);
        if (PlanBuilder.Hash(input, ct).Sha256 != item.Identity.Sha256) throw new PlanMismatchException(planName, item);
    }

    private static void CheckSize(int width, int height, PlanItem item, string planName)
    {
        if (width != item.Identity.Width || height != item.Identity.Height) throw new PlanMismatchException(planName, item);
    }

    private static (int Faces, string? Warning) RedactPhoto(string input, string output, bool overwrite, FrameRedactor redactor, IFaceDetector detector)
    {
        var frame = ImageFiles.Read(input, out var warning);
        var faces = FacesIn(frame, detector);
        redactor.Apply(frame, faces.Select(f => f.Box));
        // Written through the locked file's own handle, so the lock covers it from creation to rename (TempFile).
        using (var temp = TempFile.Beside(output))
        {
            ImageFiles.Write(frame, temp.Stream, Path.GetExtension(output));
            temp.Publish(output, overwrite);
        }
        return (faces.Count, warning);
    }

    public void Dispose()
    {
        foreach (var d in _workers) d.Dispose();
        _photo?.Dispose();
    }
}

internal readonly record struct VideoResult(long Frames, long Detections, long Regions);

/// <summary>How an output is written: over an existing file or not, the sound kept or dropped, the video's quality.</summary>
internal sealed record RenderSettings(bool Overwrite = false, AudioMode Audio = AudioMode.Keep, int Crf = 18)
{
    public static RenderSettings Of(RedactOptions o) => new(o.Overwrite, o.Audio, o.Crf);
}

/// <summary>What a render from a plan did: frames written, regions covered, and the plan's decisions in words.</summary>
internal sealed record PlanRenderResult(long Frames, long Regions, IReadOnlyList<string> Summary);

/// <summary>The input is not the file a plan was made for.</summary>
internal sealed class PlanMismatchException(string planName, PlanItem item) : MediaException(
    $"the plan {planName} was made for another file ({item.Path}, {(item.Kind == PlanItemKind.Photo ? $"{item.Identity.Width}×{item.Identity.Height}" : $"{item.Identity.Frames} frames")}, sha256 {Short(item.Identity.Sha256)})")
{
    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "…" : sha;
}
