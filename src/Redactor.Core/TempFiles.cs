namespace Redactor;

/// <summary>
/// Outputs are written under a hidden temporary name in the output folder (same file system, so the final
/// rename is atomic) and only renamed into place when complete. The temporary name keeps the extension,
/// because encoders choose their format by it.
/// </summary>
public static class TempFiles
{
    public const string Marker = ".redactor-tmp";

    public static string PathBeside(string finalPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(finalPath)) ?? ".";
        var name = Path.GetFileNameWithoutExtension(finalPath);
        var ext = Path.GetExtension(finalPath);
        return Path.Combine(dir, $".{name}.{Guid.NewGuid().ToString("N")[..8]}{Marker}{ext}");
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
