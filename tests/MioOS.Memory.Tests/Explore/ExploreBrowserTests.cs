using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Explore;

/// <summary>
/// <c>mioos-mm explore</c>'s page in a real browser: what a person types in the console shows up in the pictures,
/// and the trace player reaches the figures of <c>mioos-mm replay</c>. Every wait is for a condition on the page.
/// </summary>
public class ExploreBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>Generous for a 2-core machine building and testing at once; a wait ends as soon as its condition holds.</summary>
    private const float Patience = 90_000;

    /// <summary>The page of <paramref name="host"/>, loaded and drawn; script errors and failed loads are collected in <paramref name="errors"/>.</summary>
    private async Task<IPage> Open(ExploreHost host, List<string> errors)
    {
        IPage page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(Patience);
        page.PageError += (_, e) => errors.Add($"script error: {e}");
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text}"); };
        await page.GotoAsync(host.Url);
        await page.Locator("body[data-version]").WaitForAsync();
        return page;
    }

    /// <summary>Types <paramref name="line"/> into the console and returns what the API answered to it.</summary>
    private static async Task<JsonNode> Type(IPage page, string line)
    {
        await page.FillAsync("#console-input", line);
        IResponse response = await page.RunAndWaitForResponseAsync(() => page.PressAsync("#console-input", "Enter"),
            r => r.Url.EndsWith("/api/command", StringComparison.Ordinal));
        return JsonNode.Parse(await response.TextAsync())!;
    }

    private static string Hex(long value) => $"0x{value:X8}";

    [Fact]
    public async Task Kmalloc_typed_in_the_console_adds_the_block_the_api_reported_to_the_heap_picture()
    {
        await using var host = await ExploreHost.StartAsync();
        var errors = new List<string>();
        IPage page = await Open(host, errors);
        int usedBefore = await page.Locator("#heapmap rect[data-state='used']").CountAsync();
        JsonNode answer = await Type(page, "kmalloc 4096");
        Assert.True((bool)answer["ok"]!);
        string pointer = Hex((long)answer["answer"]!["pointer"]!);
        ILocator block = page.Locator($"#heapmap rect[data-pointer='{pointer}'][data-state='used']");
        await block.WaitForAsync();
        Assert.Contains("changed", await block.GetAttributeAsync("class") ?? "");
        Assert.Equal(usedBefore + 1, await page.Locator("#heapmap rect[data-state='used']").CountAsync());
        Assert.Equal(pointer, await page.Locator("#log .entry.ok .out").Last.InnerTextAsync());
        // A refused call is shown as the kernel answers it, never as an error page.
        JsonNode refused = await Type(page, "kfree 0x00300000");
        Assert.False((bool)refused["ok"]!);
        await page.Locator("#log .entry.refused .out").Last.WaitForAsync();
        Assert.Equal((string)refused["text"]!, await page.Locator("#log .entry.refused .out").Last.InnerTextAsync());
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_4mib_page_typed_in_the_console_changes_its_directory_slot()
    {
        await using var host = await ExploreHost.StartAsync();
        var errors = new List<string>();
        IPage page = await Open(host, errors);
        ILocator slot = page.Locator("#pagetables rect[data-slot='256']");
        Assert.Equal("empty", await slot.GetAttributeAsync("data-kind"));
        JsonNode answer = await Type(page, "alloc_page_4mib 0x40000000 0x00800000");
        Assert.True((bool)answer["ok"]!);
        await page.Locator("#pagetables rect[data-slot='256'][data-kind='4mib-page']").WaitForAsync();
        uint entry = uint.Parse((await slot.GetAttributeAsync("data-entry"))![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(0x0080_0000u, entry & 0xFFC0_0000); // SDM 4.3: a 4 MiB PDE's frame is in bits 31:22
        Assert.Equal(0x81u, entry & 0x81);               // present, PS
        Assert.Contains("changed", await slot.GetAttributeAsync("class") ?? "");
        Assert.Equal(0, await page.Locator("#pagetables rect.changed[data-slot='255']").CountAsync());
        // A bad line is the shell's message, not a page error.
        await Type(page, "alloc_page_4mib 0x40000000");
        Assert.Contains("needs at least 2 arguments", await page.Locator("#log .entry.error .out").Last.InnerTextAsync());
        Assert.Contains("status of 400", Assert.Single(errors)); // the browser logs the API's 400; the page has no error
        Assert.Empty(errors.Skip(1));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Walking_an_address_outlines_its_slot_and_entry_and_names_the_frame()
    {
        await using var host = await ExploreHost.StartAsync();
        var errors = new List<string>();
        IPage page = await Open(host, errors);
        await Type(page, "alloc_page 0x40001000 0x00300000");
        await page.FillAsync("#walk-input", "0x40001234");
        await page.PressAsync("#walk-input", "Enter");
        await page.Locator("#pagetables rect.walked[data-table='256'][data-index='1']").WaitForAsync();
        Assert.Equal(1, await page.Locator("#pagetables rect.walked[data-slot='256']").CountAsync());
        string walk = await page.InnerTextAsync("#walk-result");
        Assert.Contains("directory slot 256", walk);
        Assert.Contains("PTE[1] = 0x00300", walk);
        Assert.Contains("-> physical 0x00300234", walk);
        // A click on another slot opens its table.
        await page.Locator("#pagetables rect[data-slot='0']").ClickAsync();
        await page.Locator("#pagetables rect[data-table='0'][data-index='184']").WaitForAsync();
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Playing_1000_events_of_a_trace_reaches_the_figures_of_replay_of_the_same_prefix()
    {
        const string trace = "cmake-configure.trace.gz";
        const int events = 1000;
        await using var host = await ExploreHost.StartAsync();
        var errors = new List<string>();
        IPage page = await Open(host, errors);
        await page.SelectOptionAsync("#trace-select", trace);
        await page.ClickAsync("#trace-load");
        await page.Locator("#player[data-state='paused'][data-position='0']").WaitForAsync();
        await page.FillAsync("#trace-stop", $"{events}");
        await page.SelectOptionAsync("#trace-speed", "10000");
        await page.ClickAsync("#trace-play");
        await page.Locator($"#player[data-state='paused'][data-position='{events}']").WaitForAsync();

        var replay = Support.Cli.Run("replay", TestData.Trace(trace), "--events", $"{events}", "--json").Json;
        Assert.Equal((long)replay["events"]!, long.Parse((await page.GetAttributeAsync("#player", "data-position"))!, CultureInfo.InvariantCulture));
        Assert.Equal($"{(long)replay["peakLiveBytes"]!}", await page.GetAttributeAsync("#fig-peak-live", "data-value"));
        Assert.Equal($"{(long)replay["peakHeapBytes"]!}", await page.GetAttributeAsync("#fig-peak-heap", "data-value"));
        Assert.Equal(((double)replay["heap"]!["fragmentationPercent"]!).ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#fig-fragmentation", "data-value"));
        Assert.Equal($"{(long)replay["heap"]!["blocks"]!}", await page.GetAttributeAsync("#fig-blocks", "data-value"));
        Assert.Equal((string)replay["integrity"]!, await page.GetAttributeAsync("#fig-integrity", "data-value"));
        // The block of the last event is outlined where first fit put it.
        JsonNode last = (await host.GetAsync("/api/state")).Json["trace"]!["last"]!;
        if ((long)last["pointer"]! != 0)
            Assert.True(await page.Locator($"#heapmap rect.last[data-pointer='{Hex((long)last["pointer"]!)}']").CountAsync() > 0);

        // The page as the README shows it: further into the trace (the scrubber), where the next kmalloc(4096)
        // would go, a report typed in the console, an address walked.
        await page.Locator("#trace-scrub").FillAsync("30000");
        await page.Locator("#player[data-state='paused'][data-position='30000']").WaitForAsync();
        await page.FillAsync("#heap-next", "4096");
        await page.PressAsync("#heap-next", "Enter");
        await page.Locator("#heapmap rect[data-state='free first-fit']").First.WaitForAsync();
        await Type(page, "heapinfo");
        await page.FillAsync("#walk-input", "0x00200408");
        await page.PressAsync("#walk-input", "Enter");
        await page.Locator("#pagetables rect.walked[data-table='0']").WaitForAsync();
        Assert.Equal("false", await page.EvaluateAsync<string>("() => String(document.getElementById('trace-position').textContent.includes('console calls'))"));
        await page.ScreenshotAsync(new() { Path = ScreenshotPath(), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    /// <summary>docs/images/explore.png of the checkout the tests run in (the README shows it), else a temporary file.</summary>
    private static string ScreenshotPath()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MioOS.Memory.slnx")))
                return Path.Combine(d.FullName, "docs", "images", "explore.png");
        return Path.Combine(Path.GetTempPath(), "mioos-explore.png");
    }
}
