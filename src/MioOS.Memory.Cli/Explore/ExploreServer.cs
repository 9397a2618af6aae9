using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MioOS.Memory.Cli.Explore;

/// <summary>
/// The web server of <c>mioos-mm explore</c>: Kestrel on 127.0.0.1 only, the page and its script and style from
/// the tool's own resources, and a small JSON API over one <see cref="ExploreSession"/>. Every answer is
/// deliberate: an unknown path is 404, a wrong method 405, a malformed request 400, each with a JSON message; a
/// request naming another host (a foreign page rebinding a name to 127.0.0.1) is refused; no stack trace is
/// ever written, to the client or the terminal.
/// </summary>
internal sealed class ExploreServer : IAsyncDisposable
{
    private delegate Task Handler(HttpContext context);

    private readonly WebApplication _app;
    private readonly ExploreSession _session;
    private readonly Dictionary<string, (string Method, Handler Run)> _routes;

    private ExploreServer(WebApplication app, ExploreSession session)
    {
        _app = app;
        _session = session;
        _routes = new(StringComparer.Ordinal)
        {
            ["/"] = ("GET", c => Asset(c, "index.html", "text/html; charset=utf-8")),
            ["/explore.js"] = ("GET", c => Asset(c, "explore.js", "text/javascript; charset=utf-8")),
            ["/explore.css"] = ("GET", c => Asset(c, "explore.css", "text/css; charset=utf-8")),
            ["/api/state"] = ("GET", c => Json(c, 200, _session.State())),
            ["/api/picture/map"] = ("GET", c => Svg(c, _session.Picture("map", 0, null))),
            ["/api/picture/heapmap"] = ("GET", c => Svg(c, _session.Picture("heapmap", (uint)(ApiRequest.Query(c.Request, "next", uint.MaxValue) ?? 0), null))),
            ["/api/picture/pagetables"] = ("GET", c => Svg(c, _session.Picture("pagetables", 0, (uint?)ApiRequest.Query(c.Request, "slot", 1023)))),
            ["/api/walk"] = ("GET", c => Json(c, 200, _session.Walk((uint)(ApiRequest.Query(c.Request, "address", uint.MaxValue)
                ?? throw new ApiException(ApiException.BadRequest, "give the linear address: /api/walk?address=0x..."))))),
            ["/api/traces"] = ("GET", c => Json(c, 200, new JsonObject
            {
                ["directory"] = _session.Traces.Directory,
                ["traces"] = new JsonArray(_session.Traces.List().Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["bytes"] = t.Bytes }).ToArray()),
            })),
            ["/api/command"] = ("POST", Command),
            ["/api/reboot"] = ("POST", c => AndState(c, _session.Reboot)),
            ["/api/trace/load"] = ("POST", async c =>
            {
                string name = ApiRequest.Text(await ApiRequest.BodyAsync(c.Request), "name");
                await AndState(c, () => _session.LoadTrace(name));
            }),
            ["/api/trace/step"] = ("POST", async c =>
            {
                long count = ApiRequest.Count(await ApiRequest.BodyAsync(c.Request), "count", int.MaxValue);
                await AndState(c, () => _session.Step(count));
            }),
            ["/api/trace/seek"] = ("POST", async c =>
            {
                long position = ApiRequest.Count(await ApiRequest.BodyAsync(c.Request), "position", int.MaxValue);
                await AndState(c, () => _session.Seek(position));
            }),
        };
    }

    /// <summary>Where the page is: <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>Starts serving <paramref name="session"/> on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<ExploreServer> StartAsync(ExploreSession session, int port)
    {
        // The empty builder reads no configuration, environment or appsettings: nothing can move the binding
        // off loopback, and no logger prints a request's exception.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = ApiRequest.MaxBodyBytes * 4;
            k.Listen(IPAddress.Loopback, port);
        });
        WebApplication app = builder.Build();
        var server = new ExploreServer(app, session);
        app.Run(server.Handle);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        server.Url = $"http://127.0.0.1:{server.Port}/";
        return server;
    }

    private async Task Handle(HttpContext c)
    {
        c.Response.Headers["X-Content-Type-Options"] = "nosniff";
        c.Response.Headers["Cache-Control"] = "no-store";
        try
        {
            HostString host = c.Request.Host;
            if (host.Port != Port || host.Host is not ("127.0.0.1" or "localhost"))
                throw new ApiException(ApiException.BadRequest, $"this server answers only to 127.0.0.1:{Port} and localhost:{Port}, not '{TraceLibrary.Truncate(host.Value ?? "")}'");
            string path = c.Request.Path.Value ?? "";
            if (!_routes.TryGetValue(path, out var route))
            {
                await Json(c, 404, Error($"nothing at '{TraceLibrary.Truncate(path)}'; the page is at /"));
                return;
            }
            if (c.Request.Method != route.Method && !(route.Method == "GET" && c.Request.Method == "HEAD"))
            {
                c.Response.Headers.Allow = route.Method;
                await Json(c, 405, Error($"{path} takes {route.Method}, not {TraceLibrary.Truncate(c.Request.Method)}"));
                return;
            }
            await route.Run(c);
        }
        catch (ApiException e)
        {
            await Json(c, e.Status, Error(e.Message));
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // The connection broke or Kestrel refused what was read (a body past its limit): say so if still possible.
            if (!c.Response.HasStarted && !c.RequestAborted.IsCancellationRequested)
                await Json(c, 400, Error($"the request could not be read: {e.Message}"));
        }
        catch (Exception e)
        {
            if (!c.Response.HasStarted)
                await Json(c, 500, Error($"explore failed inside ({e.GetType().Name}: {e.Message})"));
        }
    }

    private async Task Command(HttpContext c)
    {
        string line = ApiRequest.Text(await ApiRequest.BodyAsync(c.Request), "line");
        if (line.Length > 1000)
            throw new ApiException(ApiException.BadRequest, $"the line is {line.Length:N0} characters; a command is at most 1,000");
        await Json(c, 200, _session.Command(line));
    }

    private Task AndState(HttpContext c, Action action)
    {
        action();
        return Json(c, 200, _session.State());
    }

    // Messages quote what was typed ('kmalloc'); JSON served as application/json with nosniff needs no HTML escapes.
    private static readonly JsonSerializerOptions JsonText = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonObject Error(string message) => new() { ["error"] = message };

    private static Task Json(HttpContext c, int status, JsonNode body) =>
        Send(c, status, "application/json; charset=utf-8", body.ToJsonString(JsonText));

    private static Task Svg(HttpContext c, string svg) => Send(c, 200, "image/svg+xml; charset=utf-8", svg);

    private static Task Send(HttpContext c, int status, string type, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        c.Response.StatusCode = status;
        c.Response.ContentType = type;
        c.Response.ContentLength = bytes.Length;
        return c.Response.Body.WriteAsync(bytes).AsTask();
    }

    private static async Task Asset(HttpContext c, string name, string type)
    {
        // Everything the page loads comes from here: no other origin, no inline script.
        c.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        c.Response.ContentType = type;
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"explore/{name}")
            ?? throw new InvalidOperationException($"the tool was built without its page ({name})");
        await stream.CopyToAsync(c.Response.Body);
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
