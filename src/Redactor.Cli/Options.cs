using CommandLine;

namespace Redactor.Cli;

/// <summary>Options every verb that reads media shares.</summary>
internal abstract class MediaOptions
{
    [Value(0, MetaName = "INPUT", Required = true, HelpText = "Photos (.jpg .jpeg .png .webp .bmp .tif .tiff), videos (.mp4 .mov .m4v .mkv .avi .webm; also read: .3gp .3g2 .mts .m2ts .m2t .ts .mpg .mpeg, redacted into .mp4) or folders of them; any letter case. HEIC, AVIF, GIF, camera raw and other video types are refused with how to convert them. In folders, hidden files and folders (such as macOS '._' files) and files that are not photos or videos are skipped and named.")]
    public IEnumerable<string> Inputs { get; set; } = [];

    [Option('r', "recursive", HelpText = "Descend into subfolders of folder inputs (not into linked folders).")]
    public bool Recursive { get; set; }

    [Option("threshold", Default = ScorePolicy.DefaultThreshold, HelpText = "Detector score (between 0 and 1, both excluded) from which a face is redacted; lower finds more. Faces 40 px or taller need at least 0.4. With yolov5n-face (default detector, yunetyolo) a face under 40 px counts from half of it when two networks find it, and under 1.25 times it (at most 0.4) only then where another network searched its size; not with --no-track. Video: small faces from half of it count when tracking links them.")]
    public float Threshold { get; set; }

    [Option("min-face", Default = 10f, HelpText = "Smallest face height in pixels to search for.")]
    public float MinFace { get; set; }

    [Option("detector", Default = DetectorKind.Combined, HelpText = "Face detector: combined (yunet at every scale, retinaface and yolov5n-face once over the whole frame, large unsure boxes looked at again from close up; yolov5n-face installs only from a folder: without it, combined runs with yunet and retinaface and prints a warning); yunet (alone: about two thirds of the time, more faces left visible); ensemble (yunet and retinaface at every scale); yunetn, retinaface or ultraface (each alone, see docs/models.md); yolo (YOLOv5n-face, GPL-3.0, at every scale), yolosmall (YOLOv5n-0.5-face, the same) or yunetyolo (yunet at every scale and yolov5n-face once over the whole frame); scrfd (SCRFD-1G alone; its weights are for non-commercial research only). The yolo and scrfd models install with 'models install --from DIR' (docs/models.md).")]
    public DetectorKind Detector { get; set; }

    [Option("no-track", HelpText = "Video: redact each frame's detections only, without tracking (for comparison).")]
    public bool NoTrack { get; set; }

    [Option("fast", HelpText = "A quicker search: the default detector without yolov5n-face (photos too), and in video the smallest faces searched on every other frame only (tracking covers the frames between): about two thirds of the default's time, more faces left visible (docs/results.md). With another --detector: in video, the smallest faces on every other frame only.")]
    public bool Fast { get; set; }

    [Option("turned", HelpText = "Also search each picture turned a quarter, a half and three quarters round: faces of people lying down, or of a photo that lost its orientation tag. About four times the detection time for photos, more for video (one detection worker, to stay within 1 GiB).")]
    public bool Turned { get; set; }

    [Option("models", HelpText = "Model folder (default: $REDACTOR_MODELS, else $XDG_DATA_HOME/redactor/models).")]
    public string? Models { get; set; }

    [Option('q', "quiet", HelpText = "Print errors only: no progress, no summary.")]
    public bool Quiet { get; set; }

    /// <summary>The long names of the options on the command line (set by <see cref="App"/>): a default value cannot tell
    /// an option given from one left out.</summary>
    internal IReadOnlySet<string> Given { get; set; } = new HashSet<string>();
}

/// <summary>Options of the verbs that write redacted copies: where, and how faces are covered.</summary>
internal abstract class OutputOptions : MediaOptions
{
    [Option('o', "output", HelpText = "Output file (one input) or folder (several; inside an input folder it is not read again). Default: NAME.redacted.EXT beside each input (.mp4 for the videos only read). An output file has a photo extension for a photo, and .mp4 .mov .m4v .mkv .avi or .webm for a video. Never the input, through links or hard links either.")]
    public string? Output { get; set; }

    [Option("overwrite", HelpText = "Replace existing output files (never the input itself).")]
    public bool Overwrite { get; set; }

    [Option("style", Default = RedactionStyle.Blur, HelpText = "blur (noised mosaic, smoothed), pixelate (mosaic of at most 8 cells across) or fill (solid colour).")]
    public RedactionStyle Style { get; set; }

    [Option("color", Default = "000000", HelpText = "Fill colour as RRGGBB (with --style fill).")]
    public string Color { get; set; } = "000000";

    [Option("shape", Default = MaskShape.Ellipse, HelpText = "ellipse or box.")]
    public MaskShape Shape { get; set; }

