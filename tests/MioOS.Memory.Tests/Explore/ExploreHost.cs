using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Explore;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Explore;

/// <summary><c>mioos-mm explore</c>'s server in the test process on a free port, with a client for its API.</summary>
internal sealed class ExploreHost : IAsyncDisposable
{
    private readonly ExploreSession _session;

    private ExploreHost(ExploreSession session, ExploreServer server)
    {
        _session = session;
        Server = server;
        Client = new HttpClient { BaseAddress = new Uri(server.Url) };
    }

    public ExploreServer Server { get; }

    public HttpClient Client { get; }

    public string Url => Server.Url;

    /// <summary>The default machine (QEMU's 128 MiB PC, qemu32) with the repository's traces.</summary>
    public static async Task<ExploreHost> StartAsync()
    {
        var session = new ExploreSession(MachineConfig.Default, CpuModel.Qemu32, TraceLibrary.Find(Path.Combine(TestData.Root, "traces")));
        return new ExploreHost(session, await ExploreServer.StartAsync(session, 0));
    }

    public async Task<(int Status, JsonNode Json)> GetAsync(string path)
    {
        using HttpResponseMessage r = await Client.GetAsync(path);
        return ((int)r.StatusCode, await JsonOf(r));
    }

    public async Task<(int Status, JsonNode Json)> PostAsync(string path, string body, string contentType = "application/json")
    {
        using HttpResponseMessage r = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));
        return ((int)r.StatusCode, await JsonOf(r));
    }

    /// <summary>One shell line through the console's API.</summary>
    public Task<(int Status, JsonNode Json)> CommandAsync(string line) =>
        PostAsync("/api/command", new JsonObject { ["line"] = line }.ToJsonString());

    public async Task<string> PictureAsync(string path)
    {
        using HttpResponseMessage r = await Client.GetAsync(path);
        Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal("image/svg+xml", r.Content.Headers.ContentType!.MediaType);
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>Sends <paramref name="request"/> as it is (no client normalises it) and returns the status and body.</summary>
    public async Task<(int Status, string Body)> RawAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", Server.Port);
        using NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string all = await reader.ReadToEndAsync();
        int status = int.Parse(all.Split(' ')[1]);
        return (status, all[(all.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    public static async Task<JsonNode> JsonOf(HttpResponseMessage r)
    {
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        _session.Dispose();
    }
}
