using System.Text.Json;
using System.Text.Json.Serialization;

namespace Redactor.Review;

/// <summary>A converter's complaint about one value: its message is shown as it is, after the value's path.</summary>
internal sealed class PlanFieldException(string message) : JsonException(message);

/// <summary>
/// The compact arrays of the plan format. Each is written as one raw value on a line of its own, so an indented file keeps
/// one box a line (a 20 s crowd video has about 236,000 track boxes: a number a line would make 8 times as many lines), and read
/// token by token with its shape checked; what the values mean (frames in range, sizes not negative) is
/// <see cref="PlanValidator"/>'s.
/// </summary>
internal static class CompactArray
{
    /// <summary>Longest text of one array: a new line, at most 64 of indent, 7 numbers of at most 24 characters and a source name.</summary>
    private const int MaxLength = 320;

    public ref struct Text(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _length;

        public void Number(long value) => Append(value);

        /// <summary>Rounded to <paramref name="decimals"/> places, in the shortest form that reads back as that value.</summary>
        public void Number(float value, int decimals)
        {
            // JSON has no NaN or infinity: a plan holding one is a bug of whoever edited it, refused rather than saved altered.
            if (!float.IsFinite(value)) throw new InvalidOperationException($"a plan cannot hold the number {value}");
            double rounded = Math.Round((double)value, decimals);
            // Written as fixed point from a whole number of hundredths (thousandths): formatting a double in its shortest
            // form took most of the time of writing a plan's 236,000 boxes.
            double scale = decimals == 2 ? 100 : decimals == 3 ? 1000 : 0;
            if (scale == 0 || Math.Abs(rounded) >= 1e12) { Append(rounded); return; }
            long units = (long)Math.Round(rounded * scale);
            Separator();
            if (units < 0) { _buffer[_length++] = (byte)'-'; units = -units; }
            long whole = units / (long)scale, part = units % (long)scale;
            whole.TryFormat(_buffer[_length..], out int written, default, System.Globalization.CultureInfo.InvariantCulture);
            _length += written;
            if (part == 0) return;
            _buffer[_length++] = (byte)'.';
            for (int digit = decimals - 1; digit >= 0 && part != 0; digit--)
            {
                long power = digit == 2 ? 100 : digit == 1 ? 10 : 1;
                _buffer[_length++] = (byte)('0' + part / power);
                part %= power;
            }
        }

        public void String(ReadOnlySpan<byte> utf8)
        {
            Separator();
            _buffer[_length++] = (byte)'"';
            utf8.CopyTo(_buffer[_length..]);
            _length += utf8.Length;
            _buffer[_length++] = (byte)'"';
        }

        private void Append<T>(T value) where T : IUtf8SpanFormattable
        {
            Separator();
            if (!value.TryFormat(_buffer[_length..], out int written, default, System.Globalization.CultureInfo.InvariantCulture))
                throw new InvalidOperationException("a plan array is longer than its buffer");
            _length += written;
        }

        private void Separator()
        {
            if (_length > _start + 1) _buffer[_length++] = (byte)',';
        }

        /// <summary>Starts the array on a line of its own, indented as the writer would (a raw value gets no new line).</summary>
        public void Start(Utf8JsonWriter writer)
        {
            if (writer.Options.Indented)
            {
                int indent = Math.Min(writer.CurrentDepth * writer.Options.IndentSize, 64);
                _buffer[_length++] = (byte)'\n';
                _buffer.Slice(_length, indent).Fill((byte)writer.Options.IndentCharacter);
                _length += indent;
            }
            _start = _length;
            _buffer[_length++] = (byte)'[';
        }

        private int _start;

        public void End(Utf8JsonWriter writer)
        {
            _buffer[_length++] = (byte)']';
            writer.WriteRawValue(_buffer[.._length], skipInputValidation: true);
        }
    }

    public static Span<byte> Buffer(Span<byte> stack) => stack[..MaxLength];

    public static void Start(ref Utf8JsonReader reader, string shape)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new PlanFieldException($"expected {shape}");
    }

    public static void End(ref Utf8JsonReader reader, string shape)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray) throw new PlanFieldException($"too many values: expected {shape}");
    }

    public static long Frame(ref Utf8JsonReader reader, string shape, string name = "frame")
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) throw new PlanFieldException($"too few values: expected {shape}");
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
            throw new PlanFieldException($"{name} must be a whole number: expected {shape}");
        return value;
    }

    public static float Number(ref Utf8JsonReader reader, string shape, string name)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) throw new PlanFieldException($"too few values: expected {shape}");
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
            throw new PlanFieldException($"{name} must be a number: expected {shape}");
        return (float)value;
    }

    public static string Name(ref Utf8JsonReader reader, string shape, string name)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) throw new PlanFieldException($"too few values: expected {shape}");
        if (reader.TokenType != JsonTokenType.String) throw new PlanFieldException($"{name} must be text: expected {shape}");
        return reader.GetString()!;
    }

    public static Box Box(ref Utf8JsonReader reader, string shape) => new(
        Number(ref reader, shape, "x"), Number(ref reader, shape, "y"), Number(ref reader, shape, "width"), Number(ref reader, shape, "height"));

    public static void Box(ref Text text, Box box)
    {
        text.Number(box.X, 2);
        text.Number(box.Y, 2);
        text.Number(box.Width, 2);
        text.Number(box.Height, 2);
    }
}

