using System.Security.Cryptography;

namespace Redactor;

/// <summary>A model file the product knows: where upstream keeps it (null when there is no download: a converted file that
/// installs only from a local folder) and the exact bytes expected (sha256).</summary>
public sealed record ModelInfo(string Name, string FileName, string? Url, string Sha256, string License, string Description)
{
    /// <summary>Installed only by <c>models install --from DIR</c>: no upstream URL holds these bytes.</summary>
    public bool LocalOnly => Url is null;
}

/// <summary>
/// The folder of ONNX models the product reads. Nothing here touches the network: files arrive by an explicit
/// install (download or copy) and are checked against pinned sha256 sums before they are used.
/// </summary>
public sealed class ModelStore
{
    public static readonly IReadOnlyList<ModelInfo> Catalog =
    [
        new("yunet", "face_detection_yunet_2023mar.onnx",
            "https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx",
            "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4", "MIT",
            "YuNet 2023mar (OpenCV Zoo), part of the default detector (combined), --detector yunet"),
        new("retinaface", "retinaface_mnet025_640.onnx",
            "https://github.com/kgzhwang/Pytorch_Retinaface/raw/master/FaceDetector.onnx",
            "e0e19bad8494b3f7a7edb39a90194ff055923e13a3453569a454386f857fe538", "MIT",
            "RetinaFace MobileNet-0.25 (Pytorch_Retinaface export), part of the default detector (combined), --detector retinaface or ensemble"),
        new("yunet-n", "yunet_n_640_640.onnx",
            "https://github.com/ShiqiYu/libfacedetection.train/raw/master/onnx/yunet_n_640_640.onnx",
            "25a606a145a5b6d7271ae138fbd00eba91dad8b83222ae3f2c7ecd0f4a7b0e31", "Apache-2.0",
            "YuNet-n (libfacedetection.train), --detector yunetn"),
        new("ultraface", "version-RFB-640.onnx",
            "https://github.com/Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB/raw/master/models/onnx/version-RFB-640.onnx",
            "8f4c659275977e7a3bfbfa339a9c769ad793df50f9c0baa8c14b11baa1646430", "MIT",
            "UltraFace RFB-640 (Ultra-Light-Fast-Generic-Face-Detector-1MB), --detector ultraface"),
        // deepcam-cn/yolov5-face weights (GPL-3.0, as its code) converted from FeiGeChuanShu/ncnn_Android_face's ncnn files to
        // ONNX with a fixed 640x640 input: no upstream URL serves these bytes, so they install from a folder only.
        new("yolov5n-face", "yolov5n-face_640.onnx", null,
            "320a5501f6c94fcf0224b512b50284a1cd6c6260c7d0b8e4f4bc27a6d1804877", "GPL-3.0",
            "YOLOv5n-face (deepcam-cn/yolov5-face, converted from ncnn; install with --from DIR), part of the default detector (combined) when installed, --detector yolo or yunetyolo"),
        new("yolov5n-0.5-face", "yolov5n-0.5-face_640.onnx", null,
            "38d4b6a90d3ad5a4e136417dd57761f6999e66f659152cf1bc0c45033bdca3f6", "GPL-3.0",
            "YOLOv5n-0.5-face (deepcam-cn/yolov5-face, converted from ncnn; install with --from DIR), --detector yolosmall"),
        // InsightFace's SCRFD-1G, converted from nihui/ncnn-android-scrfd's ncnn files: InsightFace licenses its pretrained
        // models for non-commercial research only, so it is never part of a default.
        new("scrfd-1g", "scrfd_1g_640.onnx", null,
            "5d4b98150b5e27e47a6467200cd84daa13a8b9d732bce4b20d5268faf631d07a", "non-commercial research only",
            "SCRFD-1G (InsightFace, converted from ncnn; install with --from DIR), --detector scrfd; NOT for commercial use"),
    ];

    public ModelStore(string directory) => Directory = Path.GetFullPath(directory);

    public string Directory { get; }

    /// <summary>--models DIR, else $REDACTOR_MODELS, else $XDG_DATA_HOME/redactor/models (~/.local/share by default).</summary>
    public static string DefaultDirectory(string? explicitDir, Func<string, string?> env)
    {
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        var fromEnv = env("REDACTOR_MODELS");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        var xdg = env("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(xdg))
            xdg = Path.Combine(env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(xdg, "redactor", "models");
    }

    public static ModelInfo Find(string name) =>
        Catalog.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}'");

    public string PathOf(ModelInfo model) => Path.Combine(Directory, model.FileName);

    public bool IsInstalled(ModelInfo model) => File.Exists(PathOf(model));

    /// <summary>The model's path, checked against its pinned sha256, or a <see cref="MediaException"/> that says how to install it.</summary>
    public string Require(ModelInfo model)
    {
        var path = PathOf(model);
        if (!File.Exists(path) && model.LocalOnly)
            throw new MediaException(
                $"model '{model.Name}' ({model.FileName}) is not installed in {Directory}; it has no download: " +
                $"run 'redactor models install --from DIR' with DIR holding {model.FileName}");
        if (!File.Exists(path))
            throw new MediaException(
                $"model '{model.Name}' ({model.FileName}) is not installed in {Directory}; " +
                "run 'redactor models install' (or 'redactor models install --from DIR' on an offline machine)");
        // A converted model has no download: say how to put it right (or that removing it is allowed, for the optional one).
        string again = model.LocalOnly
            ? $"install it again with 'redactor models install --from DIR', DIR holding {model.FileName}, or remove it"
            : "install it again";
        string actual;
        try
        {
            actual = Sha256Of(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MediaException($"model file {path} cannot be read ({e.Message}); {again}");
        }
        if (!actual.Equals(model.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new MediaException($"model file {path} is damaged (sha256 {actual}, expected {model.Sha256}); {again}");
        return path;
    }

    /// <summary>Where a local folder holds a model: at its top, or in its <c>candidates/</c> subfolder (the layout of the
    /// shared model folder, which keeps the models not yet in the product there). Null when neither has it.</summary>
    public static string? SourceIn(ModelInfo model, string folder) =>
        new[] { Path.Combine(folder, model.FileName), Path.Combine(folder, "candidates", model.FileName) }.FirstOrDefault(File.Exists);

    /// <summary>Copies a model from a local folder (or its candidates/ subfolder) after checking its sha256. Returns the installed path.</summary>
    public string InstallFrom(ModelInfo model, string folder)
    {
        var source = SourceIn(model, folder) ?? throw new MediaException($"{Path.Combine(folder, model.FileName)} does not exist");
        using var stream = File.OpenRead(source);
        return Install(model, stream);
    }

    /// <summary>Writes a model from a stream into the store, atomically, if and only if its sha256 matches.</summary>
    public string Install(ModelInfo model, Stream content)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var target = PathOf(model);
        // Named and locked as every temporary file of ours, so that one a killed install left is known and removed later.
        using var temp = TempFile.Beside(target);
        var output = temp.Stream;
        using (var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = content.Read(buffer)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }
            var actual = Convert.ToHexStringLower(hasher.GetHashAndReset());
            if (!actual.Equals(model.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new MediaException($"sha256 mismatch for {model.FileName}: got {actual}, expected {model.Sha256}");
        }
        temp.Publish(target, overwrite: true);
        return target;
    }

    /// <summary>Removes what installs killed outright left in the folder; returns their names.</summary>
    public IReadOnlyList<string> RemoveStaleTemporaries() => System.IO.Directory.Exists(Directory) ? TempFiles.RemoveStale(Directory) : [];

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
