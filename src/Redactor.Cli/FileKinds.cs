using System.Runtime.InteropServices;

namespace Redactor.Cli;

/// <summary>
/// Whether an output path names something other than a regular file: a device (/dev/null), a pipe (/dev/stdout in a
/// pipeline, a shell's <c>&gt;(…)</c>) or a socket. Outputs are written beside their final name and renamed into place,
/// and a rename over /dev/null replaces the device itself with a regular file (it did, run as root); such targets are
/// written to directly (JSON reports) or refused (media). .NET's file APIs do not tell a device from a file on Linux,
/// so this asks stat(2).
/// </summary>
internal static partial class FileKinds
{
    private const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;

    /// <summary>True when <paramref name="path"/> exists (following links) and is neither a regular file nor a folder.</summary>
    public static unsafe bool IsSpecial(string path)
    {
        // Offset of st_mode in glibc's struct stat: after st_dev, st_ino and (on x86-64 only) st_nlink.
        int modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (!OperatingSystem.IsLinux() || modeOffset < 0) return false;
        byte* buffer = stackalloc byte[256]; // struct stat is 144 bytes on x86-64, 128 on arm64
        try
        {
            if (stat(path, buffer) != 0) return false; // absent (or unreadable: the write itself will say why)
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // glibc before 2.33 exports stat only as __xstat
        }
        uint type = *(uint*)(buffer + modeOffset) & S_IFMT;
        return type != S_IFREG && type != S_IFDIR;
    }

    /// <summary>
    /// The file or folder <paramref name="path"/> names (following every link, in any of its folders too), as the device
    /// and inode stat(2) reports; null when it does not exist or cannot be asked. Two paths with the same identity are one
    /// file, however they are spelt: through a linked folder, a bind mount or a hard link (<c>redact DIR -o LINK_TO_DIR
    /// --overwrite</c> replaced the originals when paths were compared as text).
    /// </summary>
    public static unsafe (ulong Device, ulong Inode)? Identity(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return null;
        byte* buffer = stackalloc byte[256];
        try
        {
            if (stat(path, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        // st_dev and st_ino lead glibc's struct stat on both.
        return (*(ulong*)buffer, *(ulong*)(buffer + 8));
    }

    /// <summary>Whether two paths name one existing file or folder; by full path where identities are unknown.</summary>
    public static bool Same(string a, string b) =>
        Identity(a) is { } x && Identity(b) is { } y ? x == y : string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="path"/> with every link resolved (realpath(3)), also when its last parts do not exist yet: those
    /// are appended to the real path of the deepest folder that does. Two spellings of one place give one string.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux()) return full;
        var rest = new Stack<string>();
        var head = full;
        while (true)
        {
            if (Resolve(head) is { } real)
                return rest.Count == 0 ? real : Path.Combine([real, .. rest]);
            var parent = Path.GetDirectoryName(head);
            if (parent is null) return full;
            rest.Push(Path.GetFileName(head));
            head = parent;
        }
    }

    private static string? Resolve(string path)
    {
        try
        {
            var p = realpath(path, IntPtr.Zero);
            if (p == IntPtr.Zero) return null;
            try
            {
                return Marshal.PtrToStringUTF8(p);
            }
            finally
            {
                free(p);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(IntPtr p);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);
}
