using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Redactor.Review;
using Xunit;

namespace Redactor.Tests;

/// <summary>The review server over plain HTTP: who gets an answer, which headers every answer carries, what bad input
/// gets, and the edits as saved.</summary>
public sealed class ReviewServerTests : IAsyncLifetime
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly string dir = TestPaths.NewTempDir();
    private readonly StringWriter errors = new();
    private ReviewPlan plan = null!;
    private FakeMedia media = null!;
    private ReviewSession session = null!;
    private ReviewServer server = null!;
    private HttpClient http = null!;
    private string PlanPath => Path.Combine(dir, "clip.mp4.plan.json");

    public async Task InitializeAsync()
    {
        plan = ReviewTestKit.VideoPlan();
        media = ReviewTestKit.MediaFor(plan);
        session = ReviewTestKit.Session(plan, PlanPath, media);
        server = await ReviewServer.StartAsync(session, errors);
        http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = server.Address };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        Directory.Delete(dir, true);
    }

    private int Port => server.Address.Port;
    private string Token => server.Address.AbsolutePath.Trim('/');

    private static HttpRequestMessage Json(string url, string json, string? origin = null)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (origin is not null) r.Headers.Add("Origin", origin);
        return r;
    }

    private async Task<(HttpStatusCode Status, string Body)> Edit(string json)
    {
        using var r = await http.SendAsync(Json("api/edit", json));
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private static void AssertHeaders(HttpResponseMessage r)
    {
        Assert.Equal(Csp, r.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", r.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("no-store", r.Headers.GetValues("Cache-Control").Single());
        Assert.Equal("same-origin", r.Headers.GetValues("Cross-Origin-Resource-Policy").Single());
        Assert.False(r.Headers.Contains("Server"));
    }

    private static async Task AssertRefused(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        var body = await r.Content.ReadAsByteArrayAsync();
        Assert.Empty(body);
        AssertHeaders(r);
    }

    [Fact]
    public async Task The_address_is_loopback_with_a_43_character_token_and_the_page_comes_with_the_strict_headers()
    {
        Assert.Equal("127.0.0.1", server.Address.Host);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", Token);
        using var r = await http.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        AssertHeaders(r);
        Assert.Equal("text/html", r.Content.Headers.ContentType?.MediaType);
        string html = await r.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"review.js\" defer></script>", html);
        // The CSP forbids inline scripts, styles and handlers: the page has none.
        Assert.DoesNotMatch("<script(?![^>]*src=)", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotMatch(@"\sstyle=", html);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        Assert.DoesNotContain("https://", html);
        foreach (var (asset, type) in new[] { ("review.js", "text/javascript"), ("review.css", "text/css"), ("favicon.svg", "image/svg+xml") })
        {
            using var a = await http.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            Assert.Equal(type, a.Content.Headers.ContentType?.MediaType);
            AssertHeaders(a);
            string text = await a.Content.ReadAsStringAsync();
            Assert.DoesNotContain("https://", text);
            Assert.DoesNotContain("@import", text);
        }
        Assert.Equal("", errors.ToString());
    }

    [Fact]
    public async Task Without_the_token_or_with_another_every_request_gets_403_and_nothing_else()
    {
        string frame = "api/items/0/frames/3.jpg";
        string wrong = Token[..^1] + (Token[^1] == 'A' ? 'B' : 'A');
        foreach (string url in new[]
                 {
                     $"http://127.0.0.1:{Port}/", $"http://127.0.0.1:{Port}/{frame}", $"http://127.0.0.1:{Port}/api/plan",
                     $"http://127.0.0.1:{Port}/{wrong}/{frame}", $"http://127.0.0.1:{Port}/{wrong}/", $"http://127.0.0.1:{Port}/{Token}x/{frame}",
                     $"http://127.0.0.1:{Port}/{Token[..20]}/{frame}", $"http://127.0.0.1:{Port}/favicon.ico",
                     $"http://127.0.0.1:{Port}/x/{Token}/{frame}", $"http://127.0.0.1:{Port}/{Token.ToLowerInvariant()}/{frame}",
                 })
        {
            using var r = await http.GetAsync(url);
            await AssertRefused(r);
        }
        using var post = await http.SendAsync(Json($"http://127.0.0.1:{Port}/{wrong}/api/edit", """{"op":"keep","item":0,"track":1}"""));
        await AssertRefused(post);
        Assert.Empty(media.FrameCalls);
        Assert.False(File.Exists(PlanPath));
    }

    [Fact]
    public async Task A_foreign_Host_header_gets_403_even_with_the_token()
    {
        foreach (string host in new[] { $"evil.example:{Port}", "evil.example", $"127.0.0.1:{Port + 1}", $"127.0.0.2:{Port}", "127.0.0.1", $"[::1]:{Port}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/items/0/frames/3.jpg");
            request.Headers.Host = host;
            using var r = await http.SendAsync(request);
            await AssertRefused(r);
        }
        Assert.Empty(media.FrameCalls);
        foreach (string host in new[] { $"localhost:{Port}", $"127.0.0.1:{Port}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/items/0/frames/3.jpg");
            request.Headers.Host = host;
            using var r = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    [Fact]
    public async Task A_cross_site_fetch_gets_403_even_with_the_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/items/0/frames/3.jpg");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var r = await http.SendAsync(request);
        await AssertRefused(r);
        Assert.Empty(media.FrameCalls);
    }

    [Fact]
    public async Task A_frame_is_the_media_s_JPEG_with_the_strict_headers()
    {
        using var r = await http.GetAsync("api/items/0/frames/7.jpg");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        AssertHeaders(r);
        Assert.Equal("image/jpeg", r.Content.Headers.ContentType?.MediaType);
        var bytes = await r.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length > 1000 && bytes[0] == 0xFF && bytes[1] == 0xD8, "not a JPEG");
        Assert.Equal([(0, 7L)], media.FrameCalls.ToArray());
    }

    [Fact]
    public async Task The_preview_covers_what_the_plan_covers_in_the_style_asked_for()
    {
        using var r = await http.GetAsync("api/items/0/preview/12.jpg?style=fill");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("image/jpeg", r.Content.Headers.ContentType?.MediaType);
        var call = Assert.Single(media.PreviewCalls);
        Assert.Equal(12, call.Frame);
        Assert.Equal(RedactionStyle.Fill, call.Style.Style);
        Assert.Equal([new Box(124, 120, 120, 150), new Box(800, 380, 110, 130)], call.Regions.Select(x => x.Box).OrderBy(b => b.X));
        using var plain = await http.GetAsync("api/items/0/preview/12.jpg");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(RedactionStyle.Blur, media.PreviewCalls.Last().Style.Style);
        using var bad = await http.GetAsync("api/items/0/preview/12.jpg?style=none");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("'style' must be blur, pixelate or fill", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Traversal_bad_items_and_frames_out_of_range_get_404_or_400_never_500()
    {
        foreach (string rest in new[]
                 {
                     "api/items/1/frames/0.jpg", "api/items/-1/frames/0.jpg", "api/items/0/frames/120.jpg",
                     "api/items/0/frames/-1.jpg", "api/items/0/frames/1e3.jpg", "api/items/0/frames/3.png",
                     "api/items/0/frames/99999999999999999999999.jpg", "api/items/x/frames/0.jpg", "api/items/0/frames/0.jpg/x",
                     "api/items/0/frames/..%2f..%2fplan", "api/items/0/frames/%2e%2e%2f%2e%2e%2fplan", "..%2f..%2fetc%2fpasswd",
                     "%2e%2e/%2e%2e/etc/passwd", "review.js%00.png", "page/review.js", "Redactor.Review.page.index.html",
                     "api/items/0/preview/120.jpg", "api/items/0/frames/+3.jpg", "api/items/0/frames/ 3.jpg", "api",
                 })
        {
            using var r = await http.GetAsync(rest);
            Assert.True(r.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden,
                $"{rest}: {(int)r.StatusCode}");
            Assert.NotEqual("image/jpeg", r.Content.Headers.ContentType?.MediaType);
            if (rest.Contains("%00"))
            {
                // Kestrel itself refuses a NUL in the path, before the server sees the request: an empty 400.
                Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
                Assert.Empty(await r.Content.ReadAsByteArrayAsync());
                continue;
            }
            AssertHeaders(r);
        }
        // Climbing out of the token's folder leaves the token behind: refused.
        using (var up = await http.GetAsync($"http://127.0.0.1:{Port}/{Token}/../api/plan"))
            Assert.Equal(HttpStatusCode.Forbidden, up.StatusCode);
        Assert.Empty(media.FrameCalls);
        Assert.Equal("", errors.ToString());
    }

    [Fact]
    public async Task Edits_from_another_origin_or_not_as_JSON_are_refused_and_the_plan_is_unchanged()
    {
        foreach (string origin in new[] { "http://evil.example", $"http://127.0.0.1:{Port + 1}", "null", $"https://127.0.0.1:{Port}" })
        {
            using var r = await http.SendAsync(Json("api/edit", """{"op":"keep","item":0,"track":1}""", origin));
            await AssertRefused(r);
        }
        foreach (string type in new[] { "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/edit")
            {
                Content = new StringContent("""{"op":"keep","item":0,"track":1}"""),
            };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            using var r = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        }
        using (var get = await http.GetAsync("api/edit"))
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        using (var finish = await http.SendAsync(Json("api/finish", "{}", "http://evil.example")))
            await AssertRefused(finish);
        Assert.False(server.Finished.IsCompleted);
        Assert.False(File.Exists(PlanPath));
        Assert.Empty(session.Snapshot().Items[0].Keep);

        using var ok = await http.SendAsync(Json("api/edit", """{"op":"keep","item":0,"track":1}""", $"http://localhost:{Port}"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal([1], ReviewTestKit.SavedItem(PlanPath).GetProperty("keep").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Bad_edits_get_400_with_a_one_line_reason_and_leave_the_plan_as_it_was()
    {
        var cases = new (string Json, string Reason)[]
        {
            ("""{"op":"keep","item":0,"track":9}""", "no track 9 in this item"),
            ("""{"op":"keep","item":3,"track":1}""", "no item 3"),
            ("""{"op":"keep","item":0}""", "'track' is missing"),
            ("""{"op":"fly","item":0}""", "unknown edit 'op': 'fly'"),
            ("""{"op":"keep","item":-1,"track":1}""", "'item' must be a whole number from 0"),
            ("""{"op":"keep","item":0.5,"track":1}""", "'item' must be a whole number from 0"),
            ("""{"op":"addManual","item":0,"frame":120,"box":[10,10,50,50]}""", "'frame' 120 is past the last frame (119)"),
            ("""{"op":"addManual","item":0,"frame":5,"box":[10,10,1,50]}""", "the box must be at least 2 pixels wide and high inside the picture"),
            ("""{"op":"addManual","item":0,"frame":5,"box":[959,10,50,50]}""", "the box must be at least 2 pixels wide and high inside the picture"),
            ("""{"op":"addManual","item":0,"frame":5,"box":[10,10,50]}""", "'box' must be [x, y, width, height]"),
            ("""{"op":"addManual","item":0,"frame":5,"box":[10,10,"a",50]}""", "'box' must be [x, y, width, height] in pixels"),
            ("""{"op":"addManual","item":0,"frame":5,"box":[10,10,50,50],"start":6}""", "the region's frames must include the frame it is drawn on"),
            ("""{"op":"setKey","item":0,"region":1,"frame":5,"box":[10,10,50,50]}""", "no manual region 1 in this item"),
            ("""{"op":"addCover","item":0,"start":30,"end":20}""", "the span's end is before its start"),
            ("""{"op":"deleteCover","item":0,"start":20,"end":30}""", "no span 20–30 is covered"),
            ("""[1,2]""", "the edit must be a JSON object"),
            ("""{"op":""", "the edit is not valid JSON"),
        };
        foreach (var (json, reason) in cases)
        {
            var (status, body) = await Edit(json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(reason, body);
        }
        Assert.False(File.Exists(PlanPath), "a refused edit was saved");
        var item = session.Snapshot().Items[0];
        Assert.Empty(item.Keep);
        Assert.Empty(item.Manual);
        Assert.Empty(item.CoverFrames);
        Assert.Equal("", errors.ToString());
    }

    [Fact]
    public async Task Keep_and_remove_exclude_each_other_and_each_edit_is_saved()
    {
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"keep","item":0,"track":2}""")).Status);
        Assert.Equal([2], ReviewTestKit.SavedItem(PlanPath).GetProperty("keep").EnumerateArray().Select(e => e.GetInt32()));
        var (status, body) = await Edit("""{"op":"remove","item":0,"track":2}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var saved = ReviewTestKit.SavedItem(PlanPath);
        Assert.Empty(saved.GetProperty("keep").EnumerateArray());
        Assert.Equal([2], saved.GetProperty("remove").EnumerateArray().Select(e => e.GetInt32()));
        using var answer = JsonDocument.Parse(body);
        Assert.Equal(0, answer.RootElement.GetProperty("item").GetInt32());
        Assert.Equal([2], answer.RootElement.GetProperty("remove").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"unremove","item":0,"track":2}""")).Status);
        Assert.Empty(ReviewTestKit.SavedItem(PlanPath).GetProperty("remove").EnumerateArray());
    }

    [Fact]
    public async Task A_drawn_region_covers_to_the_end_of_the_shot_and_a_box_set_on_another_frame_widens_it()
    {
        var (status, body) = await Edit("""{"op":"addManual","item":0,"frame":5,"box":[200.123,100,80.5,90]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        using (var answer = JsonDocument.Parse(body)) Assert.Equal(1, answer.RootElement.GetProperty("created").GetInt32());
        var m = ReviewTestKit.SavedItem(PlanPath).GetProperty("manual")[0];
        Assert.Equal(5, m.GetProperty("start").GetInt64());
        Assert.Equal(59, m.GetProperty("end").GetInt64());   // the cut at 60 ends the shot
        Assert.Equal("[[5,200.12,100,80.5,90]]", m.GetProperty("keys").Compact());

        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"setKey","item":0,"region":1,"frame":70,"box":[-20,600,100,200]}""")).Status);
        m = ReviewTestKit.SavedItem(PlanPath).GetProperty("manual")[0];
        Assert.Equal(70, m.GetProperty("end").GetInt64());
        // Clipped to the picture (960×720).
        Assert.Equal("[[5,200.12,100,80.5,90],[70,0,600,80,120]]", m.GetProperty("keys").Compact());
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"setKey","item":0,"region":1,"frame":2,"box":[10,10,20,20]}""")).Status);
        m = ReviewTestKit.SavedItem(PlanPath).GetProperty("manual")[0];
        Assert.Equal(2, m.GetProperty("start").GetInt64());
        Assert.Equal([2L, 5, 70], m.GetProperty("keys").EnumerateArray().Select(k => k[0].GetInt64()));

        Assert.Equal("the end cannot be before the start (frame 2)", (await Edit("""{"op":"setEnd","item":0,"region":1,"frame":1}""")).Body);
        Assert.Equal("the start cannot be after the end (frame 70)", (await Edit("""{"op":"setStart","item":0,"region":1,"frame":71}""")).Body);

        // A start or end moved past keys: they are replaced by one on it, and the frames left keep their boxes.
        var before = PlanJson.Read(PlanPath).Items[0].Manual[0];
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"setStart","item":0,"region":1,"frame":4}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"setEnd","item":0,"region":1,"frame":40}""")).Status);
        var after = PlanJson.Read(PlanPath).Items[0].Manual[0];
        var cuts = PlanJson.Read(PlanPath).Items[0].Cuts;
        Assert.Equal((4L, 40L), (after.Start, after.End));
        Assert.Equal([4L, 5, 40], after.Keys.Select(k => k.Frame));
        for (long f = 0; f < 120; f++)
        {
            var was = PlanRegions.ManualBoxAt(before, f, cuts);
            var now = PlanRegions.ManualBoxAt(after, f, cuts);
            if (f < 4 || f > 40) Assert.Null(now);
            else
            {
                Assert.NotNull(now);
                Assert.True(Math.Abs(was!.Value.X - now.Value.X) < 0.01 && Math.Abs(was.Value.Y - now.Value.Y) < 0.01
                    && Math.Abs(was.Value.Width - now.Value.Width) < 0.01 && Math.Abs(was.Value.Height - now.Value.Height) < 0.01,
                    $"frame {f}: {was} became {now}");
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"deleteKey","item":0,"region":1,"frame":5}""")).Status);
        Assert.Equal("region 1 has no box set on frame 5", (await Edit("""{"op":"deleteKey","item":0,"region":1,"frame":5}""")).Body);
        m = ReviewTestKit.SavedItem(PlanPath).GetProperty("manual")[0];
        Assert.Equal([4L, 40], m.GetProperty("keys").EnumerateArray().Select(k => k[0].GetInt64()));

        // The next region is numbered after the highest; after the last frame of a video with no cut ahead, the video's end.
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"addManual","item":0,"frame":61,"box":[0,0,10,10]}""")).Status);
        var second = ReviewTestKit.SavedItem(PlanPath).GetProperty("manual")[1];
        Assert.Equal(2, second.GetProperty("id").GetInt32());
        Assert.Equal(119, second.GetProperty("end").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"deleteManual","item":0,"region":1}""")).Status);
        Assert.Equal(1, ReviewTestKit.SavedItem(PlanPath).GetProperty("manual").GetArrayLength());
    }

    [Fact]
    public async Task Cover_spans_are_merged_when_they_overlap_or_touch_and_deleted_whole()
    {
        foreach (var (a, b) in new[] { (50, 60), (10, 20), (21, 25), (58, 70), (90, 95) })
            Assert.Equal(HttpStatusCode.OK, (await Edit($$"""{"op":"addCover","item":0,"start":{{a}},"end":{{b}}}""")).Status);
        Assert.Equal("[[10,25],[50,70],[90,95]]", ReviewTestKit.SavedItem(PlanPath).GetProperty("coverFrames").Compact());
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"addCover","item":0,"start":26,"end":49}""")).Status);
        Assert.Equal("[[10,70],[90,95]]", ReviewTestKit.SavedItem(PlanPath).GetProperty("coverFrames").Compact());
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"deleteCover","item":0,"start":10,"end":70}""")).Status);
        Assert.Equal("[[90,95]]", ReviewTestKit.SavedItem(PlanPath).GetProperty("coverFrames").Compact());
    }

    [Fact]
    public async Task An_edit_that_cannot_be_saved_is_undone_and_reported_in_one_line()
    {
        string nowhere = Path.Combine(dir, "gone", "clip.mp4.plan.json");
        await using var failing = await ReviewServer.StartAsync(new ReviewSession(plan, nowhere, media, new RedactionOptions()), errors);
        using var client = new HttpClient { BaseAddress = failing.Address };
        using var r = await client.SendAsync(Json("api/edit", """{"op":"keep","item":0,"track":1}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        string body = await r.Content.ReadAsStringAsync();
        Assert.StartsWith($"the plan could not be saved to {nowhere}: ", body);
        Assert.DoesNotContain("\n", body);
        Assert.DoesNotContain(" at ", body);
        Assert.Empty(plan.Items[0].Keep);
        Assert.Equal($"review: error: {body}{Environment.NewLine}", errors.ToString());
        Assert.False(File.Exists(nowhere));
    }

    [Fact]
    public async Task A_failing_picture_is_a_500_with_one_line_and_the_token_stays_off_the_terminal()
    {
        media.FrameFailure = new InvalidOperationException("the frame cache is gone\n   at Cache.Read()");
        using var r = await http.GetAsync("api/items/0/frames/3.jpg");
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Equal("internal error: the frame cache is gone", await r.Content.ReadAsStringAsync());
        string log = errors.ToString();
        Assert.Equal($"review: error: GET /TOKEN/api/items/0/frames/3.jpg: the frame cache is gone{Environment.NewLine}", log);
        Assert.DoesNotContain(Token, log);
    }

    [Fact]
    public async Task The_plan_is_sent_as_the_plan_file_holds_it()
    {
        using var r = await http.GetAsync("api/plan");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        AssertHeaders(r);
        string json = await r.Content.ReadAsStringAsync();
        Assert.Equal(PlanJson.Serialize(plan), json);
        Assert.Equal(3, PlanJson.Deserialize(json, "page").Items[0].Tracks.Count);
    }

    [Fact]
    public async Task Export_runs_one_at_a_time_on_a_snapshot_and_reports_its_outputs()
    {
        media.ExportGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"keep","item":0,"track":1}""")).Status);
        using (var idle = await http.GetAsync("api/export"))
            Assert.Equal("""{"state":"idle","defaultStyle":"blur","progress":0,"summary":[],"outputs":[]}""", await idle.Content.ReadAsStringAsync());
        using (var bad = await http.SendAsync(Json("api/export", """{"style":"sepia"}""")))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var start = await http.SendAsync(Json("api/export", """{"style":"pixelate"}""")))
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        using (var again = await http.SendAsync(Json("api/export", """{"style":"blur"}""")))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("an export is already running", await again.Content.ReadAsStringAsync());
        }
        // Edits made while it runs are saved but are not in the snapshot it renders.
        Assert.Equal(HttpStatusCode.OK, (await Edit("""{"op":"remove","item":0,"track":2}""")).Status);
        await WaitFor(async () => (await Status()).Contains("\"progress\":0.5"));
        Assert.Contains("\"state\":\"running\"", await Status());
        media.ExportGate.SetResult();
        await WaitFor(async () => (await Status()).Contains("\"state\":\"done\""));
        Assert.Equal("""{"state":"done","style":"pixelate","defaultStyle":"blur","progress":1,"summary":["clip.mp4: 1 kept, 0 removed, 0 drawn, 0 spans covered"],"outputs":["/tmp/out/clip.redacted.mp4"]}""",
            await Status());
        var (snapshot, style) = Assert.Single(media.Exports);
        Assert.Equal(RedactionStyle.Pixelate, style.Style);
        Assert.Equal([1], snapshot.Items[0].Keep);
        Assert.Empty(snapshot.Items[0].Remove);
        Assert.Equal([2], plan.Items[0].Remove);
        Assert.NotSame(plan.Items[0].Keep, snapshot.Items[0].Keep);
    }

    [Fact]
    public async Task Finish_completes_the_servers_Finished_task()
    {
        Assert.False(server.Finished.IsCompleted);
        using var r = await http.SendAsync(Json("api/finish", "{}"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await server.Finished.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(server.Finished.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Disposing_stops_listening_and_cancels_Finished()
    {
        await using var other = await ReviewServer.StartAsync(ReviewTestKit.Session(ReviewTestKit.VideoPlan(), PlanPath, media), errors);
        var address = other.Address;
        await other.DisposeAsync();
        Assert.True(other.Finished.IsCanceled);
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(address));
    }

    [Fact]
    public async Task An_export_stopped_by_the_end_of_the_review_is_said()
    {
        var gated = new FakeMedia(ReviewTestKit.VideoPlan()) { ExportGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var said = new StringWriter();
        var other = await ReviewServer.StartAsync(ReviewTestKit.Session(ReviewTestKit.VideoPlan(), PlanPath, gated), TextWriter.Synchronized(said));
        using var client = new HttpClient { BaseAddress = other.Address };
        using (var started = await client.SendAsync(Json("api/export", """{"style":"fill"}""")))
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        await other.DisposeAsync();
        Assert.Contains("review: error: the export was stopped before it ended: no copy was written", said.ToString());
    }

    private async Task<string> Status()
    {
        using var r = await http.GetAsync("api/export");
        return await r.Content.ReadAsStringAsync();
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met in 10 s");
            await Task.Delay(20);
        }
    }
}
