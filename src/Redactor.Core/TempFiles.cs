namespace Redactor;

/// <summary>
/// Outputs are written under a hidden temporary name in the output folder (same file system, so the final
/// rename is atomic) and only renamed into place when complete. The temporary name keeps the extension,
/// because encoders choose their format by it.
/// </summary>
public static class TempFiles
{
    public const string Marker = ".redactor-tmp";

    /// <summary>The name carries our process id and a tag of this machine's name, so that a later run can tell a
    /// temporary file whose run is gone (kill -9, a crash, a power cut) from one a live run is still writing, here or on
    /// another machine sharing the folder (whose process ids mean nothing here).</summary>
    public static string PathBeside(string finalPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(finalPath)) ?? ".";
        var name = Path.GetFileNameWithoutExtension(finalPath);
        var ext = Path.GetExtension(finalPath);
        return Path.Combine(dir, $".{name}.{Environment.ProcessId}-{HostTag}-{Guid.NewGuid().ToString("N")[..8]}{Marker}{ext}");
    }

    /// <summary>Four hex digits of this machine's name.</summary>
    internal static string HostTag { get; } =
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Environment.MachineName)))[..4];

    private static readonly System.Text.RegularExpressions.Regex Owned = new(@"^\..*\.(?<pid>\d+)-(?<host>[0-9a-f]{4})-[0-9a-f]{8}\.redactor-tmp(\.[^.]*)?$");
    private static readonly System.Text.RegularExpressions.Regex Unowned = new(@"^\..*\.[0-9a-f]{8}\.redactor-tmp(\.[^.]*)?$");

    /// <summary>How long a temporary file whose owner cannot be asked (another machine's, or one named before the owner
    /// was in the name) must have gone unwritten to count as abandoned: a live encoder writes every second, a photo's is
    /// done in a moment.</summary>
    internal static readonly TimeSpan UnownedAge = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Deletes the temporary files in <paramref name="folder"/> whose run is no longer alive and returns their names. A
    /// run killed outright cannot clean up after itself, and its encoder may have finished the file into a playable copy
    /// (MKV, WebM and AVI are playable however they are cut); they are hidden, and folder scans skip them, so without
    /// this they would stay unnoticed. Files of live runs, and anything not named like ours, are left alone. On systems
    /// without /proc nothing is deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        var removed = new List<string>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self")) return removed;
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, $".*{Marker}*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return removed;
        }
        foreach (var file in candidates)
        {
            var name = Path.GetFileName(file);
            var owned = Owned.Match(name);
            bool Untouched() => DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > UnownedAge;
            bool stale = owned.Success && owned.Groups["host"].Value == HostTag
                ? !(int.TryParse(owned.Groups["pid"].Value, out int pid) && (pid == Environment.ProcessId || CouldOwn(pid, File.GetLastWriteTimeUtc(file))))
                : (owned.Success || Unowned.IsMatch(name)) && Untouched();
            if (!stale) continue;
            try
            {
                File.Delete(file);
                removed.Add(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or a read-only folder: the run goes on, and the file stays as it was.
            }
        }
        return removed;
    }

    /// <summary>Whether process <paramref name="pid"/> is alive and could have written a file last written at
    /// <paramref name="written"/>: a process started after that is another that was given the dead owner's number.</summary>
    private static bool CouldOwn(int pid, DateTime written)
    {
        if (!Directory.Exists($"/proc/{pid}")) return false;
        try
        {
            // Field 22 of /proc/PID/stat: the start in clock ticks (100 a second on Linux) after boot, /proc/stat's btime.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var boot = File.ReadLines("/proc/stat").First(l => l.StartsWith("btime ", StringComparison.Ordinal));
            var started = DateTime.UnixEpoch.AddSeconds(long.Parse(boot[6..]) + long.Parse(fields[19]) / 100.0);
            return started <= written + TimeSpan.FromSeconds(2);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return true; // alive, and not to be second-guessed
        }
    }

    /// <summary>Renames the finished temporary file to its final name; without <paramref name="overwrite"/> an
    /// existing file at the final name is an error and stays untouched.</summary>
    public static void Publish(string tempPath, string finalPath, bool overwrite)
    {
        try
        {
            File.Move(tempPath, finalPath, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(finalPath))
        {
            TryDelete(tempPath);
            throw new MediaException($"{finalPath} already exists (use --overwrite to replace it)");
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the caller is already reporting a failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
