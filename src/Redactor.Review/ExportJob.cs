using System.Text;
using System.Text.Json;

namespace Redactor.Review;

/// <summary>The page's Export: one at a time, on its own task, rendering a snapshot of the plan taken when it was asked
/// for (edits made while it runs go into the plan file, not into that output).</summary>
internal sealed class ExportJob(ReviewSession session, Action<string> logError)
{
    private enum State { Idle, Running, Done, Failed, Cancelled }

    private readonly object gate = new();
    private readonly Meter meter = new();
    private State state = State.Idle;
    private string? style;
    private ExportResult? result;
    private string? error;
    private Task task = Task.CompletedTask;

    /// <summary>Starts an export unless one is running (false then).</summary>
    public bool TryStart(RedactionStyle chosen, CancellationToken stop)
    {
        lock (gate)
        {
            if (state == State.Running) return false;
            var plan = session.Snapshot();
            var options = ReviewServer.WithStyle(session.Style, chosen);
            state = State.Running;
            style = ReviewServer.StyleName(chosen);
            result = null;
            error = null;
            meter.Reset();
            task = Task.Factory.StartNew(() => Run(plan, options, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return true;
        }
    }

    private void Run(ReviewPlan plan, RedactionOptions options, CancellationToken stop)
    {
        try
        {
            var done = session.Media.Export(plan, options, meter, stop);
            lock (gate)
            {
                result = done;
                state = State.Done;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The review is ending under it (Ctrl-C, Finish): said, since the person may have expected the copy.
            logError("the export was stopped before it ended: no copy was written");
            lock (gate) state = State.Cancelled;
        }
        catch (Exception e)
        {
            string line = ReviewServer.OneLine(e.Message);
            logError($"export failed: {line}");
            lock (gate)
            {
                error = line;
                state = State.Failed;
            }
        }
    }

    /// <summary>Waits for a running export to end (after its token was cancelled).</summary>
    public Task WaitAsync()
    {
        lock (gate) return task.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary><c>{"state": "idle|running|done|failed|cancelled", "style", "defaultStyle", "progress": 0..1, "summary": [..],
    /// "outputs": [..], "error"}</c>.</summary>
    public string StatusJson()
    {
        lock (gate)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("state", JsonNamingPolicy.CamelCase.ConvertName(state.ToString()));
                if (style is not null) w.WriteString("style", style);
                // The style given on the command line (--style): what the page's choice starts at.
                w.WriteString("defaultStyle", ReviewServer.StyleName(session.Style.Style));
                w.WriteNumber("progress", Math.Round(state == State.Done ? 1 : meter.Value, 4));
                w.WriteStartArray("summary");
                foreach (var line in result?.Summary ?? []) w.WriteStringValue(line);
                w.WriteEndArray();
                w.WriteStartArray("outputs");
                foreach (var path in result?.Outputs ?? []) w.WriteStringValue(path);
                w.WriteEndArray();
                if (error is not null) w.WriteString("error", error);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }

    /// <summary>The render's progress, read by the page's polls from another thread (not <see cref="Progress{T}"/>,
    /// which would post to a synchronisation context).</summary>
    private sealed class Meter : IProgress<double>
    {
        private long bits;

        public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref bits));

        public void Report(double value)
        {
            double v = double.IsFinite(value) ? Math.Clamp(value, 0, 1) : 0;
            Interlocked.Exchange(ref bits, BitConverter.DoubleToInt64Bits(v));
        }

        public void Reset() => Report(0);
    }
}
