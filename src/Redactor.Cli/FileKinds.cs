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

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);
}
