namespace Redactor.Onnx;

/// <summary>
/// Rewrites an ONNX model so a fully convolutional network accepts any input size. YuNet is published with a fixed
/// 1×3×640×640 input, but nothing in its graph depends on that size (OpenCV runs it at any size); ONNX Runtime, unlike
/// OpenCV, enforces the declared shape (<see cref="FreeSpatialSize"/>). RetinaFace's graph also traced two sizes of its
/// 640 input as constants (<see cref="UpsampleToMatch"/>). The pinned file on disk is left as it is; only the bytes
/// handed to the runtime change. Works on the protobuf wire format directly (no ONNX library is served).
/// </summary>
internal static class OnnxShapes
{
    // Field numbers from onnx.proto: ModelProto.graph 7; GraphProto.input 11, output 12, value_info 13;
    // ValueInfoProto.name 1, type 2; TypeProto.tensor_type 1; TypeProto.Tensor.shape 2; TensorShapeProto.dim 1;
    // Dimension.dim_value 1, dim_param 2.
    private const int Graph = 7, Input = 11, Output = 12, ValueInfo = 13, Type = 2, TensorType = 1, Shape = 2, Dim = 1;

    /// <summary>Input dimensions 2 and 3 (height, width) and output dimension 1 (rows) become named free dimensions;
    /// intermediate shape annotations, which would pin sizes again, are dropped (the runtime infers them).</summary>
    public static byte[] FreeSpatialSize(byte[] model)
    {
        int outputs = 0; // each output's rows get their own name: the strides give them different sizes
        return Edit(model, (field, payload, w) =>
        {
            if (field != Graph) return false;
            w.Message(field, Edit(payload, (f, p, gw) => f switch
            {
                ValueInfo => true,
                Input => gw.Message(f, FreeDims(p, [2, 3], "in")),
                Output => gw.Message(f, FreeDims(p, [1], $"out{outputs++}_")),
                _ => false,
            }));
            return true;
        });
    }

    /// <summary>Input dimensions 2 and 3 and each output's dimensions 2 and 3 (a fully convolutional head's rows and
    /// columns, [1,C,H,W]) become named free dimensions; intermediate shape annotations are dropped.</summary>
    public static byte[] FreeMapSize(byte[] model)
    {
        int outputs = 0;
        return Edit(model, (field, payload, w) =>
        {
            if (field != Graph) return false;
            w.Message(field, Edit(payload, (f, p, gw) => f switch
            {
                ValueInfo => true,
                Input => gw.Message(f, FreeDims(p, [2, 3], "in")),
                Output => gw.Message(f, FreeDims(p, [2, 3], $"out{outputs++}_")),
                _ => false,
            }));
            return true;
        });
    }

    // GraphProto.node 1; NodeProto.input 1, output 2, name 3, op_type 4.
    private const int Node = 1, NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOp = 4;

    /// <summary>
    /// Makes each upsampling of a feature pyramid follow the input's size: a Resize whose output is added to another
    /// tensor (the finer map it is merged with) takes its output size from that tensor's shape at run time, through a
    /// Shape node inserted before it. RetinaFace's export traced those sizes as constants of its 640×640 input (40×40 and
    /// 80×80), so with its spatial size freed any other input failed at the Add. The Add already needs both tensors
    /// alike (same channels), so the sizes are the same for 640×640. Only a Resize given sizes (its scales input empty) is
    /// changed. Throws when the graph has no such Resize.
    /// </summary>
    public static byte[] UpsampleToMatch(byte[] model)
    {
        int patched = 0;
        var result = Edit(model, (field, payload, w) =>
        {
            if (field != Graph) return false;
            var nodes = Fields(payload).Where(f => f.Field == Node).Select(f => ParseNode(f.Payload)).ToList();
            // Resize output → the tensor it is added to, which must come from an earlier node (the Shape goes before the Resize).
            var target = new Dictionary<string, string>();
            var before = new HashSet<string>();
            foreach (var n in nodes)
            {
                if (n.Op == "Resize" && n.Inputs.Count == 4 && n.Inputs[2].Length == 0 && n.Outputs.Count == 1
                    && nodes.FirstOrDefault(a => a.Op == "Add" && a.Inputs.Count == 2 && a.Inputs.Contains(n.Outputs[0])) is { } add)
                {
                    string other = add.Inputs[0] == n.Outputs[0] ? add.Inputs[1] : add.Inputs[0];
                    if (!before.Contains(other)) throw new InvalidDataException($"unexpected ONNX graph: {other} is computed after the Resize {n.Outputs[0]}");
                    target[n.Outputs[0]] = other;
                }
                before.UnionWith(n.Outputs);
            }
            w.Message(field, Edit(payload, (f, p, gw) =>
            {
                if (f != Node) return false;
                var n = ParseNode(p);
                if (n.Op != "Resize" || !target.TryGetValue(n.Outputs[0], out var like)) return false;
                string sizes = n.Outputs[0] + "/size_of_" + like;
                var shape = new Writer();
                shape.Message(NodeInput, Utf8(like));
                shape.Message(NodeOutput, Utf8(sizes));
                shape.Message(NodeName, Utf8(sizes));
                shape.Message(NodeOp, Utf8("Shape"));
                gw.Message(Node, shape.ToArray());
                int input = 0;
                gw.Message(Node, Edit(p, (f2, p2, nw) => f2 == NodeInput && input++ == 3 && nw.Message(NodeInput, Utf8(sizes))));
                patched++;
                return true;
            }));
            return true;
        });
        if (patched == 0) throw new InvalidDataException("unexpected ONNX graph: no Resize added to another tensor");
        return result;
    }

