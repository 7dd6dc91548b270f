using System.Buffers.Binary;

namespace Redactor.OpenCv;

/// <summary>
/// What a photo file's header declares, read before anything is decoded: its size, and for JPEG whether its data
/// reaches the end-of-image marker. A hostile or broken header must be refused here, in a line, not discovered by the
/// decoder after gigabytes (a 937 KB PNG declaring 30000×30000 took 5.4 GB and 41 s before failing).
/// </summary>
public enum ImageKind { Jpeg, Png, WebP, Bmp, Tiff, BigTiff }

public static class ImageHeaders
{
    /// <summary>What the file's first bytes say it is, among the formats redacted (and BigTIFF, named to refuse it);
    /// null for anything else.</summary>
    public static ImageKind? ContentKind(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[12];
            int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..n];
            if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return ImageKind.Jpeg;
            if (n >= 8 && head[..8].SequenceEqual(PngSignature)) return ImageKind.Png;
            if (n >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return ImageKind.WebP;
            if (n >= 2 && head[0] == 'B' && head[1] == 'M') return ImageKind.Bmp;
            if (n >= 4 && (head[..4].SequenceEqual("II*\0"u8) || head[..4].SequenceEqual("MM\0*"u8))) return ImageKind.Tiff;
            if (n >= 4 && (head[..4].SequenceEqual("II+\0"u8) || head[..4].SequenceEqual("MM\0+"u8))) return ImageKind.BigTiff;
            return null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The largest picture redacted, in pixels. A 100-megapixel camera (11648×8736) fits; each decoded copy
    /// costs 3 bytes a pixel (the decoder's, the frame's, the encoder's input), so a photo at the limit peaks near
    /// 1.2 GiB.</summary>
    public const long MaxPixels = 120_000_000;

    /// <summary>The longest side, in pixels: panoramas are long but not this long.</summary>
    public const int MaxSide = 50_000;

    /// <summary>Throws a <see cref="MediaException"/> naming the size when the header declares a picture beyond the
    /// limits, or when a JPEG's header has no size at all (libjpeg would search on for one). Other headers it cannot read
    /// are left to the decoder to judge.</summary>
    public static void CheckSize(string path)
    {
        if (SizeOf(path) is not var (w, h))
        {
            if (ContentKind(path) == ImageKind.Jpeg) throw new MediaException("damaged JPEG: no picture size found before its image data");
            return;
        }
        if (w <= 0 || h <= 0) throw new MediaException($"the image declares an impossible size ({w}×{h})");
        if (w > MaxSide || h > MaxSide || (long)w * h > MaxPixels)
            throw new MediaException($"image too large: {w}×{h} ({(long)w * h / 1e6:0.#} megapixels); the limit is {MaxPixels / 1_000_000} megapixels and {MaxSide} pixels a side");
    }

    /// <summary>Width and height as the header declares them (before any orientation), or null when the file is not
    /// PNG, JPEG, WebP, BMP or TIFF, or its header is cut short.</summary>
    public static (int Width, int Height)? SizeOf(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[30];
            int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..n];
            if (n >= 24 && head[..8].SequenceEqual(PngSignature) && head[12..16].SequenceEqual("IHDR"u8))
                return (ClampInt(BinaryPrimitives.ReadUInt32BigEndian(head[16..])), ClampInt(BinaryPrimitives.ReadUInt32BigEndian(head[20..])));
            if (n >= 2 && head[0] == 0xFF && head[1] == 0xD8) return JpegSize(file);
            if (n >= 30 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return WebPSize(head);
            if (n >= 22 && head[0] == 'B' && head[1] == 'M')
            {
                // OS/2's 12-byte core header has 16-bit sizes; the others 32-bit, the height negative for top-down rows.
                if (BinaryPrimitives.ReadUInt32LittleEndian(head[14..]) == 12)
                    return (BinaryPrimitives.ReadUInt16LittleEndian(head[18..]), BinaryPrimitives.ReadUInt16LittleEndian(head[20..]));
                if (n < 26) return null;
                return (ClampInt((uint)Math.Min(uint.MaxValue, Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(head[18..])))),
                        ClampInt((uint)Math.Min(uint.MaxValue, Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(head[22..])))));
            }
            if (n >= 8 && (head[..4].SequenceEqual("II*\0"u8) || head[..4].SequenceEqual("MM\0*"u8))) return TiffSize(file, head[0] == 'I');
            return null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>True for a JPEG whose data stops before its end-of-image marker (a cut download or copy): the decoder
    /// fills the missing rows with grey and says so only in libjpeg's own words.</summary>
    public static bool IsTruncatedJpeg(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var reader = new BufferedStream(file, 1 << 16);
            if (reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8) return false;
            // Marker segments carry their length; entropy-coded data after a start of scan runs until a 0xFF that is not
            // a stuffed zero (FF 00) or a restart marker (FF D0-D7). The picture is whole when EOI (FF D9) is reached.
            while (true)
            {
                int b = reader.ReadByte();
                if (b < 0) return true;
                if (b != 0xFF) continue; // entropy-coded data, or stray bytes libjpeg skips too
                int marker;
                do marker = reader.ReadByte(); while (marker == 0xFF);
                if (marker < 0) return true;
                if (marker == 0x00 || marker is >= 0xD0 and <= 0xD7) continue;
                if (marker == 0xD9) return false;
                if (marker == 0x01) continue;
                int hi = reader.ReadByte(), lo = reader.ReadByte();
                if (lo < 0) return true;
                long skip = (hi << 8 | lo) - 2;
                if (skip < 0) return false;
                if (reader.Position + skip > file.Length) return true;
                reader.Seek(skip, SeekOrigin.Current);
            }
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static int ClampInt(uint v) => v > int.MaxValue ? int.MaxValue : (int)v;

    /// <summary>The first start-of-frame segment (SOF0-SOF15 but DHT, JPG and DAC) holds height then width.</summary>
    private static (int, int)? JpegSize(FileStream file)
    {
        // Segments up to the first start of frame; bytes between segments are skipped up to the next 0xFF, as libjpeg
        // skips them ("extraneous bytes before marker"): stopping there let a declared 12000×12000 through to the decoder.
        var reader = new BufferedStream(file, 1 << 16);
        reader.Position = 2;
        Span<byte> seg = stackalloc byte[7];
        while (true)
        {
            int b = reader.ReadByte();
            if (b < 0) return null;
            if (b != 0xFF) continue;
            int marker;
            do marker = reader.ReadByte(); while (marker == 0xFF);
            if (marker < 0) return null;
            if (marker is 0x00 or 0x01 || marker is >= 0xD0 and <= 0xD7) continue;
            if (marker is 0xDA or 0xD9) return null;
            if (reader.ReadAtLeast(seg[..2], 2, throwOnEndOfStream: false) < 2) return null;
            int length = BinaryPrimitives.ReadUInt16BigEndian(seg);
            if (length < 2) return null;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (reader.ReadAtLeast(seg[2..7], 5, throwOnEndOfStream: false) < 5) return null;
                return (BinaryPrimitives.ReadUInt16BigEndian(seg[5..]), BinaryPrimitives.ReadUInt16BigEndian(seg[3..]));
            }
            reader.Seek(length - 2, SeekOrigin.Current);
        }
    }

