using System.Runtime.InteropServices;

namespace Redactor.OpenCv;

/// <summary>
/// OpenCV's DNN allocates and frees tens of MiB of activations on every call. With glibc's default, adaptive
/// thresholds those blocks go back to the kernel after each frame and come back as fresh pages, and the page
/// faults cost more than the network itself (measured here: YuNet at 1280x736 took 120 ms a frame instead of 35).
/// Fixing the thresholds keeps freed blocks in the heap for reuse. Process-wide, set once (before detection
/// workers allocate), harmless elsewhere.
/// </summary>
public static partial class NativeHeap
{
    private const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8;
    private static int _done;

    internal static void Tune()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1 || !OperatingSystem.IsLinux()) return;
        try
        {
            mallopt(M_TRIM_THRESHOLD, 512 << 20);
            mallopt(M_MMAP_THRESHOLD, 256 << 20);
            // Worker threads would otherwise get arenas of their own, whose heaps are capped and shrunk eagerly:
            // the same page-fault storm again (two detection workers ran at half speed until this was set).
            mallopt(M_ARENA_MAX, 1);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, say): only slower.
        }
    }

    /// <summary>
    /// Gives the heap's free pages back to the kernel. With the thresholds of <see cref="Tune"/> what the detectors
    /// free stays in the process; after a video's detection pass their sessions' buffers (about 180 MiB a worker) are
    /// not needed while it is tracked and rendered, and the managed heap, which grows then, cannot reuse them.
    /// </summary>
    public static void Release()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the pages stay.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
