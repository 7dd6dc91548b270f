using System.Buffers.Binary;

namespace Redactor.OpenCv;

/// <summary>
/// Counts the pictures in photo files that OpenCV's decoder would read only the first of, without a word: animated
/// WebP (ANMF frames), animated PNG (the acTL frame count) and multi-page TIFF (full-resolution images in the IFD
/// chain; reduced-resolution ones such as thumbnails are not pages). Redacting the first picture and writing it as
/// the output would drop the rest while reporting success, so such files are refused instead.
/// </summary>
public static class ImagePages
{
    /// <summary>What the file holds when it is several pictures ("animated WebP", 30 frames), otherwise null.
    /// Anything unreadable here is left to the decoder to judge.</summary>
    public static (string Kind, int Count, string Unit)? Multiple(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[12];
            if (file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length) return null;
            int count;
            (string Kind, string Unit) what;
            if (head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) { count = WebPFrames(file); what = ("animated WebP", "frames"); }
            else if (head[..8].SequenceEqual(PngSignature)) { count = PngFrames(file); what = ("animated PNG", "frames"); }
            else if (head[..4].SequenceEqual("II*\0"u8) || head[..4].SequenceEqual("MM\0*"u8)) { count = TiffPages(file, head[0] == (byte)'I'); what = ("multi-page TIFF", "pages"); }
            else return null;
            return count > 1 ? (what.Kind, count, what.Unit) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>RIFF chunks after the 12-byte header: four-character code, little-endian size, data padded to even.</summary>
    private static int WebPFrames(FileStream file)
    {
        int frames = 0;
        Span<byte> chunk = stackalloc byte[8];
        file.Position = 12;
        while (file.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            if (chunk[..4].SequenceEqual("ANMF"u8)) frames++;
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            file.Position += size + (size & 1);
        }
        return frames;
    }

    /// <summary>PNG chunks: big-endian length, type, data, CRC. acTL, which must come before the first IDAT, holds
    /// the number of frames.</summary>
    private static int PngFrames(FileStream file)
    {
        Span<byte> chunk = stackalloc byte[12];
        file.Position = 8;
        while (file.ReadAtLeast(chunk, 12, throwOnEndOfStream: false) == 12)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            var type = chunk[4..8];
            if (type.SequenceEqual("acTL"u8)) return (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(chunk[8..]));
            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) break;
            file.Position += length; // a chunk is 12 bytes and its data; 12 were read
        }
        return 1;
    }

    private const ushort NewSubfileType = 254;

    /// <summary>Real TIFFs have tens of entries a directory and a handful of directories.</summary>
    private const long MaxEntries = 200_000;

    /// <summary>Follows the chain of image file directories; a directory whose NewSubfileType has bit 0 set is a
    /// reduced-resolution copy (a thumbnail), not a page. Stops at a loop or after 10,000 directories.</summary>
    private static int TiffPages(FileStream file, bool little)
    {
        uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
        Span<byte> buffer = stackalloc byte[12];
        file.Position = 4;
        if (file.ReadAtLeast(buffer[..4], 4, throwOnEndOfStream: false) < 4) return 1;
        long offset = U32(buffer);
        var seen = new HashSet<long>();
        int pages = 0;
        // Entries read over all directories: a crafted file of 10,000 directories of 65,535 entries each took 11.6 s.
        long entriesRead = 0;
        while (offset >= 8 && offset < file.Length && seen.Add(offset) && seen.Count <= 10_000 && entriesRead < MaxEntries)
        {
            file.Position = offset;
            if (file.ReadAtLeast(buffer[..2], 2, throwOnEndOfStream: false) < 2) break;
            int entries = U16(buffer);
            entriesRead += entries;
            bool reduced = false;
            for (int i = 0; i < entries; i++)
            {
                if (file.ReadAtLeast(buffer, 12, throwOnEndOfStream: false) < 12) return Math.Max(1, pages);
                if (U16(buffer) != NewSubfileType) continue;
                // The value sits in the entry's last four bytes: a LONG (type 4) fills them, a SHORT (3) their start.
                uint value = U16(buffer[2..]) == 3 ? U16(buffer[8..]) : U32(buffer[8..]);
                reduced = (value & 1) != 0;
            }
            if (!reduced) pages++;
            if (file.ReadAtLeast(buffer[..4], 4, throwOnEndOfStream: false) < 4) break;
            offset = U32(buffer);
        }
        return Math.Max(1, pages);
    }
}
