using System;
using System.Collections.Generic;
using System.Globalization;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// <c>pmm-loop EXTENTS OPERATION [CALLS] [ROUNDS]</c>: one PMM benchmark operation (<c>two</c>: alloc(2) + free,
/// <c>one</c>: alloc(1) + free) on <see cref="PmmHoles"/>, CALLS times per round, and the thread's CPU ns per call
/// of each round and their median. Without BenchmarkDotNet's child processes, so <c>perf</c> can sample it
/// (<c>bench/profile-pmm.sh</c>) and interleaved runs of two builds compare CPU time on a busy machine.
/// </summary>
public static class PmmLoop
{
    /// <summary>Runs the loop; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length < 2 || !int.TryParse(args[0], out int extents) || args[1] is not ("one" or "two"))
        {
            Console.Error.WriteLine("usage: pmm-loop EXTENTS one|two [CALLS] [ROUNDS]");
            return 2;
        }
        int calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000_000;
        int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        using PmmHoles holes = PmmHoles.Make(extents);
        bool two = args[1] == "two";
        // Warm-up: the JIT's tiers settle before the first measured round.
        Loop(holes, two, calls / 4 + 1000);
        var perCall = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            long from = ThreadCpuClock.Now();
            Loop(holes, two, calls);
            perCall.Add((ThreadCpuClock.Now() - from) / (double)calls);
        }
        perCall.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pmm-loop {extents} {args[1]}: median {perCall[perCall.Count / 2]:F1} CPU ns per call (rounds: {string.Join(", ", perCall.ConvertAll(x => x.ToString("F1", CultureInfo.InvariantCulture)))})"));
        return 0;
    }

    private static void Loop(PmmHoles holes, bool two, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            if (two)
                holes.AllocTwoAndFree();
            else
                holes.AllocOneAndFree();
        }
    }
}
