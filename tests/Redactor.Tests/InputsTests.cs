using Redactor.Cli;
using Xunit;

namespace Redactor.Tests;

public class InputsTests
{
    [Fact]
    public void Default_output_sits_beside_the_input()
    {
        var dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "clip.mp4"), "");
        var items = Inputs.Plan([Path.Combine(dir, "clip.mp4")], null, false, true);
        Assert.Equal(Path.Combine(dir, "clip.redacted.mp4"), Assert.Single(items).Output);
    }

    [Fact]
    public void Folders_yield_media_only_skip_our_own_outputs_and_mirror_structure_into_the_output_folder()
    {
        var dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        foreach (var f in new[] { "a.jpg", "b.MP4", "notes.txt", "a.redacted.jpg", "sub/c.png" }) File.WriteAllText(Path.Combine(dir, f), "");
        var flat = Inputs.Plan([dir], "/out", recursive: false, withOutputs: true);
        Assert.Equal(new[] { "a.jpg", "b.MP4" }, flat.Select(i => Path.GetFileName(i.Input)));
        var deep = Inputs.Plan([dir], "/out", recursive: true, withOutputs: true);
        Assert.Contains(deep, i => i.Output == "/out/sub/c.png" && i.Kind == MediaKind.Photo);
        Assert.Contains(deep, i => i.Output == "/out/b.MP4" && i.Kind == MediaKind.Video);
    }

    [Fact]
    public void An_output_path_taken_by_a_folder_is_named_as_one()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "a.jpg");
        File.WriteAllText(input, "");
        Directory.CreateDirectory(Path.Combine(dir, "a.redacted.jpg"));
        Assert.Contains("is a folder", Assert.Single(Inputs.Plan([input], null, false, true)).Error);
    }

    [Fact]
    public void Output_of_another_kind_is_refused()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "a.jpg");
        File.WriteAllText(input, "");
        Assert.Contains("extension", Assert.Single(Inputs.Plan([input], Path.Combine(dir, "x.mp4"), false, true)).Error);
    }
    [Fact]
    public void Two_inputs_bound_for_one_output_file_fail_the_second_even_with_overwrite()
    {
        var dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "a"));
        Directory.CreateDirectory(Path.Combine(dir, "b"));
        var a = Path.Combine(dir, "a", "x.jpg");
        var b = Path.Combine(dir, "b", "x.jpg");
        File.WriteAllText(a, "");
        File.WriteAllText(b, "");
        var items = Inputs.Plan([a, b, Path.Combine(dir, "b")], Path.Combine(dir, "out"), false, true);
        Assert.Equal(3, items.Count);
        Assert.Null(items[0].Error);
        Assert.Contains("same output", items[1].Error);
        Assert.Contains(a, items[1].Error);
        Assert.Contains("same output", items[2].Error);
    }
}
