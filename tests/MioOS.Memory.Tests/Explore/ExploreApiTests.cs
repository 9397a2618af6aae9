using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Explore;

/// <summary>
/// The JSON API of <c>mioos-mm explore</c>: the shell's answers through it, the pictures, the walk, the trace
/// player, and every malformed or hostile request answered with a status and a JSON message, never a stack trace.
/// </summary>
public class ExploreApiTests
{
    private static List<XElement> Rects(string svg, string attribute, string value) =>
        XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "rect" && (string?)e.Attribute("data-" + attribute) == value).ToList();

    /// <summary>What <c>mioos-mm shell</c> prints for <paramref name="script"/>, line by line (stdout, then stderr).</summary>
    private static string[] Shell(string script)
    {
        var r = Support.Cli.RunWith(script, MioOS.Memory.Cli.Io.Terminal.Unwrapped, "shell");
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task The_state_of_a_fresh_machine_is_what_heapinfo_and_boot_report()
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, state) = await host.GetAsync("/api/state");
        Assert.Equal(200, status);
        Assert.Equal("QEMU PC -m 128M", (string)state["machine"]!);
        Assert.Null(state["trace"]);
        Assert.Null(state["fault"]);
        var heapinfo = Support.Cli.Run("heapinfo", "--json").Json;
        foreach (string figure in new[] { "start", "size", "blocks", "freeBlocks", "largestFree" })
            Assert.Equal((long)heapinfo[figure]!, (long)state["heap"]![figure]!);
        var boot = Support.Cli.Run("boot", "--json").Json["pmm"]!; // after paging is on: the VMM's frames are used
        foreach (string figure in new[] { "freeFramesLow", "usedFrames", "freeExtents", "usableFramesLow" })
            Assert.Equal((long)boot[figure]!, (long)state["pmm"]![figure]!);
    }

    [Fact]
    public async Task Kmalloc_answers_the_pointer_the_shell_gives_and_the_heap_picture_gains_that_block()
    {
        await using var host = await ExploreHost.StartAsync();
        string before = await host.PictureAsync("/api/picture/heapmap");
        var (status, answer) = await host.CommandAsync("kmalloc 4096");
        Assert.Equal(200, status);
        Assert.True((bool)answer["ok"]!);
        Assert.Equal(Shell("kmalloc 4096")[0], (string)answer["text"]!);
        string pointer = $"0x{(long)answer["answer"]!["pointer"]!:X8}";
        Assert.Equal(pointer, (string)answer["text"]!);
        string after = await host.PictureAsync("/api/picture/heapmap");
        Assert.DoesNotContain(Rects(before, "pointer", pointer), r => (string?)r.Attribute("data-state") == "used");
        XElement block = Assert.Single(Rects(after, "pointer", pointer));
        Assert.Equal("used", (string?)block.Attribute("data-state"));
        Assert.Equal(1, (long)(await host.GetAsync("/api/state")).Json["heap"]!["blocks"]!);
    }

    [Theory]
    [InlineData("free_frame 0x100000")]
    [InlineData("kfree 0x00300000")]
    [InlineData("alloc_frame 100000000")]
    [InlineData("alloc_page 0x00001000 0x00300000")]
    public async Task A_refused_call_is_answered_as_the_shell_answers_it(string line)
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, answer) = await host.CommandAsync(line);
        Assert.Equal(200, status);
        Assert.False((bool)answer["ok"]!);
        Assert.Contains("refused: ", (string)answer["text"]!);
        Assert.Equal(Shell(line)[0], (string)answer["text"]!);
        Assert.Equal((string)answer["text"]!, (string)answer["answer"]!["refused"]!);
    }

    [Theory]
    [InlineData("bogus 1", "unknown command 'bogus' (try 'help')")]
    [InlineData("kmalloc", "'kmalloc' needs 1 argument")]
    [InlineData("kmalloc 1 2", "'kmalloc' takes 1 argument, not 2")]
    [InlineData("kmalloc 0x1zz", "kmalloc SIZE")]
    [InlineData("quit", "close the page")]
    [InlineData("   ", "no command on the line")]
    [InlineData("# a comment", "no command on the line")]
    public async Task A_malformed_line_is_400_with_the_shells_message(string line, string message)
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, answer) = await host.CommandAsync(line);
        Assert.Equal(400, status);
        Assert.Contains(message, (string)answer["error"]!);
        Assert.Equal(0, (long)(await host.GetAsync("/api/state")).Json["version"]!); // nothing ran
    }

    [Fact]
    public async Task Picture_commands_name_the_picture_and_write_no_file()
    {
        await using var host = await ExploreHost.StartAsync();
        string path = Path.Combine(Path.GetTempPath(), $"mioos-explore-{Guid.NewGuid():N}.svg");
        var (status, answer) = await host.CommandAsync($"heapmap {path} 64");
        Assert.Equal(200, status);
        Assert.Equal("heapmap", (string)answer["answer"]!["picture"]!);
        Assert.Equal(64, (long)answer["answer"]!["next"]!);
        Assert.False(File.Exists(path));
        (status, answer) = await host.CommandAsync("pagetables ../../etc/x.svg 7");
        Assert.Equal((200, 7L), (status, (long)answer["answer"]!["slot"]!));
        Assert.False(File.Exists("../../etc/x.svg"));
        Assert.Equal(400, (await host.CommandAsync("map /etc/passwd")).Status); // not .svg: the shell's own check
    }

    [Fact]
    public async Task A_kernel_fault_stops_the_machine_until_it_is_rebooted()
    {
        await using var host = await ExploreHost.StartAsync();
        Assert.Equal(200, (await host.CommandAsync("free_page 0x200000")).Status);
        var (status, answer) = await host.CommandAsync("kmalloc 16");
        Assert.Equal(200, status);
        Assert.False((bool)answer["ok"]!);
        Assert.StartsWith("kernel page fault during 'kmalloc 16': CR2 = 0x00200000", (string)answer["fault"]!);
        Assert.StartsWith("kernel page fault", (string)(await host.GetAsync("/api/state")).Json["fault"]!);
        (status, answer) = await host.CommandAsync("kmalloc 16");
        Assert.Equal(409, status);
        Assert.Contains("reboot it", (string)answer["error"]!);
        Assert.Equal(200, (await host.PostAsync("/api/reboot", "")).Status);
        (status, answer) = await host.CommandAsync("kmalloc 16");
        Assert.Equal((200, true), (status, (bool)answer["ok"]!));
    }

    [Fact]
    public async Task Unmapping_the_heap_leaves_the_state_readable_and_says_what_faulted()
    {
        await using var host = await ExploreHost.StartAsync();
        Assert.Equal(200, (await host.CommandAsync("free_page 0x200000")).Status);
        var (status, state) = await host.GetAsync("/api/state");
        Assert.Equal(200, status);
        Assert.StartsWith("kernel page fault during 'heapinfo': CR2 = 0x00200000", (string)state["heap"]!["fault"]!);
        Assert.Null(state["fault"]); // explore's own read, not a kernel call: the machine runs on
        using HttpResponseMessage heap = await host.Client.GetAsync("/api/picture/heapmap");
        Assert.Equal(409, (int)heap.StatusCode);
        Assert.Contains("the heapmap picture cannot be drawn: kernel page fault", (string)(await ExploreHost.JsonOf(heap))["error"]!);
        Assert.Equal(200, (await host.CommandAsync("alloc_page 0x200000 0x200000")).Status); // mapped back, the heap is whole again
        Assert.Equal("ok", (string)(await host.GetAsync("/api/state")).Json["heap"]!["integrity"]!);
    }

    [Fact]
    public async Task The_walk_names_the_slot_entry_and_frame_translate_names()
    {
        await using var host = await ExploreHost.StartAsync();
        Assert.Equal(200, (await host.CommandAsync("alloc_page 0x40001000 0x00300000")).Status);
        var (status, walk) = await host.GetAsync("/api/walk?address=0x40001234");
        Assert.Equal(200, status);
        Assert.Equal((256L, 1L, 0x300234L), ((long)walk["directoryIndex"]!, (long)walk["tableIndex"]!, (long)walk["physical"]!));
        Assert.Equal(0x300000L, (long)walk["pte"]! & 0xFFFFF000);
        (status, walk) = await host.GetAsync("/api/walk?address=0x80000000");
        Assert.Equal(200, status);
        Assert.False((bool)walk["mapped"]!);
        Assert.Equal(0x80000000L, (long)walk["fault"]!["cr2"]!);
        string table = await host.PictureAsync("/api/picture/pagetables?slot=256");
        XElement entry = Assert.Single(Rects(table, "index", "1"));
        Assert.Equal("256", (string?)entry.Attribute("data-table"));
    }

    [Theory]
    [InlineData("/api/walk", "give the linear address")]
    [InlineData("/api/walk?address=0x100000000", "at most 0xFFFFFFFF")]
    [InlineData("/api/walk?address=zz", "address")]
    [InlineData("/api/walk?address=1&address=2", "give 'address' once")]
    [InlineData("/api/picture/pagetables?slot=1024", "slot")]
    [InlineData("/api/picture/heapmap?next=-1", "next")]
    [InlineData("/api/picture/heapmap?next=99999999999999999999999999999999999999999999999999", "not a number")]
    public async Task A_bad_query_is_400_with_a_message(string path, string message)
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, answer) = await host.GetAsync(path);
        Assert.Equal(400, status);
        Assert.Contains(message, (string)answer["error"]!);
    }

    [Theory]
    [InlineData("not json", "application/json", "the body is not JSON")]
    [InlineData("{\"line\": ", "application/json", "the body is not JSON")]
    [InlineData("[\"kmalloc 1\"]", "application/json", "must be a JSON object")]
    [InlineData("\"kmalloc 1\"", "application/json", "must be a JSON object")]
    [InlineData("{}", "application/json", "needs a string field \"line\"")]
    [InlineData("{\"line\": 42}", "application/json", "\"line\" must be a string")]
    [InlineData("{\"line\": null}", "application/json", "\"line\" must be a string")]
    [InlineData("{\"Line\": \"kmalloc 1\"}", "application/json", "needs a string field \"line\"")]
    [InlineData("{\"line\": \"kmalloc 1\"}", "text/plain", "Content-Type: application/json")]
    [InlineData("line=kmalloc+1", "application/x-www-form-urlencoded", "Content-Type: application/json")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "application/json", "the body is not JSON")]
    public async Task A_malformed_body_is_400_with_a_message(string body, string type, string message)
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, answer) = await host.PostAsync("/api/command", body, type);
        Assert.Equal(400, status);
        Assert.Contains(message, (string)answer["error"]!);
    }

    [Fact]
    public async Task Huge_bodies_and_lines_are_refused_with_400_without_being_read_whole()
    {
        await using var host = await ExploreHost.StartAsync();
        string line = new('k', 5000);
        var (status, answer) = await host.CommandAsync(line);
        Assert.Equal(400, status);
        Assert.Contains("a command is at most 1,000", (string)answer["error"]!);
        // A body far over the limit, with a Content-Length and without one (chunked). The server answers 400 at its
        // limit without reading the rest; HTTP lets it close the connection then, so a client still sending may see
        // the connection closed under it instead of the answer (RFC 9112, 9.6). Either is a refusal; anything else
        // (a 2xx, a 5xx, a body read whole) fails.
        string huge = "{\"line\":\"" + new string('x', 1 << 20) + "\"}";
        await AssertRefusedAsync(host, new StringContent(huge, Encoding.UTF8, "application/json"), chunked: false, "at most 16,384");
        var stream = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        stream.Headers.ContentType = new("application/json");
        await AssertRefusedAsync(host, stream, chunked: true, "larger than the 16,384 bytes");
    }

    private static async Task AssertRefusedAsync(ExploreHost host, HttpContent content, bool chunked, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/command") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        HttpResponseMessage r;
        try
        {
            r = await host.Client.SendAsync(request);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            return; // closed by the server before the body was sent whole: refused
        }
        using (r)
        {
            Assert.Equal(400, (int)r.StatusCode);
            string error = (string)(await ExploreHost.JsonOf(r))["error"]!;
            Assert.True(error.Contains(message), error);
        }
    }

    [Theory]
    [InlineData("GET /../../../etc/passwd HTTP/1.1")]
    [InlineData("GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1")]
    [InlineData("GET /explore.js/../../../etc/passwd HTTP/1.1")]
    [InlineData("GET /api/picture/..%2f..%2fstate HTTP/1.1")]
    [InlineData("GET //etc/passwd HTTP/1.1")]
    [InlineData("GET /index.html HTTP/1.1")]
    [InlineData("GET /MioOS.Memory.Cli.csproj HTTP/1.1")]
    public async Task Paths_outside_the_pages_and_the_api_are_404_with_a_message(string requestLine)
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, body) = await host.RawAsync($"{requestLine}\r\nHost: 127.0.0.1:{host.Server.Port}\r\nConnection: close\r\n\r\n");
        Assert.True(status is 404 or 400, $"{status}: {body}");
        Assert.DoesNotContain("root:", body);
        if (body.Length > 0)
            Assert.NotNull(JsonNode.Parse(body)!["error"]);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:{port}")]
    [InlineData("127.0.0.1:1")]
    public async Task A_request_for_another_host_is_refused(string hostHeader)
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, body) = await host.RawAsync($"GET /api/state HTTP/1.1\r\nHost: {hostHeader.Replace("{port}", $"{host.Server.Port}")}\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, status);
        Assert.Contains("this server answers only to 127.0.0.1", (string)JsonNode.Parse(body)!["error"]!);
    }

    [Fact]
    public async Task Wrong_methods_are_405_and_unknown_api_paths_404_both_with_json()
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, answer) = await host.GetAsync("/api/command");
        Assert.Equal(405, status);
        Assert.Contains("takes POST", (string)answer["error"]!);
        (status, answer) = await host.PostAsync("/api/state", "{}");
        Assert.Equal(405, status);
        (status, answer) = await host.GetAsync("/api/nothing");
        Assert.Equal(404, status);
        Assert.Contains("nothing at '/api/nothing'", (string)answer["error"]!);
    }

    [Fact]
    public async Task The_page_its_script_and_style_come_from_the_tool_under_a_policy_that_allows_nothing_else()
    {
        await using var host = await ExploreHost.StartAsync();
        foreach (var (path, type) in new[] { ("/", "text/html"), ("/explore.js", "text/javascript"), ("/explore.css", "text/css") })
        {
            using HttpResponseMessage r = await host.Client.GetAsync(path);
            Assert.Equal(200, (int)r.StatusCode);
            Assert.Equal(type, r.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("default-src 'self'", r.Headers.GetValues("Content-Security-Policy").Single());
            string text = await r.Content.ReadAsStringAsync();
            Assert.DoesNotContain("http://", text.Replace("http://www.w3.org", ""));
            Assert.DoesNotContain("https://", text);
        }
    }

    [Fact]
    public async Task Trace_names_outside_the_list_are_refused()
    {
        await using var host = await ExploreHost.StartAsync();
        var (status, list) = await host.GetAsync("/api/traces");
        Assert.Equal(200, status);
        var names = list["traces"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        Assert.Equal(["cmake-configure.trace.gz", "gcc-cc1-O2.trace.gz", "git-log-p.trace.gz", "perl-wordfreq.trace.gz", "python3-json.trace.gz", "sqlite3.trace.gz"], names);
        foreach (string name in new[] { "../../../etc/passwd", "/etc/passwd", "../traces/cmake-configure.trace.gz", "cmake-configure.trace.gz/", "README.md", "", "CMAKE-CONFIGURE.TRACE.GZ" })
        {
            var (s, answer) = await host.PostAsync("/api/trace/load", new JsonObject { ["name"] = name }.ToJsonString());
            Assert.Equal(400, s);
            Assert.Contains("the traces are: cmake-configure.trace.gz", (string)answer["error"]!);
        }
        Assert.Equal(400, (await host.PostAsync("/api/trace/step", "{\"count\": 1}")).Status); // nothing loaded
    }

    [Fact]
    public async Task Stepping_and_seeking_a_trace_gives_the_figures_of_replay_of_the_same_prefix()
    {
        await using var host = await ExploreHost.StartAsync();
        const string name = "gcc-cc1-O2.trace.gz";
        var (status, state) = await host.PostAsync("/api/trace/load", new JsonObject { ["name"] = name }.ToJsonString());
        Assert.Equal(200, status);
        Assert.Equal((0L, 1_450_697L), ((long)state["trace"]!["position"]!, (long)state["trace"]!["events"]!));
        foreach (long count in new long[] { 1, 499, 2000, 500 })
            Assert.Equal(200, (await host.PostAsync("/api/trace/step", $"{{\"count\": {count}}}")).Status);
        await AssertReplayFigures(host, name, 3000);
        // Backwards replays from a fresh boot; forwards plays on.
        Assert.Equal(200, (await host.PostAsync("/api/trace/seek", "{\"position\": 1200}")).Status);
        await AssertReplayFigures(host, name, 1200);
        Assert.Equal(200, (await host.PostAsync("/api/trace/seek", "{\"position\": \"4K\"}")).Status); // the shell's numbers
        await AssertReplayFigures(host, name, 4096);
        var (bad, answer) = await host.PostAsync("/api/trace/seek", "{\"position\": 2000000}");
        Assert.Equal(400, bad);
        Assert.Contains("the trace has 1,450,697 events", (string)answer["error"]!);
        Assert.Equal(400, (await host.PostAsync("/api/trace/step", "{\"count\": -1}")).Status);
        Assert.Equal(400, (await host.PostAsync("/api/trace/step", "{\"count\": 1.5}")).Status);
    }

    [Fact]
    public async Task A_console_call_that_changes_the_heap_is_said_to_touch_the_trace_and_seeking_starts_clean()
    {
        await using var host = await ExploreHost.StartAsync();
        await host.PostAsync("/api/trace/load", "{\"name\": \"cmake-configure.trace.gz\"}");
        await host.PostAsync("/api/trace/step", "{\"count\": 100}");
        await host.CommandAsync("heapinfo");
        Assert.False((bool)(await host.GetAsync("/api/state")).Json["trace"]!["touched"]!);
        await host.CommandAsync("kmalloc 100000");
        Assert.True((bool)(await host.GetAsync("/api/state")).Json["trace"]!["touched"]!);
        await host.PostAsync("/api/trace/seek", "{\"position\": 1000}");
        Assert.False((bool)(await host.GetAsync("/api/state")).Json["trace"]!["touched"]!);
        await AssertReplayFigures(host, "cmake-configure.trace.gz", 1000);
    }

    /// <summary>The player's figures against <c>mioos-mm replay TRACE --events N --json</c>.</summary>
    internal static async Task AssertReplayFigures(ExploreHost host, string trace, long events)
    {
        JsonNode t = (await host.GetAsync("/api/state")).Json["trace"]!;
        var replay = Support.Cli.Run("replay", TestData.Trace(trace), "--events", $"{events}", "--json").Json;
        Assert.Equal(events, (long)t["position"]!);
        Assert.Equal((long)replay["events"]!, (long)t["position"]!);
        Assert.Equal((long)replay["peakLiveBytes"]!, (long)t["peakLiveBytes"]!);
        Assert.Equal((long)replay["peakHeapBytes"]!, (long)t["peakHeapBytes"]!);
        Assert.Equal((double)replay["heap"]!["fragmentationPercent"]!, (double)t["fragmentationPercent"]!);
        Assert.Equal((long)replay["heap"]!["blocks"]!, (long)t["blocks"]!);
        Assert.Equal((string)replay["integrity"]!, (string)t["integrity"]!);
    }
}
