using System;
using System.IO;
using System.IO.Compression;
using MioOS.Memory.Hosting.Malloc;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Tests.Traces;

/// <summary>The trace recorder (tools/malloc-trace): a small C program's calls give the trace the format
/// (data/traces/README.md) prescribes, line for line, and the trace parses.</summary>
public class MallocTraceShimTests
{
    private static string Root => MioOS.Memory.Hosting.Metal.KernelBuild.Locate(AppContext.BaseDirectory).RepositoryRoot;

    [Fact]
    public void A_programs_calls_are_recorded_in_the_trace_format()
    {
        string scratch = Directory.CreateTempSubdirectory("mioos-trace-").FullName;
        try
        {
            string program = Path.Combine(scratch, "trace-calls");
            CommandResult cc = PreloadRun.Run("gcc", ["-O0", "-fno-builtin", "-o", program, Path.Combine(Root, "tests", "MioOS.Memory.Tests", "Traces", "programs", "trace-calls.c")], null);
            Assert.True(cc.ExitCode == 0, cc.StandardError);
            string trace = Path.Combine(scratch, "calls.trace.gz");

            CommandResult r = PreloadRun.Run(Path.Combine(Root, "tools", "malloc-trace", "record.sh"), [trace, "--", program], null);

            Assert.True(r.ExitCode == 0, r.StandardError);
            string[] expected =
            [
                "m 0 10",          // malloc(10)
                "c 1 3 8",         // calloc(3, 8)
                "r 0 2 100",       // realloc(a, 100): a new ID
                "r - 3 5",         // realloc(NULL, 5); free(NULL) is not logged
                "a 4 64 30",       // posix_memalign(64, 30)
                "a 5 128 256",     // aligned_alloc(128, 256)
                "a 6 32 40",       // memalign(32, 40)
                "f 1",             // free(b)
                "f 3",             // realloc(c, 0) frees c; the forked child's calls are not logged
                "f 2", "f 4", "f 5", "f 6",
                "m 7 1048576", "f 7",
            ];
            Assert.Equal(expected, Lines(trace));
            TraceEvent[] events = TraceParser.ParseFile(trace);
            Assert.Equal(expected.Length, events.Length);
            Assert.Contains("| calls.trace.gz | 15 | 2 / 1 / 2 / 7 / 3 |", r.StandardError);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string[] Lines(string gzipped)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipped), CompressionMode.Decompress));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
