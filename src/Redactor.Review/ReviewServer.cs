using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Redactor.Review;

/// <summary>
/// The review page's local web server.
/// <code>
/// await using var server = await ReviewServer.StartAsync(session, Console.Error, ct);
/// Console.WriteLine($"Open {server.Address}");      // http://127.0.0.1:PORT/TOKEN/
/// await server.Finished.WaitAsync(ct);              // the page's "Finish review"
/// </code>
/// It listens on 127.0.0.1 only, on a free port, and answers only requests that carry its secret token as the first
/// path segment and name 127.0.0.1:PORT or localhost:PORT as their Host (a page of another site, even one whose name
/// resolves to 127.0.0.1, gets 403 and nothing else). Edits must be JSON POSTs from its own origin.
/// </summary>
/// <remarks>Calls into <see cref="IReviewMedia"/>: <see cref="IReviewMedia.FrameJpeg"/> for each frame the page shows or
/// fetches ahead, <see cref="IReviewMedia.PreviewJpeg"/> when the person turns the preview on (with the regions
/// <see cref="PlanRegions.At"/> gives), at most two of either at a time, from request threads;
/// <see cref="IReviewMedia.Export"/> on a task of its own while the page goes on asking for pictures. Disposing stops the
/// server, cancels a running export and waits for it.</remarks>
public sealed class ReviewServer : IAsyncDisposable
{
    private const long MaxBody = 64 * 1024;

    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Assets = LoadAssets();

    private readonly WebApplication app;
    private readonly ReviewSession session;
    private readonly TextWriter? errors;
    private readonly byte[] token;
    private readonly string tokenText;
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim pictures = new(2);
    private readonly ExportJob export;
    private string[] hosts = [];
    private string[] origins = [];
    private int disposed;

    private ReviewServer(WebApplication app, ReviewSession session, TextWriter? errors)
    {
        this.app = app;
        this.session = session;
        this.errors = errors;
        var secret = RandomNumberGenerator.GetBytes(32);
        tokenText = System.Buffers.Text.Base64Url.EncodeToString(secret);
        token = Encoding.ASCII.GetBytes(tokenText);
        export = new ExportJob(session, LogError);
    }

    /// <summary>The page, with the token: <c>http://127.0.0.1:PORT/TOKEN/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Completes when the person presses "Finish review" (cancelled when the server is disposed first).</summary>
    public Task Finished => finished.Task;

