using System.Text;
using System.Text.Json;

namespace Redactor.Review;

/// <summary>An item's decisions after an edit, in the plan file's own shapes (docs: the plan JSON format), so the page
/// replaces its copy of them without reloading the whole plan (tracks can run to megabytes).</summary>
internal static class DecisionsJson
{
    public static string Write(int index, PlanItem item, int? created)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("item", index);
            if (created is int id) w.WriteNumber("created", id);
            w.WriteStartArray("keep");
            foreach (int t in item.Keep) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteStartArray("remove");
            foreach (int t in item.Remove) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteStartArray("manual");
            foreach (var m in item.Manual)
            {
                w.WriteStartObject();
                w.WriteNumber("id", m.Id);
                w.WriteNumber("start", m.Start);
                w.WriteNumber("end", m.End);
                w.WriteStartArray("keys");
                foreach (var k in m.Keys)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(k.Frame);
                    Pixels(w, k.Box.X);
                    Pixels(w, k.Box.Y);
                    Pixels(w, k.Box.Width);
                    Pixels(w, k.Box.Height);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("coverFrames");
            foreach (var s in item.CoverFrames)
            {
                w.WriteStartArray();
                w.WriteNumberValue(s.Start);
                w.WriteNumberValue(s.End);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Rounded to 2 decimals as the plan file stores them (a float's binary tail would print as 100.09999847).</summary>
    private static void Pixels(Utf8JsonWriter w, float v) => w.WriteNumberValue(Math.Round((double)v, 2));
}
