using System.Reflection;
using CommandLine;
using CommandLine.Text;

namespace Redactor.Cli;

/// <summary>Parses the command line and runs a verb. Exit codes: 0 all done, 1 some inputs failed, 2 bad usage,
/// 130 interrupted.</summary>
internal static class App
{
    public const int Ok = 0, SomeFailed = 1, Usage = 2, Interrupted = 130;

    public static string Version =>
        typeof(App).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.CaseInsensitiveEnumValues = true;
            s.MaximumDisplayWidth = 100;
            // "--" ends the options, so that a file named like "-photo.jpg" can be named as it is.
            s.EnableDashDash = true;
        });
        args = AskedFor(args);
        if (MissingValue(args) is { } option)
        {
            stderr.WriteLine($"error: {option} needs a value");
            stderr.WriteLine("Run 'redactor help' or 'redactor VERB --help' for usage.");
            return Usage;
        }
        var result = parser.ParseArguments<RedactOptions, DetectOptions, ModelsOptions>(args);
        return result.MapResult(
            (RedactOptions o) => Guard(stderr, () => Commands.Redact(WithGiven(o, args), stdout, stderr, ct)),
            (DetectOptions o) => Guard(stderr, () => Commands.Detect(o, stdout, stderr, ct)),
            (ModelsOptions o) => Guard(stderr, () => Commands.Models(o, stdout, stderr, ct)),
            errors => ShowHelp(result, errors, args, stdout, stderr));
    }

    /// <summary>
    /// <c>--help</c>, <c>-h</c> or <c>--version</c> anywhere before <c>--</c> is a request, as it is right after the verb:
    /// the parser calls it an unknown option there (<c>redact a.jpg --help</c>), and the one-line error would send the user
    /// to the help they just asked for.
    /// </summary>
    private static string[] AskedFor(string[] args)
    {
        int end = Array.IndexOf(args, "--");
        var options = end < 0 ? args : args[..end];
        if (options.Contains("--version")) return ["--version"];
        if (!options.Contains("--help") && !options.Contains("-h")) return args;
        string[] verbs = ["redact", "detect", "models"];
        return args.Length > 0 && verbs.Contains(args[0]) ? [args[0], "--help"] : ["--help"];
    }

    /// <summary>Notes which long options the command line holds (before any <c>--</c>).</summary>
    private static T WithGiven<T>(T options, IReadOnlyList<string> args) where T : MediaOptions
    {
        // Only long names: the options asked about have no short ones.
        options.Given = args.TakeWhile(a => a != "--").Where(a => a.StartsWith("--", StringComparison.Ordinal))
            .Select(a => a[2..].Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        return options;
    }

    /// <summary>A parse error in the user's words: what was wrong and what would do.</summary>
    private static string Explain(Error error, IReadOnlyList<string> args)
    {
        if (error is BadFormatConversionError { NameInfo.LongName: { Length: > 0 } name })
        {
            var type = OptionType(name);
            int at = args.ToList().IndexOf("--" + name);
            string? value = at >= 0 && at + 1 < args.Count ? args[at + 1]
                : args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];
            string got = value is null ? "" : $" (got '{value}')";
            if (type is { IsEnum: true })
                return $"--{name} must be one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}{got}";
            if (type == typeof(int)) return $"--{name} must be a whole number{got}";
            if (type == typeof(float)) return $"--{name} must be a number{got}";
        }
        if (error is MissingRequiredOptionError { NameInfo.LongName: null or "" })
            return args.Count > 0 && args[0] == "models" ? "no action given: list or install" : "no input given: name the photos, videos or folders to process";
        return SentenceBuilder.Create().FormatError(error).TrimEnd('.');
    }

    private static Type? OptionType(string longName) => Options().FirstOrDefault(o => o.Option.LongName == longName).Type;

    /// <summary>Every verb's options, with the type of value each takes.</summary>
    private static IEnumerable<(OptionAttribute Option, Type Type)> Options() =>
        from type in new[] { typeof(RedactOptions), typeof(DetectOptions), typeof(ModelsOptions) }
        from property in type.GetProperties()
        let option = property.GetCustomAttribute<OptionAttribute>()
        where option is not null
        select (option, property.PropertyType);

    /// <summary>
    /// An option that takes a value but is last on the line, or followed by another option. The parser takes the first
    /// silently (<c>redact a.jpg --overwrite -o</c> wrote beside the input, dropping the output the user meant) and the
    /// second as the value (<c>-o -q</c>: an output file named "-q").
    /// </summary>
    internal static string? MissingValue(IReadOnlyList<string> args)
    {
        var options = new HashSet<string>(StringComparer.Ordinal);
        var takesValue = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (o, type) in Options())
        {
            string[] names = [.. new[] { "--" + o.LongName, "-" + o.ShortName }.Where(n => n.Trim('-').Length > 0)];
            options.UnionWith(names);
            if (type != typeof(bool)) takesValue.UnionWith(names);
        }
        for (int i = 0; i < args.Count && args[i] != "--"; i++)
        {
            if (!takesValue.Contains(args[i])) continue;
            if (i + 1 == args.Count) return args[i];
            string next = args[i + 1];
            if (next == "--" || options.Contains(next) || next.StartsWith("--", StringComparison.Ordinal) && options.Contains(next.Split('=')[0])) return args[i];
            i++;
        }
        return null;
    }

    private static int ShowHelp<T>(ParserResult<T> result, IEnumerable<Error> errors, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var list = errors.ToList();
        if (list.Any(e => e.Tag == ErrorType.VersionRequestedError))
        {
            stdout.WriteLine($"redactor {Version}");
            return Ok;
        }
        bool asked = list.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError);
        // A mistyped option or value: the reason in a line, not the reason lost above a screen of help. With no verb at
        // all, the list of verbs is the useful answer.
        if (!asked && list.All(e => e.Tag is not ErrorType.NoVerbSelectedError))
        {
            foreach (var e in list) stderr.WriteLine($"error: {Explain(e, args)}");
            stderr.WriteLine("Run 'redactor help' or 'redactor VERB --help' for usage.");
            return Usage;
        }
        var help = HelpText.AutoBuild(result, h =>
        {
            h.Heading = $"redactor {Version}";
            h.Copyright = "Finds every face in photos and videos and makes it unrecognisable. Offline; no network at run time.";
            h.AddEnumValuesToHelpText = false;
            h.AddDashesToOption = true;
            h.MaximumDisplayWidth = 100;
            return HelpText.DefaultParsingErrorsHandler(result, h);
        }, e => e, verbsIndex: true);
        (asked ? stdout : stderr).WriteLine(help.ToString().TrimEnd());
        return asked ? Ok : Usage;
    }

    /// <summary>Usage errors found after parsing (bad values) exit 2; anything unexpected becomes one line, never a stack trace.</summary>
    private static int Guard(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("Run 'redactor help' or 'redactor VERB --help' for usage.");
            return Usage;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("interrupted: stopped, and no partial output was left");
            return Interrupted;
        }
        catch (MediaException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return SomeFailed;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {Commands.Reason(e)}");
            return SomeFailed;
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);
