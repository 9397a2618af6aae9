using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using MioOS.Memory.Cli.Explore;
using MioOS.Memory.Cli.Io;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm explore</c>: boots a simulated PC and serves a page on 127.0.0.1 that shows it live (physical
/// memory, the page directory and tables, the heap), takes every shell command, and plays traces.
/// </summary>
internal static class ExploreCommand
{
    /// <summary>The port the page is served on unless <c>--port</c> says otherwise.</summary>
    public const int DefaultPort = 5280;

    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions(json: false);
        var paging = new PagingOptions();
        var port = new Option<int>("--port") { Description = "the port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => DefaultPort, HelpName = "N" };
        var open = new Option<bool>("--open") { Description = "open the page in the desktop's browser" };
        var traces = new Option<DirectoryInfo?>("--traces") { Description = "the traces the page can play (default: data/traces of the checkout)", HelpName = "DIR" };
        var command = new Command("explore", "Serve a page on 127.0.0.1 that shows the memory manager working live: physical memory, page tables and heap drawn as they change, a console for every shell command, a trace player").With(
        [
            "mioos-mm explore --open                 # http://127.0.0.1:5280/ in the browser; Ctrl-C stops",
            "mioos-mm explore -m 5G --cpu max        # high memory, 4 MiB pages above 4 GiB",
            "mioos-mm explore --port 0               # any free port (the URL is printed)",
        ],
        [
            "0  stopped with Ctrl-C (or SIGTERM)",
            "1  the server could not start (the port is taken)",
            "2  bad input: an option, a machine that cannot boot",
        ]);
        command.Add(port);
        command.Add(open);
        command.Add(traces);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            int portNumber = result.GetValue(port);
            if (portNumber is < 0 or > 65535)
                throw new UsageException($"--port {portNumber}: give a TCP port, 1 to 65535 (0: any free one)");
            var library = TraceLibrary.Find(result.GetValue(traces)?.FullName);
            using var session = new ExploreSession(machine.Resolve(result), paging.Resolve(result), library);
            ExploreServer server;
            try
            {
                server = ExploreServer.StartAsync(session, portNumber).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                // Kestrel's "Failed to bind to address ...: address already in use" (or not permitted).
                t.Fail($"cannot listen on 127.0.0.1:{portNumber}: {(e.InnerException ?? e).Message} (give another --port, or 0 for any free one)");
                return ExitCodes.Failed;
            }
            using var stop = new ManualResetEventSlim();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
            t.Line($"mioos-mm explore: {server.Url} ({session.Config.Description}, {session.Cpu.Name}); Ctrl-C stops");
            t.Out.Flush();
            if (result.GetValue(open))
                Open(t, server.Url);
            stop.Wait();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            t.Line("mioos-mm explore: stopped");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Open(Terminal t, string url)
    {
        try
        {
            using var _ = Process.Start(new ProcessStartInfo(url) { UseShellExecute = true });
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            t.Line($"mioos-mm explore: no browser could be started ({e.Message}); open {url} yourself");
        }
    }
}