    [Option("mask-scale", Default = RedactionOptions.DefaultMaskScale, HelpText = "Grow each face box by this factor (1 to 4) around its centre before covering it; faces 40 px or taller 5% more.")]
    public float MaskScale { get; set; }

    [Option("mask-margin", Default = RedactionOptions.DefaultMaskMargin, HelpText = "Then add this many pixels (0 to 64) on every side (small faces' boxes are a few pixels off).")]
    public float MaskMargin { get; set; }

    [Option("audio", Default = AudioMode.Keep, HelpText = "Video audio: keep (re-encoded as AAC, Opus in WebM, so nothing written in the source's streams is carried over) or drop.")]
    public AudioMode Audio { get; set; }

    [Option("crf", Default = 18, HelpText = "Video quality, 0..51 (lower is better and larger).")]
    public int Crf { get; set; }

}

[Verb("redact", isDefault: false, HelpText = "Write a copy of each photo or video with every face made unrecognisable and metadata removed.")]
internal sealed class RedactOptions : OutputOptions
{
    [Option("plan", HelpText = "Render from a review plan (PLAN.json, written by 'redactor review'): no detection pass and no model. Covers the plan's tracks (except those kept by consent or removed), the regions drawn by hand (as drawn) and the frames covered whole, then prints what was kept and added. INPUT is the one file, or folder of photos, the plan was made for: its size and sha256 are checked before any work, and another file is refused. A malformed plan, or one made for another file, fails with exit code 1. Not with --detector, --threshold, --min-face, --fast, --turned or --no-track.")]
    public string? Plan { get; set; }

    /// <summary>Options that choose how faces are found: a plan's render finds none.</summary>
    internal static readonly string[] DetectionOptions = ["detector", "threshold", "min-face", "fast", "turned", "no-track"];
}

[Verb("review", HelpText = "Check and correct the redaction before publishing: find the faces in one video, photo or folder of photos, then open a local page to step through it, add faces it missed, keep people who agreed to be shown, remove false regions, cover whole frames, and export. Decisions are saved in a plan file as they are made.")]
internal sealed class ReviewOptions : OutputOptions
{
    [Option("plan", HelpText = "Plan file the review is saved in (default: INPUT.review.json beside the input). A plan saved by an earlier review of the same input is resumed without a new detection pass; a plan for another file is refused.")]
    public string? Plan { get; set; }

    [Option("no-browser", HelpText = "Print the page's address without opening a browser.")]
    public bool NoBrowser { get; set; }
}

internal enum AudioMode { Keep, Drop }

/// <summary>Face detectors. <see cref="Combined"/>, the default, is YuNet's multi-scale search with RetinaFace and
/// YOLOv5n-face each once over the whole frame, merged, with a second look at large unsure boxes. RetinaFace (fitted into
/// one 1120×640 input) finds faces YuNet misses (turned, shadowed, large and partly hidden) at a fixed cost a frame: on the
/// pan-zoom videos it took faces visible in some frame from 9.3 to 8.1 % (wider-720p), 5.9 to 4.4 % (masks-720p) and 12.9
/// to 11.5 % (wider-1080p). YOLOv5n-face (fitted into <see cref="Engine.YoloLongSide"/> × <see cref="Engine.YoloShortSide"/>)
/// finds small faces both miss, and with it YuNet's finest pass runs on every other frame (2026-12-06, issue 26: docs/results.md).
/// Without YOLOv5n-face installed (it has no download) the default is the other two, YuNet's finest pass on every frame.
/// <see cref="Ensemble"/> runs RetinaFace at every scale of YuNet's plan as well.</summary>
/// <remarks><see cref="Yolo"/> and <see cref="YoloSmall"/> run YOLOv5n-face and YOLOv5n-0.5-face alone over YuNet's scale plan;
/// <see cref="YunetYolo"/> is the default with YOLOv5n-face in RetinaFace's place, YuNet's finest pass on every frame.</remarks>
internal enum DetectorKind { Combined, Yunet, YunetN, Retinaface, Ultraface, Ensemble, Yolo, YoloSmall, YunetYolo, Scrfd }

[Verb("detect", HelpText = "Write the regions that would be redacted, per photo and per video frame, as JSON.")]
internal sealed class DetectOptions : MediaOptions
{
    [Option("json", Required = true, HelpText = "File to write the JSON report to ('-' for standard output).")]
    public string Json { get; set; } = "";
}

[Verb("models", HelpText = "List the face models or install them into the model folder.")]
internal sealed class ModelsOptions
{
    [Value(0, MetaName = "ACTION", Required = true, HelpText = "list, or install (download each model and check its sha256).")]
    public string Action { get; set; } = "";

    [Option("from", HelpText = "With install: copy the models from this folder instead of downloading (offline machines).")]
    public string? From { get; set; }

    [Option("models", HelpText = "Model folder (default: $REDACTOR_MODELS, else $XDG_DATA_HOME/redactor/models).")]
    public string? Models { get; set; }
}
