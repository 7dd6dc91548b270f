namespace Redactor.Cli;

/// <summary>The only network code in the product: 'models install' without --from. Never called at run time.</summary>
internal static class ModelDownloader
{
    public static string Download(ModelStore store, ModelInfo model, CancellationToken ct)
    {
        if (model.Url is null) throw new MediaException($"{model.Name} has no download; install it with 'redactor models install --from DIR'");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var response = http.GetAsync(model.Url, HttpCompletionOption.ResponseHeadersRead, ct).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream(ct);
        return store.Install(model, body);
    }
}