    /// <summary>Starts serving <paramref name="session"/>. Server errors are written to <paramref name="errors"/> as one
    /// line each (nothing else is written).</summary>
    public static async Task<ReviewServer> StartAsync(ReviewSession session, TextWriter? errors = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        // The empty builder reads no appsettings, environment (ASPNETCORE_URLS) or command line, and logs nothing by itself.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = MaxBody;
            o.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
        });
        // Ctrl-C and SIGTERM belong to the program that runs the server (it cancels its work and disposes the server):
        // the host's console lifetime would otherwise also catch them and stop listening on its own.
        builder.Services.Replace(ServiceDescriptor.Singleton<IHostLifetime, CallerLifetime>());
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddProvider(new OneLineLogs(errors));
        var app = builder.Build();
        var server = new ReviewServer(app, session, errors);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        int port = new Uri(app.Urls.Single()).Port;
        server.hosts = [$"127.0.0.1:{port}", $"localhost:{port}"];
        server.origins = [$"http://127.0.0.1:{port}", $"http://localhost:{port}"];
        server.Address = new Uri($"http://127.0.0.1:{port}/{server.tokenText}/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        stopping.Cancel();
        finished.TrySetCanceled();
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await app.StopAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await export.WaitAsync();
        await app.DisposeAsync();
        stopping.Dispose();
        pictures.Dispose();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var response = ctx.Response;
        SecurityHeaders(response);
        try
        {
            if (!Allowed(ctx.Request, out string rest))
            {
                response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await DispatchAsync(ctx, rest);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            ctx.Abort();
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            await FailAsync(ctx, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the request is too large" : "bad request");
        }
        catch (Exception e)
        {
            LogError($"{ctx.Request.Method} {RouteName(ctx.Request.Path.Value)}: {OneLine(e.Message)}");
            await FailAsync(ctx, StatusCodes.Status500InternalServerError, $"internal error: {OneLine(e.Message)}");
        }
    }

    /// <summary>Host, token and fetch site; <paramref name="rest"/> is the path after the token ("" or "/...").</summary>
    private bool Allowed(HttpRequest request, out string rest)
    {
        rest = "";
        string host = request.Headers.Host.ToString();
        if (!hosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase))) return false;
        // A navigation from another site or a cross-site subresource: the token alone should stop it, but need not.
        if (request.Headers["Sec-Fetch-Site"].ToString() == "cross-site") return false;
        string path = request.Path.Value ?? "";
        if (!path.StartsWith('/')) return false;
        int slash = path.IndexOf('/', 1);
        string first = slash < 0 ? path[1..] : path[1..slash];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(first), token)) return false;
        rest = slash < 0 ? "" : path[slash..];
        return true;
    }

    private async Task DispatchAsync(HttpContext ctx, string rest)
    {
        var request = ctx.Request;
        bool get = HttpMethods.IsGet(request.Method), post = HttpMethods.IsPost(request.Method);
        if (rest == "")
        {
            // The page's relative URLs need the trailing slash.
            ctx.Response.StatusCode = StatusCodes.Status302Found;
            ctx.Response.Headers.Location = $"/{tokenText}/";
            return;
        }
        string name = rest == "/" ? "index.html" : rest[1..];
        if (Assets.TryGetValue(name, out var asset))
        {
            if (!get) { await FailAsync(ctx, StatusCodes.Status405MethodNotAllowed, "method not allowed"); return; }
            ctx.Response.ContentType = asset.Type;
            await ctx.Response.Body.WriteAsync(asset.Bytes, ctx.RequestAborted);
            return;
        }
        string[] parts = rest[1..].Split('/');
        switch (parts)
        {
            case ["api", "plan"] when get:
                await JsonAsync(ctx, session.PlanJsonText());
                return;
            case ["api", "items", var i, "frames", var f] when get:
                await PictureAsync(ctx, i, f, preview: false);
                return;
            case ["api", "items", var i, "preview", var f] when get:
                await PictureAsync(ctx, i, f, preview: true);
                return;
            case ["api", "edit"] when post:
            {
                if (await ReadJsonBodyAsync(ctx) is not { } body) return;
                EditOutcome outcome;
                try
                {
                    outcome = session.Apply(PlanEdit.Parse(body));
                }
                catch (EditException e)
                {
                    await FailAsync(ctx, StatusCodes.Status400BadRequest, OneLine(e.Message));
                    return;
                }
                catch (SaveException e)
                {
                    LogError(e.Message);
                    await FailAsync(ctx, StatusCodes.Status500InternalServerError, e.Message);
                    return;
                }
                await JsonAsync(ctx, outcome.Json);
                return;
            }
            case ["api", "export"] when get:
                await JsonAsync(ctx, export.StatusJson());
                return;
            case ["api", "export"] when post:
            {
                if (await ReadJsonBodyAsync(ctx) is not { } body) return;
                if (StyleOfBody(body) is not { } style)
                {
                    await FailAsync(ctx, StatusCodes.Status400BadRequest, "'style' must be blur, pixelate or fill");
                    return;
                }
                if (!export.TryStart(style, stopping.Token))
                {
                    await FailAsync(ctx, StatusCodes.Status409Conflict, "an export is already running");
                    return;
                }
                await JsonAsync(ctx, export.StatusJson());
                return;
            }
            case ["api", "finish"] when post:
                if (await ReadJsonBodyAsync(ctx) is null) return;
                finished.TrySetResult();
                await JsonAsync(ctx, "{\"finished\":true}");
                return;
            case ["api", "plan"] or ["api", "items", _, "frames" or "preview", _] or ["api", "edit" or "export" or "finish"]:
                await FailAsync(ctx, StatusCodes.Status405MethodNotAllowed, "method not allowed");
                return;
            default:
                await FailAsync(ctx, StatusCodes.Status404NotFound, "not found");
                return;
        }
    }

    private async Task PictureAsync(HttpContext ctx, string itemText, string frameText, bool preview)
    {
        if (!int.TryParse(itemText, System.Globalization.NumberStyles.None, null, out int item)
            || !frameText.EndsWith(".jpg", StringComparison.Ordinal)
            || !long.TryParse(frameText.AsSpan(0, frameText.Length - 4), System.Globalization.NumberStyles.None, null, out long frame)
            || session.Frames(item) is not long frames || frame >= frames)
        {
            await FailAsync(ctx, StatusCodes.Status404NotFound, "no such frame");
            return;
        }
        RedactionOptions? style = null;
        if (preview)
        {
            string? asked = ctx.Request.Query["style"];
            if (asked is null) style = session.Style;
            else if (ParseStyle(asked) is { } s) style = WithStyle(session.Style, s);
            else
            {
                await FailAsync(ctx, StatusCodes.Status400BadRequest, "'style' must be blur, pixelate or fill");
                return;
            }
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping.Token);
        var ct = cancel.Token;
        byte[] jpeg;
        await pictures.WaitAsync(ct);
        try
        {
            // Regions are taken under the session's lock, the render outside it (edits do not wait for a picture).
            var regions = preview ? session.CoveredAt(item, frame) : null;
            jpeg = await Task.Run(() => preview
                ? session.Media.PreviewJpeg(item, frame, regions!, style!, ct)
                : session.Media.FrameJpeg(item, frame, ct), ct);
        }
        finally
        {
            pictures.Release();
        }
        ctx.Response.ContentType = "image/jpeg";
        ctx.Response.ContentLength = jpeg.Length;
        await ctx.Response.Body.WriteAsync(jpeg, ct);
    }

    /// <summary>The body of a mutating request, or null when it was refused (the response is then written): only JSON
    /// (a plain form cannot send it across sites without a preflight) and only from this server's own origin.</summary>
    private async Task<byte[]?> ReadJsonBodyAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        string? origin = request.Headers.Origin;
        if (origin is not null && !origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            return null;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            await FailAsync(ctx, StatusCodes.Status415UnsupportedMediaType, "the body must be application/json");
            return null;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        if (buffer.Length > MaxBody)
        {
            await FailAsync(ctx, StatusCodes.Status413PayloadTooLarge, "the request is too large");
            return null;
        }
        return buffer.ToArray();
    }

    private static RedactionStyle? StyleOfBody(byte[] body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("style", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.String
                ? ParseStyle(s.GetString()!) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static RedactionStyle? ParseStyle(string name) => name switch
    {
        "blur" => RedactionStyle.Blur,
        "pixelate" => RedactionStyle.Pixelate,
        "fill" => RedactionStyle.Fill,
        _ => null,
    };

    internal static string StyleName(RedactionStyle style) => style.ToString().ToLowerInvariant();

    /// <summary>The session's options with another style (mask, colour and seed kept).</summary>
    internal static RedactionOptions WithStyle(RedactionOptions o, RedactionStyle style) =>
        o.Style == style ? o : new RedactionOptions(style, o.Shape, o.MaskScale, o.Color, o.CellsAcross, o.NoiseAmplitude,
            o.Seed, o.MaskMargin, o.LargeFaceGrowth);

    private static void SecurityHeaders(HttpResponse response)
    {
        var h = response.Headers;
        h.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        h.CacheControl = "no-store";
        h["Cross-Origin-Resource-Policy"] = "same-origin";
        h.XFrameOptions = "DENY";
    }

    private static async Task JsonAsync(HttpContext ctx, string json)
    {
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(json, ctx.RequestAborted);
    }

    /// <summary>A status with a one-line reason the page can show (never a stack trace).</summary>
    private static async Task FailAsync(HttpContext ctx, int status, string reason)
    {
        var response = ctx.Response;
        if (response.HasStarted) return;
        response.Clear();
        SecurityHeaders(response);
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(reason, ctx.RequestAborted);
    }

    private void LogError(string line) => WriteLine(errors, $"review: error: {line}");

    private static readonly object ErrorsGate = new();

    internal static void WriteLine(TextWriter? writer, string line)
    {
        if (writer is null) return;
        lock (ErrorsGate) writer.WriteLine(line);
    }

    /// <summary>The first line of a message, short (a message that carries a whole report would flood the terminal).</summary>
    internal static string OneLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        string line = (nl < 0 ? message : message[..nl]).Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    /// <summary>The request's path without the token, for error lines (the token is a secret: it stays off the terminal).</summary>
    private string RouteName(string? path) => (path ?? "").Replace(tokenText, "TOKEN", StringComparison.Ordinal);

    private static Dictionary<string, (byte[], string)> LoadAssets()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var types = new Dictionary<string, string>
        {
            ["index.html"] = "text/html; charset=utf-8",
            ["review.js"] = "text/javascript; charset=utf-8",
            ["review.css"] = "text/css; charset=utf-8",
            ["favicon.svg"] = "image/svg+xml",
        };
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var (name, type) in types)
        {
            using var stream = assembly.GetManifestResourceStream($"Redactor.Review.page.{name}")
                ?? throw new InvalidOperationException($"the page's {name} is not embedded in {assembly.GetName().Name}");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name] = (copy.ToArray(), type);
        }
        return assets;
    }

    private sealed class CallerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>ASP.NET Core's own errors (a failed connection, a server fault), one line each; everything below error
    /// level is dropped so that the person's terminal shows only the review's lines.</summary>
    private sealed class OneLineLogs(TextWriter? errors) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(errors);

        public void Dispose()
        {
        }

        private sealed class Logger(TextWriter? errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error && errors is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                string text = formatter(state, exception);
                if (exception is not null) text = $"{text}: {exception.Message}";
                WriteLine(errors, $"review: error: {OneLine(text)}");
            }
        }
    }
}
