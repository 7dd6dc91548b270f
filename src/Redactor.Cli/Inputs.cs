namespace Redactor.Cli;

internal enum MediaKind { Photo, Video }

/// <summary>One file to process and where its output goes; <see cref="Error"/> is set when the input is unusable.</summary>
internal sealed record WorkItem(string Input, MediaKind Kind, string? Output, string? Error = null);

/// <summary>Expands the command line's inputs into files and decides every output path before any work starts.</summary>
internal static class Inputs
{
    public static readonly IReadOnlySet<string> PhotoExtensions = new HashSet<string> { ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff" };
    public static readonly IReadOnlySet<string> VideoExtensions = Redactor.FFmpeg.ContainerPolicy.VideoExtensions;

    public static MediaKind? KindOf(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return PhotoExtensions.Contains(ext) ? MediaKind.Photo : VideoExtensions.Contains(ext) ? MediaKind.Video : null;
    }

    /// <summary>Our own outputs and temporary files, which a folder scan must not pick up again.</summary>
    private static bool IsOwnOutput(string path)
    {
        var name = Path.GetFileName(path);
        return name.Contains(".redacted.", StringComparison.OrdinalIgnoreCase) || name.Contains(TempFiles.Marker, StringComparison.Ordinal);
    }

    /// <summary>
    /// Files named on the command line are taken whatever they hold (and fail with a reason if unusable);
    /// folders contribute their photos and videos. <paramref name="output"/> is a file for a single file input,
    /// else a folder (created when needed) that mirrors the inputs' folder structure.
    /// </summary>
    public static List<WorkItem> Plan(IEnumerable<string> inputs, string? output, bool recursive, bool withOutputs)
    {
        var found = new List<(string File, string? Root, string? Error)>();
        foreach (var raw in inputs)
        {
            if (Directory.Exists(raw))
            {
                var files = FilesIn(raw, recursive)
                    .Where(f => KindOf(f) is not null && !IsOwnOutput(f))
                    .Order(StringComparer.Ordinal);
                foreach (var f in files) found.Add((f, raw, null));
            }
            else if (File.Exists(raw))
            {
                found.Add((raw, null, KindOf(raw) is null ? $"unsupported file type '{Path.GetExtension(raw)}' (photos: {string.Join(' ', PhotoExtensions)}; videos: {string.Join(' ', VideoExtensions)})" : null));
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
                target = Path.Combine(output, relative);
            }
            var full = Path.GetFullPath(target);
            var problem = outputIsDevice
                ?? CheckOutput(file, kind, target)
                ?? (planned.TryGetValue(full, out var first) ? $"{first} is written to the same output {full}; redact them into different folders" : null);
            if (problem is null) planned[full] = file;
            items.Add(new WorkItem(file, kind, full, problem));
        }
        return items;
    }

    /// <summary>A folder's files, and with <paramref name="recursive"/> its subfolders', but not those of a linked
    /// folder: a link back up the tree (<c>ln -s .. loop</c>) made the search go round, writing the same outputs into
    /// ever deeper folders.</summary>
    private static IEnumerable<string> FilesIn(string folder, bool recursive)
    {
        foreach (var file in Directory.EnumerateFiles(folder)) yield return file;
        if (!recursive) yield break;
        foreach (var sub in Directory.EnumerateDirectories(folder))
            if (new DirectoryInfo(sub).LinkTarget is null)
                foreach (var file in FilesIn(sub, recursive: true)) yield return file;
    }

    public static string DefaultOutput(string input)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(input)) ?? ".";
        return Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(input)}.redacted{Path.GetExtension(input)}");
    }

    private static string? CheckOutput(string input, MediaKind kind, string output)
    {
        if (KindOf(output) != kind)
            return $"output {output} must have a {(kind == MediaKind.Photo ? "photo" : "video")} extension like the input";
        if (SameFile(input, output)) return "the output would overwrite the input; choose another output name";
        if (Directory.Exists(output)) return $"the output {output} is a folder; choose another output name";
        return null;
    }

    internal static bool SameFile(string a, string b)
    {
        static string Real(string p)
        {
            var full = Path.GetFullPath(p);
            try
            {
                var info = new FileInfo(full);
                return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            }
            catch (IOException)
            {
                return full;
            }
        }
        return string.Equals(Real(a), Real(b), StringComparison.Ordinal);
    }
}
