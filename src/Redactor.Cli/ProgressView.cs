using System.Diagnostics;
using Spectre.Console;

namespace Redactor.Cli;

/// <summary>Shows progress of long work: a live bar with frames/s and ETA on a terminal, plain lines
/// (at most one every few seconds) when stderr is a file or pipe, nothing with --quiet.</summary>
internal abstract class ProgressView
{
    public abstract void Run(Action<ProgressView> work);
    public abstract IProgress<PipelineProgress> For(string name);

    /// <summary>Prints a result or error line; a live display holds it back until the display ends, so the
    /// line is not torn by the redrawing bars.</summary>
    public virtual void Print(TextWriter writer, string line) => writer.WriteLine(line);

    public static ProgressView Create(bool quiet, TextWriter stderr)
    {
        if (quiet) return new Silent();
        bool terminal = !Console.IsErrorRedirected && ReferenceEquals(stderr, Console.Error) && AnsiConsole.Profile.Capabilities.Interactive;
        return terminal ? new Live() : new Plain(stderr);
    }

    internal static string Rate(long done, double seconds) => seconds > 0 ? $"{done / seconds:0.0} frames/s" : "";

    private sealed class Silent : ProgressView
    {
        public override void Run(Action<ProgressView> work) => work(this);
        public override IProgress<PipelineProgress> For(string name) => new Progress(_ => { });
    }

    private sealed class Progress(Action<PipelineProgress> report) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => report(value);
    }

    private sealed class Plain(TextWriter stderr) : ProgressView
    {
        public override void Run(Action<ProgressView> work) => work(this);

        public override IProgress<PipelineProgress> For(string name)
        {
            var clock = Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            string stage = "";
            return new Progress(p =>
            {
                if (p.Stage != stage) { stage = p.Stage; clock.Restart(); last = TimeSpan.Zero; }
                bool done = p.Total is long t && p.Done >= t;
                if (!done && clock.Elapsed - last < TimeSpan.FromSeconds(5)) return;
                last = clock.Elapsed;
                double secs = clock.Elapsed.TotalSeconds;
                string of = p.Total is long total ? $"/{total} ({100.0 * p.Done / Math.Max(1, total):0}%)" : "";
                string eta = p.Total is long tt && p.Done > 0 && !done ? $", ETA {TimeSpan.FromSeconds(secs / p.Done * (tt - p.Done)):m\\:ss}" : "";
                stderr.WriteLine($"{name}: {p.Stage} {p.Done}{of} frames, {Rate(p.Done, secs)}{eta}");
            });
        }
    }

    private sealed class Live : ProgressView
    {
        private ProgressContext? _context;
        private readonly List<(TextWriter Writer, string Line)> _held = [];

        public override void Run(Action<ProgressView> work)
        {
            try
            {
                AnsiConsole.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx => { _context = ctx; work(this); });
            }
            finally
            {
                foreach (var (writer, line) in _held) writer.WriteLine(line);
            }
        }

        public override void Print(TextWriter writer, string line) => _held.Add((writer, line));

        public override IProgress<PipelineProgress> For(string name)
        {
            var tasks = new Dictionary<string, ProgressTask>();
            var clocks = new Dictionary<string, Stopwatch>();
            return new Progress(p =>
            {
                if (_context is null) return;
                if (!tasks.TryGetValue(p.Stage, out var task))
                {
                    task = _context.AddTask(Markup.Escape($"{p.Stage} {name}"), maxValue: Math.Max(1, p.Total ?? 1));
                    tasks[p.Stage] = task;
                    clocks[p.Stage] = Stopwatch.StartNew();
                }
                if (p.Total is long t) task.MaxValue = Math.Max(t, p.Done);
                else task.IsIndeterminate = true;
                task.Value = p.Done;
                task.Description = Markup.Escape($"{p.Stage} {name} {Rate(p.Done, clocks[p.Stage].Elapsed.TotalSeconds)}");
            });
        }
    }
}