    /// <summary>The first chunk after the RIFF header: VP8X (canvas size minus one, 24-bit), VP8L (14-bit sizes minus
    /// one) or VP8 (a key frame's 14-bit sizes).</summary>
    private static (int, int)? WebPSize(ReadOnlySpan<byte> head)
    {
        var chunk = head[12..16];
        static int U24(ReadOnlySpan<byte> b) => b[0] | b[1] << 8 | b[2] << 16;
        if (chunk.SequenceEqual("VP8X"u8)) return (U24(head[24..]) + 1, U24(head[27..]) + 1);
        if (chunk.SequenceEqual("VP8L"u8))
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(head[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8 "u8))
            return (BinaryPrimitives.ReadUInt16LittleEndian(head[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(head[28..]) & 0x3FFF);
        return null;
    }

    /// <summary>ImageWidth (256) and ImageLength (257) of the first image file directory, SHORT or LONG.</summary>
    private static (int, int)? TiffSize(FileStream file, bool little)
    {
        uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
        Span<byte> entry = stackalloc byte[12];
        file.Position = 4;
        if (file.ReadAtLeast(entry[..4], 4, throwOnEndOfStream: false) < 4) return null;
        long ifd = U32(entry);
        if (ifd + 2 > file.Length) return null;
        file.Position = ifd;
        if (file.ReadAtLeast(entry[..2], 2, throwOnEndOfStream: false) < 2) return null;
        int count = U16(entry);
        int? width = null, height = null;
        for (int i = 0; i < count && (width is null || height is null); i++)
        {
            if (file.ReadAtLeast(entry, 12, throwOnEndOfStream: false) < 12) return null;
            ushort tag = U16(entry), type = U16(entry[2..]);
            if (tag is not 256 and not 257) continue;
            int value = type == 3 ? U16(entry[8..]) : ClampInt(U32(entry[8..]));
            if (tag == 256) width = value; else height = value;
        }
        return width is int w && height is int h ? (w, h) : null;
    }
}