    // GraphProto.initializer 5; TensorProto.name 8, raw_data 9.
    private const int Initializer = 5, TensorName = 8, TensorRaw = 9;

    /// <summary>
    /// Makes ShuffleNet's channel shuffles follow the input's size. Each is Reshape [1,C,H,W] → [1,g,C/g,H,W], Transpose
    /// (0,2,1,3,4), Reshape back to [1,C,H,W], and the converted YOLOv5-face files carry H and W of their 640×640 input as
    /// constants there. The shapes are rewritten to take the sizes from the tensor at run time: the first becomes
    /// [1,g,C/g,0,−1] (0 copies the input's dimension 3, W; −1 is then H), so the blocks are labelled [W,H], which is only a
    /// name for the same H·W contiguous values, and the transpose moves whole blocks as before; the second becomes [1,C,−1,0]
    /// (W copied from its input's dimension 3, H inferred). Same values in the same order for 640×640. Each shape must be
    /// an int64 initializer (raw data) used by that Reshape alone; throws when the graph has no such shuffle.
    /// </summary>
    public static byte[] ShuffleToMatch(byte[] model)
    {
        int patched = 0;
        var result = Edit(model, (field, payload, w) =>
        {
            if (field != Graph) return false;
            var nodes = Fields(payload).Where(f => f.Field == Node).Select(f => ParseNode(f.Payload)).ToList();
            var uses = nodes.SelectMany(n => n.Inputs).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
            var inits = new Dictionary<string, long[]>();
            foreach (var (f, p) in Fields(payload))
                if (f == Initializer && Int64Raw(p) is { } v) inits[v.Name] = v.Values;
            var rewrite = new Dictionary<string, long[]>();
            foreach (var t in nodes.Where(n => n.Op == "Transpose" && n.Inputs.Count == 1 && n.Outputs.Count == 1))
            {
                var r1 = nodes.FirstOrDefault(n => n.Op == "Reshape" && n.Outputs.Count == 1 && n.Outputs[0] == t.Inputs[0]);
                var r2 = nodes.FirstOrDefault(n => n.Op == "Reshape" && n.Inputs.Count == 2 && n.Inputs[0] == t.Outputs[0]);
                if (r1 is null || r2 is null || r1.Inputs.Count != 2) continue;
                if (!inits.TryGetValue(r1.Inputs[1], out var split) || split.Length != 5) continue;
                if (!inits.TryGetValue(r2.Inputs[1], out var merged) || merged.Length != 4) continue;
                if (uses[r1.Inputs[1]] != 1 || uses[r2.Inputs[1]] != 1 || uses[t.Inputs[0]] != 1 || uses[t.Outputs[0]] != 1)
                    throw new InvalidDataException($"unexpected ONNX graph: the shuffle at {r1.Outputs[0]} shares a tensor");
                if (split[1] * split[2] != merged[1]) throw new InvalidDataException($"unexpected ONNX graph: {r1.Outputs[0]} is not a channel shuffle");
                rewrite[r1.Inputs[1]] = [split[0], split[1], split[2], 0, -1];
                rewrite[r2.Inputs[1]] = [merged[0], merged[1], -1, 0];
                patched++;
            }
            w.Message(field, Edit(payload, (f, p, gw) =>
            {
                if (f != Initializer || Int64Raw(p) is not { } v || !rewrite.TryGetValue(v.Name, out var values)) return false;
                var raw = new byte[8 * values.Length];
                for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(8 * i), values[i]);
                gw.Message(Initializer, Edit(p, (f2, _, tw) => f2 == TensorRaw && tw.Message(TensorRaw, raw)));
                return true;
            }));
            return true;
        });
        if (patched == 0) throw new InvalidDataException("unexpected ONNX graph: no channel shuffle (Reshape, Transpose, Reshape) with constant shapes");
        return result;
    }

    /// <summary>An initializer's name and values when they are int64 raw data of at most 8 values (a shape); else null.</summary>
    private static (string Name, long[] Values)? Int64Raw(byte[] tensor)
    {
        var fields = Fields(tensor);
        var name = fields.Where(f => f.Field == TensorName).Select(f => System.Text.Encoding.UTF8.GetString(f.Payload)).FirstOrDefault();
        var raw = fields.Where(f => f.Field == TensorRaw).Select(f => f.Payload).FirstOrDefault();
        if (name is null || raw is null || raw.Length % 8 != 0 || raw.Length > 64 || !IsInt64(tensor)) return null;
        return (name, [.. Enumerable.Range(0, raw.Length / 8).Select(i => BitConverter.ToInt64(raw, 8 * i))]);
    }

    /// <summary>TensorProto.data_type (field 2, a varint) is INT64 (7).</summary>
    private static bool IsInt64(byte[] tensor)
    {
        int p = 0;
        while (p < tensor.Length)
        {
            ulong tag = ReadVarint(tensor, ref p);
            switch ((int)(tag & 7))
            {
                case 0:
                    ulong v = ReadVarint(tensor, ref p);
                    if (tag >> 3 == 2) return v == 7;
                    break;
                case 1: p += 8; break;
                case 5: p += 4; break;
                case 2: p += checked((int)ReadVarint(tensor, ref p)); break;
                default: return false;
            }
        }
        return false;
    }

    private sealed record NodeInfo(string Op, List<string> Inputs, List<string> Outputs);

    private static NodeInfo ParseNode(byte[] node)
    {
        var fields = Fields(node);
        string Text(byte[] b) => System.Text.Encoding.UTF8.GetString(b);
        return new NodeInfo(
            fields.Where(f => f.Field == NodeOp).Select(f => Text(f.Payload)).FirstOrDefault() ?? "",
            fields.Where(f => f.Field == NodeInput).Select(f => Text(f.Payload)).ToList(),
            fields.Where(f => f.Field == NodeOutput).Select(f => Text(f.Payload)).ToList());
    }

    /// <summary>The length-delimited fields of a message, in order.</summary>
    private static List<(int Field, byte[] Payload)> Fields(byte[] message)
    {
        var list = new List<(int, byte[])>();
        Edit(message, (f, p, _) =>
        {
            list.Add((f, p));
            return false;
        });
        return list;
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static byte[] FreeDims(byte[] valueInfo, int[] which, string prefix) =>
        Edit(valueInfo, (f, p, w) => f == Type && w.Message(f, Edit(p, (f2, p2, w2) => f2 == TensorType && w2.Message(f2, Edit(p2, (f3, p3, w3) =>
        {
            if (f3 != Shape) return false;
            int index = 0;
            w3.Message(f3, Edit(p3, (f4, p4, w4) =>
            {
                if (f4 != Dim) return false;
                bool free = which.Contains(index);
                index++;
                return free && w4.Message(f4, Named($"{prefix}{index - 1}"));
            }));
            return true;
        })))));

    private static byte[] Named(string name)
    {
        var w = new Writer();
        w.Message(2, System.Text.Encoding.UTF8.GetBytes(name));
        return w.ToArray();
    }

    /// <summary>Copies a message field by field; <paramref name="replace"/> gets each length-delimited field and
    /// returns true when it wrote (or deliberately dropped) that field itself.</summary>
    private static byte[] Edit(byte[] message, Func<int, byte[], Writer, bool> replace)
    {
        var w = new Writer();
        int p = 0;
        while (p < message.Length)
        {
            int start = p;
            ulong tag = ReadVarint(message, ref p);
            int wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: ReadVarint(message, ref p); break;
                case 1: p += 8; break;
                case 5: p += 4; break;
                case 2:
                    int len = checked((int)ReadVarint(message, ref p));
                    var payload = message.AsSpan(p, len).ToArray();
                    p += len;
                    if (replace((int)(tag >> 3), payload, w)) continue;
                    break;
                default: throw new InvalidDataException($"not an ONNX model (protobuf wire type {wire})");
            }
            if (p > message.Length) throw new InvalidDataException("not an ONNX model (truncated)");
            w.Raw(message.AsSpan(start, p - start));
        }
        return w.ToArray();
    }

    private static ulong ReadVarint(byte[] b, ref int p)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (p >= b.Length || shift > 63) throw new InvalidDataException("not an ONNX model (bad varint)");
            byte x = b[p++];
            v |= (ulong)(x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }

    private sealed class Writer
    {
        private readonly MemoryStream _out = new();

        public void Raw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

        /// <summary>Writes a length-delimited field; true so a replace callback can return it.</summary>
        public bool Message(int field, byte[] payload)
        {
            Varint((ulong)field << 3 | 2);
            Varint((ulong)payload.Length);
            _out.Write(payload);
            return true;
        }

        private void Varint(ulong v)
        {
            while (v >= 0x80)
            {
                _out.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _out.WriteByte((byte)v);
        }

        public byte[] ToArray() => _out.ToArray();
    }
}
