using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Redactor.Review;

/// <summary>Reads and writes plan files. Errors are <see cref="PlanException"/>s whose message names the file and the
/// field (JSON path such as <c>items[0].manual[2].keys</c>).</summary>
/// <remarks>The format (docs/plan.md): camelCase, enums as camelCase strings, boxes and keys as compact
/// arrays, coordinates rounded to 2 decimals and scores to 3 when written. Unknown fields are refused: a misspelt
/// <c>coverFrames</c> read as absent would leave frames uncovered without a word.</remarks>
public static partial class PlanJson
{
    /// <summary>Reads and validates a plan file (<see cref="Validate"/>).</summary>
    public static ReviewPlan Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PlanException($"{path}: no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlanException($"{path}: cannot be read ({e.Message.TrimEnd('.')})");
        }
        return Deserialize(bytes, path);
    }

    /// <summary>Written beside and renamed into place (a crash never leaves half a plan). Not validated: what is written
    /// is what the caller holds; <see cref="Read"/> validates.</summary>
    public static void Write(ReviewPlan plan, string path)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var temp = TempFile.Beside(path);
        // The temporary file's stream is its lock: written through it, closed once renamed.
        using (var json = new Utf8JsonWriter(temp.Stream, WriterOptions))
            JsonSerializer.Serialize(json, plan, Options);
        temp.Publish(path, overwrite: true);
    }

    /// <summary>The JSON text, as saved (also what the review page is sent).</summary>
    public static string Serialize(ReviewPlan plan) => Encoding.UTF8.GetString(SerializeToUtf8(plan));

    /// <summary>The JSON text as UTF-8 bytes, as saved.</summary>
    public static byte[] SerializeToUtf8(ReviewPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            JsonSerializer.Serialize(json, plan, Options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses and validates a plan; <paramref name="source"/> names it in errors (a file name).</summary>
    public static ReviewPlan Deserialize(string json, string source) => Deserialize(Encoding.UTF8.GetBytes(json), source);

    /// <inheritdoc cref="Deserialize(string, string)"/>
    public static ReviewPlan Deserialize(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble)) utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        CheckFormat(utf8, source);
        ReviewPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<ReviewPlan>(utf8, Options);
        }
        catch (JsonException e)
        {
            throw new PlanException($"{source}: {Where(e.Path)}{Reason(e)}{Line(e.LineNumber)}");
        }
        if (plan is null) throw new PlanException($"{source}: not a redactor plan file (it is null)");
        Validate(plan, source);
        return plan;
    }

    /// <summary>Throws a <see cref="PlanException"/> naming the first field that makes the plan unusable: frames outside
    /// the input, keys outside their region, unordered lists, negative or non-finite sizes, unknown or duplicate ids,
    /// a track both kept and removed, a malformed sha256. The review page's edits can be checked with it before saving.</summary>
    public static void Validate(ReviewPlan plan, string source) => PlanValidator.Validate(plan, source);

    /// <summary>
    /// The format and version are read before anything else, so that a JSON file of another kind is called that, not
    /// a list of type errors, and a newer plan (whose fields may mean something else) is refused as newer.
    /// </summary>
    private static void CheckFormat(ReadOnlySpan<byte> utf8, string source)
    {
        string? format = null;
        long? version = null;
        bool hasVersion = false;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read()) throw new PlanException($"{source}: empty file, not a redactor plan file");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new PlanException($"{source}: not a redactor plan file (not a JSON object)");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("format"u8))
                {
                    reader.Read();
                    format = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    hasVersion = true;
                    version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) ? v : null;
                }
                else
                {
                    reader.Read();
                }
                reader.Skip();
            }
            // The rest of the text must be well formed too: its errors are named here, by line.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw new PlanException($"{source}: not valid JSON: {StripPath(e.Message)}{Line(e.LineNumber)}");
        }
        if (format != ReviewPlan.FormatName)
            throw new PlanException(format is null
                ? $"{source}: not a redactor plan file (no \"format\": \"{ReviewPlan.FormatName}\")"
                : $"{source}: not a redactor plan file (its format is \"{format}\", not \"{ReviewPlan.FormatName}\")");
        if (!hasVersion) throw new PlanException($"{source}: version: missing");
        if (version is not long n || n < 1) throw new PlanException($"{source}: version: must be a whole number from 1");
        if (n > ReviewPlan.CurrentVersion)
            throw new PlanException($"{source}: made by a newer redactor (plan version {n}; this one reads version {ReviewPlan.CurrentVersion}): use a newer redactor");
    }

    private static string Where(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "";
        return (path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$')) + ": ";
    }

    private static string Line(long? line) => line is long l ? $" (line {l + 1})" : "";

    /// <summary>What was wrong, in the user's words: our converters' own messages as they are, the serializer's made shorter.</summary>
    private static string Reason(JsonException e)
    {
        if (e is PlanFieldException) return e.Message;
        var message = StripPath(e.Message);
        if (message.Contains("missing required properties", StringComparison.Ordinal) && Quoted().Match(message) is { Success: true } missing)
            return $"{missing.Groups[1].Value}: missing";
        if (message.Contains("allow setting null", StringComparison.Ordinal)) return "must not be null";
        if (message.Contains("could not be mapped", StringComparison.Ordinal) || message.Contains("unmapped", StringComparison.OrdinalIgnoreCase))
            return "not a field of a plan (misspelt?)";
        if (ConvertedTo().Match(message) is { Success: true } m) return $"expected {Expected(m.Groups[1].Value)}";
        return message;
    }

    private static string Expected(string type) => type switch
    {
        _ when type.EndsWith("Int32", StringComparison.Ordinal) || type.EndsWith("Int64", StringComparison.Ordinal) => "a whole number",
        _ when type.EndsWith("Double", StringComparison.Ordinal) || type.EndsWith("Single", StringComparison.Ordinal) => "a number",
        _ when type.EndsWith("String", StringComparison.Ordinal) => "text",
        _ when type.Contains("PlanItemKind", StringComparison.Ordinal) => "\"video\" or \"photo\"",
        _ when type.Contains("List`1", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) => "a list",
        _ => "an object",
    };

    private static string StripPath(string message)
    {
        int at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (at < 0) at = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (at >= 0 ? message[..at] : message).TrimEnd().TrimEnd('.');
    }

    [GeneratedRegex("could not be converted to ([^ ]+?)\\.?(?: |$)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, IndentSize = 1 };

    internal static readonly JsonSerializerOptions Options = BuildOptions();

    private static JsonSerializerOptions BuildOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false),
                new TrackBoxConverter(),
                new KeyBoxConverter(),
                new FrameSpanConverter(),
                new PlanMarkConverter(),
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>A plan that cannot be used: malformed, or made for another input.</summary>
public sealed class PlanException(string message) : Exception(message);