/// <summary><c>[frame, x, y, width, height, score, source]</c>.</summary>
internal sealed class TrackBoxConverter : JsonConverter<TrackBox>
{
    private const string Shape = "[frame, x, y, width, height, score, source]";

    public override TrackBox Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        CompactArray.Start(ref reader, Shape);
        long frame = CompactArray.Frame(ref reader, Shape);
        var box = CompactArray.Box(ref reader, Shape);
        float score = CompactArray.Number(ref reader, Shape, "score");
        var source = CompactArray.Name(ref reader, Shape, "source") switch
        {
            "detected" => RegionSource.Detected,
            "interpolated" => RegionSource.Interpolated,
            "extrapolated" => RegionSource.Extrapolated,
            "spread" => RegionSource.Spread,
            var other => throw new PlanFieldException($"source \"{other}\" is not one of detected, interpolated, extrapolated, spread"),
        };
        CompactArray.End(ref reader, Shape);
        return new TrackBox(frame, box, score, source);
    }

    public override void Write(Utf8JsonWriter writer, TrackBox value, JsonSerializerOptions options)
    {
        var text = new CompactArray.Text(CompactArray.Buffer(stackalloc byte[320]));
        text.Start(writer);
        text.Number(value.Frame);
        CompactArray.Box(ref text, value.Box);
        text.Number(value.Score, 3);
        text.String(value.Source switch
        {
            RegionSource.Detected => "detected"u8,
            RegionSource.Interpolated => "interpolated"u8,
            RegionSource.Extrapolated => "extrapolated"u8,
            RegionSource.Spread => "spread"u8,
            var other => throw new InvalidOperationException($"a track box cannot come from {other}"),
        });
        text.End(writer);
    }
}

/// <summary><c>[frame, x, y, width, height]</c>.</summary>
internal sealed class KeyBoxConverter : JsonConverter<KeyBox>
{
    private const string Shape = "[frame, x, y, width, height]";

    public override KeyBox Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        CompactArray.Start(ref reader, Shape);
        long frame = CompactArray.Frame(ref reader, Shape);
        var box = CompactArray.Box(ref reader, Shape);
        CompactArray.End(ref reader, Shape);
        return new KeyBox(frame, box);
    }

    public override void Write(Utf8JsonWriter writer, KeyBox value, JsonSerializerOptions options)
    {
        var text = new CompactArray.Text(CompactArray.Buffer(stackalloc byte[320]));
        text.Start(writer);
        text.Number(value.Frame);
        CompactArray.Box(ref text, value.Box);
        text.End(writer);
    }
}

/// <summary><c>[start, end]</c>, both included.</summary>
internal sealed class FrameSpanConverter : JsonConverter<FrameSpan>
{
    private const string Shape = "[start, end]";

    public override FrameSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        CompactArray.Start(ref reader, Shape);
        long start = CompactArray.Frame(ref reader, Shape, "start");
        long end = CompactArray.Frame(ref reader, Shape, "end");
        CompactArray.End(ref reader, Shape);
        return new FrameSpan(start, end);
    }

    public override void Write(Utf8JsonWriter writer, FrameSpan value, JsonSerializerOptions options)
    {
        var text = new CompactArray.Text(CompactArray.Buffer(stackalloc byte[320]));
        text.Start(writer);
        text.Number(value.Start);
        text.Number(value.End);
        text.End(writer);
    }
}

/// <summary><c>[frame, kind]</c>.</summary>
internal sealed class PlanMarkConverter : JsonConverter<PlanMark>
{
    private const string Shape = "[frame, kind]";

    public override PlanMark Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        CompactArray.Start(ref reader, Shape);
        long frame = CompactArray.Frame(ref reader, Shape);
        var kind = CompactArray.Name(ref reader, Shape, "kind") switch
        {
            "trackStarts" => MarkKind.TrackStarts,
            "trackEnds" => MarkKind.TrackEnds,
            "uncovered" => MarkKind.Uncovered,
            "fewerFaces" => MarkKind.FewerFaces,
            var other => throw new PlanFieldException($"kind \"{other}\" is not one of trackStarts, trackEnds, uncovered, fewerFaces"),
        };
        CompactArray.End(ref reader, Shape);
        return new PlanMark(frame, kind);
    }

    public override void Write(Utf8JsonWriter writer, PlanMark value, JsonSerializerOptions options)
    {
        var text = new CompactArray.Text(CompactArray.Buffer(stackalloc byte[320]));
        text.Start(writer);
        text.Number(value.Frame);
        text.String(value.Kind switch
        {
            MarkKind.TrackStarts => "trackStarts"u8,
            MarkKind.TrackEnds => "trackEnds"u8,
            MarkKind.Uncovered => "uncovered"u8,
            MarkKind.FewerFaces => "fewerFaces"u8,
            var other => throw new InvalidOperationException($"unknown mark kind {other}"),
        });
        text.End(writer);
    }
}
