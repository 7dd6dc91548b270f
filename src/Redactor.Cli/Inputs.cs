namespace Redactor.Cli;

internal enum MediaKind { Photo, Video }

/// <summary>One file to process and where its output goes; <see cref="Error"/> is set when the input is unusable.</summary>
internal sealed record WorkItem(string Input, MediaKind Kind, string? Output, string? Error = null);

/// <summary>Why a folder's entry was passed over (not a failure: the run's exit code does not change).</summary>
internal enum SkipReason { Hidden, NotMedia, EarlierOutput, OutputFolder, LinkedFolder }

internal sealed record Skipped(string Path, SkipReason Reason);

/// <summary>Expands the command line's inputs into files and decides every output path before any work starts.</summary>
internal static class Inputs
{
    public static readonly IReadOnlySet<string> PhotoExtensions = new HashSet<string> { ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff" };

    /// <summary>Videos written in a container of their own kind.</summary>
    public static readonly IReadOnlySet<string> VideoExtensions = Redactor.FFmpeg.ContainerPolicy.VideoExtensions;

    /// <summary>Phone and camera videos ffmpeg reads but we do not write (3GP, AVCHD's MPEG-TS, MPEG-PS): their redacted
    /// copy is an MP4.</summary>
    public static readonly IReadOnlySet<string> ReadOnlyVideoExtensions = new HashSet<string> { ".3gp", ".3g2", ".mts", ".m2ts", ".m2t", ".ts", ".mpg", ".mpeg" };

    public const string ReadOnlyVideoOutput = ".mp4";

    /// <summary>Photos and videos we cannot read, each with what to do about it. In a folder they fail (and are named)
    /// rather than being passed over as if they were not pictures.</summary>
    private static readonly Dictionary<string, string> Refused = BuildRefused();

    private static Dictionary<string, string> BuildRefused()
    {
        var refused = new Dictionary<string, string>();
        void Add(string reason, params string[] extensions)
        {
            foreach (var e in extensions) refused[e] = reason;
        }
        // OpenCV here has no HEIF reader, and ffmpeg 5.1 cannot open HEIF image files (6.1 and later can).
        Add("HEIC/HEIF photos cannot be read here (by OpenCV or ffmpeg 5.1): convert it to JPEG first, e.g. 'heif-convert IMG.HEIC IMG.jpg' "
            + "(Debian package libheif-examples), or have the phone save JPEG ('Most Compatible')", ".heic", ".heif", ".hif");
        Add("AVIF photos cannot be read here (by OpenCV or ffmpeg 5.1): convert it to JPEG or PNG first", ".avif");
        Add("GIF is not redacted (an animated GIF is a video, a still one a photo): convert it first, "
            + "to a video with 'ffmpeg -i NAME.gif NAME.mp4' or to a photo with 'ffmpeg -i NAME.gif -frames:v 1 NAME.png'", ".gif");
        Add("camera raw photos cannot be read: export it as JPEG or TIFF first",
            ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf", ".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".mrw");
        Add("this video type is not read: convert it to MP4 first, e.g. 'ffmpeg -i IN -c:v libx264 -c:a aac OUT.mp4'",
            ".wmv", ".asf", ".flv", ".f4v", ".vob", ".ogv", ".mxf", ".rm", ".rmvb", ".divx", ".mod", ".tod");
        return refused;
    }

    /// <summary>What the inputs may be, for the help and for messages.</summary>
    public static string SupportedTypes =>
        $"photos: {string.Join(' ', PhotoExtensions)}; videos: {string.Join(' ', VideoExtensions)}, and {string.Join(' ', ReadOnlyVideoExtensions)} (redacted into {ReadOnlyVideoOutput})";

    public static MediaKind? KindOf(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return PhotoExtensions.Contains(ext) ? MediaKind.Photo
            : VideoExtensions.Contains(ext) || ReadOnlyVideoExtensions.Contains(ext) ? MediaKind.Video
            : null;
    }

    /// <summary>Our own outputs and temporary files, which a folder scan must not pick up again.</summary>
    private static bool IsOwnOutput(string path)
    {
        var name = Path.GetFileName(path);
        return name.Contains(".redacted.", StringComparison.OrdinalIgnoreCase) || name.Contains(TempFiles.Marker, StringComparison.Ordinal);
    }

    /// <summary>Why a file cannot be taken, or null when it can.</summary>
    private static string? Unsupported(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (KindOf(path) is not null) return null;
        return Refused.TryGetValue(ext, out var reason) ? reason
            : $"unsupported file type '{(ext.Length == 0 ? "(none)" : Path.GetExtension(path))}' ({SupportedTypes})";
    }

    public static List<WorkItem> Plan(IEnumerable<string> inputs, string? output, bool recursive, bool withOutputs) =>
        Plan(inputs, output, recursive, withOutputs, out _);

    /// <summary>
    /// Files named on the command line are taken whatever they hold (and fail with a reason if unusable); folders
    /// contribute their photos and videos, fail the photos and videos we cannot read, and report in
    /// <paramref name="skipped"/> what they hold besides. <paramref name="output"/> is a file for a single file input,
    /// else a folder (created when needed) that mirrors the inputs' folder structure.
    /// </summary>
    public static List<WorkItem> Plan(IEnumerable<string> inputs, string? output, bool recursive, bool withOutputs, out List<Skipped> skipped)
    {
        var found = new List<(string File, string? Root, string? Error)>();
        skipped = [];
        // A second run into an output folder inside an input folder (-r -o DIR/out) would redact its own outputs,
        // which keep their names there.
        var outputFolder = output is not null && Directory.Exists(output) ? FileKinds.Identity(output) : null;
        foreach (var raw in inputs)
        {
            if (Directory.Exists(raw))
            {
                var files = new List<string>();
                FilesIn(raw, recursive, outputFolder, files, skipped);
                foreach (var f in files.Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(f);
                    if (name.StartsWith('.')) skipped.Add(new(f, SkipReason.Hidden));
                    else if (IsOwnOutput(f)) skipped.Add(new(f, SkipReason.EarlierOutput));
                    else if (KindOf(f) is not null) found.Add((f, raw, null));
                    else if (Refused.ContainsKey(Path.GetExtension(f).ToLowerInvariant())) found.Add((f, raw, Unsupported(f)));
                    else skipped.Add(new(f, SkipReason.NotMedia));
                }
            }
            else if (File.Exists(raw))
            {
                found.Add((raw, null, Unsupported(raw)));
            }
            else
            {
                found.Add((raw, null, "file not found"));
            }
        }

        bool outputIsFile = output is not null && found.Count == 1 && found[0].Root is null
            && !Directory.Exists(output) && !output.EndsWith('/') && Path.HasExtension(output);
        // A device or pipe given as -o (/dev/null has no extension, so it would be taken for a folder).
        string? outputIsDevice = output is not null && FileKinds.IsSpecial(output)
            ? $"{output} is not a regular file (a device or a pipe): name a file to write to" : null;
        // Every input, by what it is rather than how it is spelt: an output must never replace one, whichever link, hard
        // link or '..' leads to it.
        var inputIds = new Dictionary<(ulong, ulong), string>();
        foreach (var (file, _, error) in found)
            if (error is null && FileKinds.Identity(file) is { } id) inputIds.TryAdd(id, file);
        var items = new List<WorkItem>();
        // Two inputs of the same name from different folders would write one output; with --overwrite the second
        // would silently replace the first's, so the later one fails instead.
        var planned = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, root, error) in found)
        {
            var kind = KindOf(file) ?? MediaKind.Photo;
            if (error is not null || !withOutputs) { items.Add(new WorkItem(file, kind, null, error)); continue; }
            string target;
            if (output is null) target = DefaultOutput(file);
            else if (outputIsFile) target = output;
            else
            {
                var relative = root is null ? Path.GetFileName(file) : Path.GetRelativePath(root, file);
                target = Path.Combine(output, WrittenName(relative));
            }
            var full = Path.GetFullPath(target);
            var real = FileKinds.RealPath(full);
            var problem = outputIsDevice
                ?? CheckOutput(file, kind, target, full, inputIds)
                ?? (planned.TryGetValue(real, out var first) ? $"{first} is written to the same output {full}; redact them into different folders" : null);
            if (problem is null) planned[real] = file;
            items.Add(new WorkItem(file, kind, full, problem));
        }
        return items;
    }

    /// <summary>
    /// A folder's files, and with <paramref name="recursive"/> its subfolders', but not those of a linked folder (a link
    /// back up the tree, <c>ln -s .. loop</c>, made the search go round, writing the same outputs into ever deeper
    /// folders), of a hidden folder, or of the output folder; each folder passed over is named in
    /// <paramref name="skipped"/>.
    /// </summary>
    private static void FilesIn(string folder, bool recursive, (ulong, ulong)? outputFolder, List<string> files, List<Skipped> skipped)
    {
        files.AddRange(Directory.EnumerateFiles(folder));
        if (!recursive) return;
        foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            if (new DirectoryInfo(sub).LinkTarget is not null) skipped.Add(new(sub, SkipReason.LinkedFolder));
            else if (Path.GetFileName(sub).StartsWith('.')) skipped.Add(new(sub, SkipReason.Hidden));
            else if (outputFolder is not null && FileKinds.Identity(sub) == outputFolder) skipped.Add(new(sub, SkipReason.OutputFolder));
            else FilesIn(sub, recursive: true, outputFolder, files, skipped);
        }
    }

    /// <summary>The output's name for an input's: the same, but an MP4 for the videos we read and do not write.</summary>
    private static string WrittenName(string name) =>
        ReadOnlyVideoExtensions.Contains(Path.GetExtension(name).ToLowerInvariant()) ? Path.ChangeExtension(name, ReadOnlyVideoOutput) : name;

    public static string DefaultOutput(string input)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(input)) ?? ".";
        return Path.Combine(dir, WrittenName($"{Path.GetFileNameWithoutExtension(input)}.redacted{Path.GetExtension(input)}"));
    }

    /// <summary>Checks the path written to, <paramref name="full"/> ('..' taken away by its text, as the output is written),
    /// and names it as typed: asked as typed, 'linked/../a.jpg' would be checked where the kernel resolves it (beside the
    /// link's target) and written beside the link, over the input.</summary>
    private static string? CheckOutput(string input, MediaKind kind, string output, string full, Dictionary<(ulong, ulong), string> inputIds)
    {
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (kind == MediaKind.Photo && !PhotoExtensions.Contains(ext))
            return $"output {output} must have a photo extension like the input ({string.Join(' ', PhotoExtensions)})";
        if (kind == MediaKind.Video && !VideoExtensions.Contains(ext))
            return $"output {output} must have a video extension that can be written ({string.Join(' ', VideoExtensions)})";
        if (SameFile(input, full)) return "the output would overwrite the input; choose another output name";
        if (FileKinds.Identity(full) is { } id && inputIds.TryGetValue(id, out var other))
            return $"the output {output} is the input {other}; choose another output name";
        if (Directory.Exists(full)) return $"the output {output} is a folder; choose another output name";
        return null;
    }

    /// <summary>Whether two paths are one file: through links in any folder of the path, and hard links.</summary>
    internal static bool SameFile(string a, string b) => FileKinds.Same(a, b);
}
