using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Shell;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm shell</c>: a booted machine to poke at, one command per line, typed at a prompt (with history, line
/// editing and Tab completion) or piped in as a script. Every spec function by its name, the reports, the integrity
/// walk and the pictures; with <c>--json</c> one JSON object per command.
/// </summary>
internal static class ShellCommand
{
    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var history = new Option<FileInfo?>("--history") { Description = "the history file of the interactive shell (default: ~/.local/state/mioos-mm/history)", HelpName = "FILE" };
        var command = new Command("shell", "Boot a simulated PC and run memory calls typed or piped in: alloc_frame, alloc_page, kmalloc, kfree, translate, query, check, map, heapmap, pagetables, ...").With(
        [
            "mioos-mm shell                                   # interactive: 'help' lists the calls; Up/Down, Ctrl-A/E/U/W, Tab",
            "printf 'kmalloc 100\\nalloc_frame 4\\ncheck\\n' | mioos-mm shell",
            "mioos-mm shell --json < script.txt               # one JSON object per call",
            "echo 'heapmap heap.svg 64' | mioos-mm shell -m 5G # a picture of the heap, where kmalloc(64) would go",
        ],
        [
            "0  every call succeeded",
            "1  the memory manager refused a call (the summary on stderr says which), or check found a fault",
            "2  bad input: an unknown command, a missing, extra or malformed argument (the line is named)",
        ]);
        command.Add(history);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            var session = new ShellSession(kernel);
            bool json = machine.WantsJson(result);
            Func<string?> read = t.In.ReadLine;
            if (t.InputIsInteractive)
            {
                t.Out.WriteLine($"MioOS.Memory shell on {kernel.Pc.Config.Description}; 'help' lists the calls, 'quit' ends.");
                var editor = new LineEditor(() => Console.ReadKey(intercept: true), t.Out, ShellSession.Completions,
                    result.GetValue(history)?.FullName ?? LineEditor.DefaultHistoryFile());
                read = () => editor.ReadLine("mioos> ");
            }
            return Run(t, session, read, json);
        }));
        return command;
    }

    /// <summary>Runs lines from <paramref name="read"/> until it returns null or a line says quit; returns the exit code.</summary>
    public static int Run(Terminal t, ShellSession session, Func<string?> read, bool json)
    {
        var refused = new List<string>();
        int badLines = 0, calls = 0;
        for (int lineNo = 1; ; lineNo++)
        {
            string? line = read();
            if (line is null)
                break;
            string[] words = ShellSession.Words(line);
            if (words.Length == 0 || words[0].StartsWith('#'))
                continue;
            if (words[0] is "quit" or "exit")
                break;
            calls++;
            try
            {
                ShellAnswer answer = session.Execute(words);
                t.Out.WriteLine(json ? answer.Json.ToJsonString() : answer.Text);
                if (!answer.Ok)
                    refused.Add($"line {lineNo}: {answer.Text}");
            }
            catch (Exception e) when (e is PageFaultException or MemoryWindowViolationException)
            {
                // What a kernel does when its memory manager faults: one line, and the machine stops.
                t.Error.WriteLine($"mioos-mm: shell line {lineNo}: {KernelFault.Describe(e, line.Trim())}; the machine stopped");
                if (json)
                    t.Out.WriteLine(new JsonObject { ["command"] = line.Trim(), ["ok"] = false, ["fault"] = KernelFault.Describe(e, line.Trim()) }.ToJsonString());
                return ExitCodes.Failed;
            }
            catch (UsageException e)
            {
                badLines++;
                t.Error.WriteLine($"mioos-mm: shell line {lineNo}: {e.Message}");
                if (json)
                    t.Out.WriteLine(new JsonObject { ["command"] = line.Trim(), ["ok"] = false, ["error"] = e.Message }.ToJsonString());
            }
            catch (IOException e)
            {
                badLines++;
                t.Error.WriteLine($"mioos-mm: shell line {lineNo}: cannot write the file: {e.Message}");
            }
            catch (UnauthorizedAccessException)
            {
                badLines++;
                t.Error.WriteLine($"mioos-mm: shell line {lineNo}: cannot write the file: permission denied");
            }
        }
        if (refused.Count > 0)
            t.Error.WriteLine($"mioos-mm: shell: {refused.Count} of {Reports.Fmt.Count((ulong)calls, "call")} refused ({string.Join("; ", refused)})");
        if (badLines > 0)
            t.Error.WriteLine($"mioos-mm: shell: {Reports.Fmt.Count((ulong)badLines, "line")} with bad input");
        return badLines > 0 ? ExitCodes.BadInput : refused.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
