using System.Buffers.Binary;
using System.Text;
using Redactor.OpenCv;
using Xunit;

namespace Redactor.Tests;

/// <summary>Files holding several pictures, built byte by byte: only the container structure matters here.</summary>
public class ImagePagesTests
{
    private static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    internal static byte[] Riff(params (string Type, int Size)[] chunks)
    {
        var body = new List<byte>("WEBP"u8.ToArray());
        foreach (var (type, size) in chunks)
        {
            body.AddRange(Encoding.ASCII.GetBytes(type));
            body.AddRange(BitConverter.GetBytes((uint)size)); // little-endian here
            body.AddRange(new byte[size + (size & 1)]);
        }
        return [.. "RIFF"u8.ToArray(), .. BitConverter.GetBytes((uint)body.Count), .. body];
    }

    [Fact]
    public void Animated_webp_counts_its_frames_a_still_one_is_single()
    {
        Assert.Equal(("animated WebP", 3, "frames"), ImagePages.Multiple(Write("a.webp", Riff(("VP8X", 10), ("ANIM", 6), ("ANMF", 31), ("ANMF", 40), ("ANMF", 40)))));
        Assert.Null(ImagePages.Multiple(Write("one.webp", Riff(("VP8X", 10), ("ANIM", 6), ("ANMF", 31)))));
        Assert.Null(ImagePages.Multiple(Write("still.webp", Riff(("VP8 ", 120)))));
    }

    private static byte[] Png(uint? frames)
    {
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        void Chunk(string type, byte[] data)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
            bytes.AddRange(length);
            bytes.AddRange(Encoding.ASCII.GetBytes(type));
            bytes.AddRange(data);
            bytes.AddRange(new byte[4]); // CRC, not checked here
        }
        Chunk("IHDR", new byte[13]);
        if (frames is uint n)
        {
            var actl = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(actl, n);
            Chunk("acTL", actl);
        }
        Chunk("IDAT", new byte[20]);
        Chunk("IEND", []);
        return [.. bytes];
    }

    [Fact]
    public void Animated_png_counts_its_frames_a_plain_one_is_single()
    {
        Assert.Equal(("animated PNG", 9, "frames"), ImagePages.Multiple(Write("a.png", Png(9))));
        Assert.Null(ImagePages.Multiple(Write("p.png", Png(null))));
        Assert.Null(ImagePages.Multiple(Write("one.png", Png(1))));
    }

    /// <summary>A TIFF of directories with one entry each (NewSubfileType when given), chained in file order.</summary>
    private static byte[] Tiff(bool little, params uint?[] subfileTypes)
    {
        var bytes = new List<byte>();
        void U16(int v) { var b = new byte[2]; if (little) BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); bytes.AddRange(b); }
        void U32(uint v) { var b = new byte[4]; if (little) BinaryPrimitives.WriteUInt32LittleEndian(b, v); else BinaryPrimitives.WriteUInt32BigEndian(b, v); bytes.AddRange(b); }
        bytes.AddRange(little ? "II"u8.ToArray() : "MM"u8.ToArray());
        U16(42);
        U32(8);
        for (int i = 0; i < subfileTypes.Length; i++)
        {
            // Entry: tag, type (4 = LONG), count, value; 2 + 12 + 4 bytes a directory.
            U16(1);
            U16(subfileTypes[i] is null ? 256 : 254);
            U16(4);
            U32(1);
            U32(subfileTypes[i] ?? 640);
            U32(i + 1 < subfileTypes.Length ? (uint)(bytes.Count + 4) : 0);
        }
        return [.. bytes];
    }

    [Fact]
    public void Multi_page_tiff_counts_its_pages_but_not_its_thumbnails()
    {
        Assert.Equal(("multi-page TIFF", 3, "pages"), ImagePages.Multiple(Write("p.tif", Tiff(true, null, null, 2))));
        Assert.Equal(("multi-page TIFF", 2, "pages"), ImagePages.Multiple(Write("m.tif", Tiff(false, 0, null))));
        // Page and its reduced-resolution copy (NewSubfileType bit 0): one picture.
        Assert.Null(ImagePages.Multiple(Write("t.tif", Tiff(true, null, 1))));
        Assert.Null(ImagePages.Multiple(Write("s.tif", Tiff(false, new uint?[] { null }))));
    }

    [Fact]
    public void A_directory_chain_that_loops_ends()
    {
        var bytes = Tiff(true, null, null);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), 8); // the last points back at the first
        Assert.Equal(("multi-page TIFF", 2, "pages"), ImagePages.Multiple(Write("loop.tif", bytes)));
    }

    [Fact]
    public void A_jpeg_and_a_truncated_header_are_left_to_the_decoder()
    {
        Assert.Null(ImagePages.Multiple(Path.Combine(TestPaths.DlibFaces, "images", "2008_001009.jpg")));
        Assert.Null(ImagePages.Multiple(Write("cut.webp", "RIFF\0\0"u8.ToArray())));
    }
}
