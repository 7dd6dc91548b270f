using Xunit;

namespace Redactor.Tests;

/// <summary>--help output is part of the interface: a change to it must be looked at and the snapshot updated
/// (run the tests with UPDATE_SNAPSHOTS=1 to rewrite them).</summary>
public class HelpTests
{
    [Theory]
    [InlineData("help", "--help")]
    [InlineData("redact", "redact", "--help")]
    [InlineData("review", "review", "--help")]
    [InlineData("detect", "detect", "--help")]
    [InlineData("models", "models", "--help")]
    public void Help_matches_the_snapshot(string name, params string[] args)
    {
        var (code, stdout, _) = Cli.Run(args);
        Assert.Equal(0, code);
        var path = Path.Combine(TestPaths.RepoRoot, "tests", "Redactor.Tests", "Snapshots", $"help-{name}.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, stdout);
        Assert.True(File.Exists(path), $"snapshot {path} missing; run with UPDATE_SNAPSHOTS=1");
        Assert.Equal(File.ReadAllText(path), stdout);
    }

    [Fact]
    public void Help_names_every_redact_option_the_issue_promises()
    {
        var (_, stdout, _) = Cli.Run("redact", "--help");
        foreach (var option in new[] { "--output", "--overwrite", "--recursive", "--style", "--color", "--shape", "--mask-scale", "--mask-margin", "--threshold", "--audio", "--crf", "--quiet", "--min-face", "--no-track", "--fast", "--models", "--plan" })
            Assert.Contains(option, stdout);
    }

    [Fact]
    public void Version_prints_the_version()
    {
        var (code, stdout, _) = Cli.Run("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("redactor ", stdout);
    }
}
