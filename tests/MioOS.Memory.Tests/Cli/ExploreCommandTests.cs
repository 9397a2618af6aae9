using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Cli;

/// <summary><c>mioos-mm explore</c> as a command: it serves on loopback, says where, stops on SIGTERM, and refuses bad options.</summary>
public class ExploreCommandTests
{
    [Fact]
    public async Task Explore_serves_the_page_on_loopback_says_where_and_stops_on_sigterm()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "mioos-mm.dll"), "explore", "--port", "0", "-m", "256" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process tool = Process.Start(start)!;
        try
        {
            string first = await tool.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)) ?? "";
            Match url = Regex.Match(first, @"^mioos-mm explore: (http://127\.0\.0\.1:(\d+)/) \(QEMU PC -m 256M, qemu32\); Ctrl-C stops$");
            Assert.True(url.Success, first);
            using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            string page = await client.GetStringAsync(url.Groups[1].Value);
            Assert.Contains("<script src=\"/explore.js\"", page);
            string state = await client.GetStringAsync(url.Groups[1].Value + "api/state");
            Assert.Contains("\"machine\":\"QEMU PC -m 256M\"", state);
            // Loopback only: the port is not open on the machine's other addresses.
            foreach (IPAddress other in (await Dns.GetHostAddressesAsync(Dns.GetHostName())).Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)))
            {
                using var probe = new TcpClient();
                await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(other, int.Parse(url.Groups[2].Value)));
            }
            using (var kill = Process.Start("kill", ["-TERM", $"{tool.Id}"])!)
                await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await tool.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(0, tool.ExitCode);
            Assert.Equal("mioos-mm explore: stopped", (await tool.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1))).Trim());
            Assert.Equal("", await tool.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            if (!tool.HasExited)
                tool.Kill();
        }
    }

    [Fact]
    public void A_port_in_use_is_one_line_and_exit_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var r = Support.Cli.Run("explore", "--port", $"{port}");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.StartsWith($"mioos-mm: error: cannot listen on 127.0.0.1:{port}", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("--port", "70000", "--port 70000")]
    [InlineData("--port", "-1", "--port -1")]
    [InlineData("--traces", "/no/such/dir", "--traces /no/such/dir: no such directory")]
    [InlineData("--cpu", "max36", "--cpu 'max36'")]
    public void Bad_options_exit_2_naming_the_option(string option, string value, string message)
    {
        var r = Support.Cli.Run("explore", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
