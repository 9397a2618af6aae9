using System;
using System.CommandLine;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Hosting.Stress;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm stress</c>: threads on CPUs of their own contending on one machine's heap, PMM and VMM, with
/// every answer checked, the audit after, and the throughput per thread count.</summary>
internal static class StressCommand
{
    public static Command Create(Terminal t)
    {
        var threads = new Option<int[]>("--threads")
        {
            Description = "thread counts to run, one fresh machine each (each thread on a simulated CPU of its own)",
            DefaultValueFactory = _ => [2, 4, 8],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "N",
        };
        var calls = new Option<long>("--calls")
        {
            Description = "calls on the memory manager each thread makes",
            DefaultValueFactory = _ => 100_000,
            HelpName = "N",
        };
        var seed = new Option<int>("--seed") { Description = "seeds every thread's choices", DefaultValueFactory = _ => 1, HelpName = "N" };
        var direct = new Option<bool>("--direct")
        {
            Description = "heap and PMM reach their identity-mapped memory through the direct window, not each CPU's MMU " +
                "(measures the memory manager more than the simulator; the VMM always walks through the MMU)",
        };
        var machine = new MachineOptions();
        var command = new Command("stress", "Threads on CPUs of their own making mixed heap, PMM and VMM calls on one machine at once: every answer checked, nothing lost, throughput")
        {
            threads, calls, seed, direct,
        }.With(
        [
            "mioos-mm stress                                 # 2, 4 and 8 threads x 100,000 calls each",
            "mioos-mm stress --threads 8 --calls 1000000 --direct",
            "mioos-mm stress --threads 1 2 4 8 --json",
        ],
        [
            "0  every answer was right and the audit after found nothing lost",
            "1  a wrong answer (a block, run or page handed out twice or changed), or the audit found a leak",
            "2  bad input (an option)",
        ]);
        machine.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            int[] counts = result.GetValue(threads)!;
            long perThread = result.GetValue(calls);
            if (counts.Length == 0 || counts.Any(n => n < 1 || n > 64))
                throw new UsageException("--threads: give thread counts from 1 to 64");
            if (perThread < 1)
                throw new UsageException($"--calls {perThread}: give a positive number of calls");
            bool json = machine.WantsJson(result);
            var config = machine.Resolve(result);
            var answers = new JsonArray();
            var table = Fmt.NewTable("threads", "calls", "calls/s", "µs/call", "lock waits", "shootdowns", "heap grew / gave back", "result");
            int exit = ExitCodes.Ok;
            foreach (int n in counts)
            {
                StressReport r = ContentionStress.Run(n, perThread, result.GetValue(seed), checkedHeap: !result.GetValue(direct), config);
                if (!r.Ok)
                    exit = ExitCodes.Failed;
                if (json)
                    answers.Add(Json(r, config.Description, !result.GetValue(direct)));
                else
                    table.AddRow($"{n}", $"{r.Calls:N0}", $"{r.CallsPerSecond:N0}", $"{1e6 / r.CallsPerSecond * n:0.0}", $"{r.LockWaits:N0}",
                        $"{r.Shootdowns:N0}", $"{r.HeapGrows} / {r.HeapReleases}", r.Ok ? "[green]ok[/]" : $"[red]{Markup.Escape(r.Failure!)}[/]");
            }
            if (json)
                JsonOutput.Write(answers, t.Out);
            else
            {
                t.Out.WriteLine($"{config.Description}, {(result.GetValue(direct) ? "direct window for heap and PMM" : "every access through each CPU's MMU")}, seed {result.GetValue(seed)}");
                t.Write(table);
            }
            return exit;
        }));
        return command;
    }

    private static JsonObject Json(StressReport r, string machine, bool checkedAccess) => new()
    {
        ["machine"] = machine,
        ["threads"] = r.Threads,
        ["checked"] = checkedAccess,
        ["calls"] = r.Calls,
        ["heapCalls"] = r.HeapCalls,
        ["pmmCalls"] = r.PmmCalls,
        ["vmmCalls"] = r.VmmCalls,
        ["seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
        ["callsPerSecond"] = Math.Round(r.CallsPerSecond),
        ["lockWaits"] = r.LockWaits,
        ["shootdowns"] = r.Shootdowns,
        ["heapGrows"] = r.HeapGrows,
        ["heapReleases"] = r.HeapReleases,
        ["ok"] = r.Ok,
        ["failure"] = r.Failure,
    };
}
