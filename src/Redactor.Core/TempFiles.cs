using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Redactor;

/// <summary>
/// Outputs are written under a hidden temporary name in the output folder (same file system, so the final
/// rename is atomic) and only renamed into place when complete. The temporary name keeps the extension,
/// because encoders choose their format by it.
/// </summary>
public static class TempFiles
{
    public const string Marker = ".redactor-tmp";

    /// <summary>Tells files that are held locked while their run lives (<see cref="TempFile"/>) from those named before
    /// runs took a lock, which are never held and so need their age to be judged.</summary>
    internal const string LockedTag = "-locked";

    /// <summary>The name carries our process id and a tag of this machine's name, for the human who finds one; whether
    /// its run is alive is told by its lock (<see cref="TempFile"/>), not by the name.</summary>
    public static string PathBeside(string finalPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(finalPath)) ?? ".";
        var name = Path.GetFileNameWithoutExtension(finalPath);
        var ext = Path.GetExtension(finalPath);
        return Path.Combine(dir, $".{name}.{Environment.ProcessId}-{HostTag}-{Guid.NewGuid().ToString("N")[..8]}{LockedTag}{Marker}{ext}");
    }

    /// <summary>Four hex digits of this machine's name.</summary>
    internal static string HostTag { get; } =
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Environment.MachineName)))[..4];

    private static readonly System.Text.RegularExpressions.Regex Locked = new(@"^\..*\.\d+-[0-9a-f]{4}-[0-9a-f]{8}-locked\.redactor-tmp(\.[^.]*)?$");

    /// <summary>Names given before runs locked their files: with the owner's pid and host, and before that without.</summary>
    private static readonly System.Text.RegularExpressions.Regex Unlocked = new(@"^\..*\.(\d+-[0-9a-f]{4}-)?[0-9a-f]{8}\.redactor-tmp(\.[^.]*)?$");

    /// <summary>How long a temporary file named before runs locked theirs must have gone unwritten to count as abandoned
    /// (an older redactor may still be writing it): a live encoder writes every second, a photo's is done in a moment.</summary>
    internal static readonly TimeSpan UnownedAge = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Deletes the temporary files in <paramref name="folder"/> whose run is no longer alive and returns their names. A
    /// run killed outright cannot clean up after itself, and its encoder may have finished the file into a playable copy
    /// (MKV, WebM and AVI are playable however they are cut); they are hidden, and folder scans skip them, so without
    /// this they would stay unnoticed. A file is abandoned when its lock can be taken: the run holds it from creation to
    /// rename or delete, and the kernel lets go of it when the run dies however it dies. Neither pid, host name nor mtime
    /// decides, as each can lie (a pid namespace, a shared default host name, a server's skewed clock). Anything not
    /// named like ours is left alone. On Windows nothing is deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        var removed = new List<string>();
        if (OperatingSystem.IsWindows()) return removed;
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
            bool locked = Locked.IsMatch(name);
            if (!locked && !(Unlocked.IsMatch(name) && DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > UnownedAge)) continue;
            if (TryRemoveAbandoned(file)) removed.Add(name);
        }
        return removed;
    }

    /// <summary>Deletes <paramref name="file"/> if no one holds its lock, holding it ourselves meanwhile, so that the
    /// file's run cannot be between its creation and its lock (<see cref="TempFile.Beside"/> checks its name is still
    /// there once locked).</summary>
    private static bool TryRemoveAbandoned(string file)
    {
        SafeFileHandle handle;
        try
        {
            // Open for writing: an NFS client takes flock's exclusive lock as a lock of the whole file on the server,
            // which needs write access. (.NET itself tries flock for FileShare.None, and refuses a held file here.)
            handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // locked by a live run, gone, or someone else's
        }
        using (handle)
        {
            if (Flock.TryLock(handle) != Flock.Result.Locked) return false;
            // Its run renamed or deleted it (and so let go of it) between our open and our lock: not ours to count.
            if (!File.Exists(file)) return false;
            try
            {
                File.Delete(file);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false; // a read-only folder: the run goes on, and the file stays as it was
            }
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

/// <summary>
/// A temporary file beside an output (<see cref="TempFiles.PathBeside"/>), created empty and held under an exclusive
/// advisory lock (flock) from its creation until it is renamed into place (<see cref="Publish"/>) or deleted
/// (<see cref="Dispose"/>). Another run removes a temporary file only if it can take that lock, and the kernel releases
/// it when this process ends, even by kill -9. Write through <see cref="Stream"/>, or hand <see cref="Path"/> to a tool
/// that opens it itself (ffmpeg truncates the same file, and the lock is the file's, not the name's).
/// </summary>
public sealed class TempFile : IDisposable
{
    private FileStream? _stream;
    private bool _published;

    private TempFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    public FileStream Stream => _stream ?? throw new ObjectDisposedException(Path);

    /// <summary>Creates and locks a new temporary file beside <paramref name="finalPath"/>.</summary>
    public static TempFile Beside(string finalPath)
    {
        for (int attempt = 1; ; attempt++)
        {
            var path = TempFiles.PathBeside(finalPath);
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 3 && !File.Exists(path))
            {
                // .NET's own lock lost to a cleaner that opened the new file first (and has deleted it): a new name.
                continue;
            }
            // Taken here as well, whether or not .NET took it (DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns its lock off).
            // Between creation and lock another run's cleanup may have taken the lock and deleted the file: the name is
            // unique, so if it is still there once we hold the lock, it is ours.
            var locked = Flock.TryLock(stream.SafeFileHandle);
            if (locked != Flock.Result.Busy && File.Exists(path)) return new TempFile(path, stream);
            stream.Dispose();
            if (attempt >= 3) throw new IOException($"could not lock a temporary file in {System.IO.Path.GetDirectoryName(path)}");
        }
    }

    /// <summary>Renames the finished file to <paramref name="finalPath"/>, then lets go of the lock; without
    /// <paramref name="overwrite"/> an existing file at the final name is an error and stays untouched.</summary>
    public void Publish(string finalPath, bool overwrite)
    {
        Stream.Flush();
        try
        {
            File.Move(Path, finalPath, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(finalPath))
        {
            throw new MediaException($"{finalPath} already exists (use --overwrite to replace it)");
        }
        _published = true;
        Release();
    }

    /// <summary>Deletes the file unless it was published, and only then lets go of the lock: a cleaner never finds a
    /// file of ours unlocked.</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        if (!_published) TempFiles.TryDelete(Path);
        Release();
    }

    private void Release()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // A flush that failed (disk full) on a file already deleted or reported: closing is what matters.
        }
        _stream = null;
    }
}

/// <summary>flock(2), called directly rather than through FileStream's FileShare.None, which .NET skips when
/// DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set and whose failures it partly ignores.</summary>
internal static partial class Flock
{
    public enum Result { Locked, Busy, Unsupported }

    private const int LockEx = 2, LockNb = 4, EWouldBlock = 11;

    // glibc's soname: "libc" alone is found through libc.so, which only libc6-dev installs (and is a linker script).
    [LibraryImport("libc.so.6", EntryPoint = "flock", SetLastError = true)]
    private static partial int NativeFlock(int fd, int operation);

    /// <summary>Takes an exclusive lock without waiting. <see cref="Result.Unsupported"/> where the file system has no
    /// locks (or on Windows, where FileShare.None already excludes others): a file there is never found lockable by a
    /// cleaner either, so it is kept rather than risked.</summary>
    public static Result TryLock(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows()) return Result.Unsupported;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (NativeFlock((int)handle.DangerousGetHandle(), LockEx | LockNb) == 0) return Result.Locked;
            return Marshal.GetLastPInvokeError() == EWouldBlock ? Result.Busy : Result.Unsupported;
        }
        catch (DllNotFoundException)
        {
            return Result.Unsupported; // not glibc: FileShare.None's own flock is then the only lock
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
