using System.Diagnostics;
using CommandLine;
using Redactor.Cli;
using Redactor.Review;

/// <summary>
/// Makes a review plan with the product's first pass (<see cref="Engine.PlanVideo"/>, or <see cref="Engine.PlanPhotos"/> for a
/// folder), writes it, and times the plan file's serialization and reading on it:
///   dotnet run -c Release --project tests/Redactor.Benchmarks -- plan VIDEO|FOLDER|PLAN.json OUT.json [detect options]
/// The plan is what `redactor redact INPUT --plan OUT.json` renders (until the review command writes plans itself).
/// </summary>
internal static class PlanBench
{
    /// <summary>Times a file's identity (<see cref="PlanBuilder.Hash(string, CancellationToken)"/>):
    ///   dotnet run -c Release --project tests/Redactor.Benchmarks -- plan-hash FILE</summary>
    public static void Hash(string[] args)
    {
        for (int run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            var (bytes, sha) = PlanBuilder.Hash(args[0]);
            double s = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{args[0]}: {bytes / 1e6:0.0} MB, sha256 {sha[..12]}…, {s * 1000:0} ms ({bytes / 1e6 / s:0} MB/s)");
        }
    }

    public static void Run(string[] args)
    {
        if (args.Length < 2) throw new ArgumentException("usage: plan VIDEO|FOLDER OUT.json [detect options]");
        string input = args[0], output = args[1];
        var options = new Parser(s => s.CaseInsensitiveEnumValues = true)
            .ParseArguments<DetectOptions>([input, "--json", "-", .. args[2..]])
            .MapResult(o => o, errors => throw new ArgumentException("bad detect options: " + string.Join(", ", errors)));
        var clock = Stopwatch.StartNew();
        ReviewPlan plan;
        if (input.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) plan = PlanJson.Read(input); // its file timed again
        else using (var engine = new Engine(options))
        {
            List<PlanItem> items;
            if (Directory.Exists(input))
            {
                var photos = Inputs.Plan([input], null, options.Recursive, withOutputs: false).Where(i => i.Error is null && i.Kind == MediaKind.Photo).Select(i => i.Input).ToList();
                items = engine.PlanPhotos(input, photos, (path, reason) => Console.Error.WriteLine($"error: {path}: {reason}"), Console.Error.WriteLine, CancellationToken.None);
            }
            else
            {
                items = [engine.PlanVideo(input, null, CancellationToken.None, Console.Error.WriteLine)];
            }
            plan = engine.NewPlan(items);
        }
        Console.WriteLine($"first pass and plan: {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        PlanJson.Write(plan, output);
        Console.WriteLine($"wrote {output}: {new FileInfo(output).Length / 1e6:0.00} MB in {clock.Elapsed.TotalMilliseconds:0} ms");
        long boxes = plan.Items.Sum(i => i.Tracks.Sum(t => (long)t.Boxes.Count));
        Console.WriteLine($"{plan.Items.Count} items, {plan.Items.Sum(i => i.Tracks.Count)} tracks, {boxes} track boxes, "
            + $"{plan.Items.Sum(i => i.Uncovered.Count)} uncovered, {plan.Items.Sum(i => i.Marks.Count)} marks "
            + $"({string.Join(", ", plan.Items.SelectMany(i => i.Marks).GroupBy(m => m.Kind).Select(g => $"{g.Count()} {g.Key}"))})");
        const int runs = 5;
        for (int warm = 0; warm < 2; warm++)
        {
            clock.Restart();
            for (int i = 0; i < runs; i++) PlanJson.SerializeToUtf8(plan);
            double serialize = clock.Elapsed.TotalMilliseconds / runs;
            clock.Restart();
            for (int i = 0; i < runs; i++) PlanJson.Read(output);
            double read = clock.Elapsed.TotalMilliseconds / runs;
            clock.Restart();
            for (int i = 0; i < runs; i++) _ = PlanRegions.All(plan.Items[0]).Sum(f => f.Count);
            double all = clock.Elapsed.TotalMilliseconds / runs;
            Console.WriteLine($"{(warm == 0 ? "cold" : "warm")}: serialize {serialize:0} ms, read and validate {read:0} ms, PlanRegions.All over item 0 {all:0} ms (mean of {runs})");
        }
    }
}
