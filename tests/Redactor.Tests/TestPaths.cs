using System.Diagnostics;

namespace Redactor.Tests;

/// <summary>Where the repository and ../shared are, seen from the test assembly.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Shared { get; } = Environment.GetEnvironmentVariable("REDACTOR_SHARED") is { Length: > 0 } s
        ? s : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>../shared/models: the source folder an install copies from (the converted models sit in its candidates/).</summary>
    public static string Models => Path.Combine(Shared, "models");

    /// <summary>A model folder as an install leaves it, every model of the catalogue at its top (links to ../shared's
    /// files), for the runs that use the default detector, which needs yolov5n-face from candidates/.</summary>
    public static string Store => _store.Value;

    private static readonly Lazy<string> _store = new(() =>
    {
        var dir = NewTempDir();
        foreach (var m in ModelStore.Catalog)
            File.CreateSymbolicLink(Path.Combine(dir, m.FileName), ModelStore.SourceIn(m, Models) ?? throw new FileNotFoundException($"{m.FileName} is not in {Models}"));
        return dir;
    });
    public static string DlibFaces => Path.Combine(Shared, "data", "dlib-faces");
    public static string Panzoom720 => Path.Combine(Shared, "data", "panzoom", "wider-720p.mp4");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Redactor.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Redactor.sln not found above the test assembly");
    }

    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "redactor-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a command line tool and returns exit code and stdout; used for ffprobe, exiftool and ffmpeg in tests.</summary>
    public static (int Exit, string Out, string Err) Tool(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }
}

/// <summary>Runs the CLI in this process, the way a user's command line would.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Redactor.Cli.App.Run(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Arguments that point the model store at a folder holding every model (<see cref="TestPaths.Store"/>).</summary>
    public static string[] WithModels(params string[] args) => [.. args, "--models", TestPaths.Store];
}
