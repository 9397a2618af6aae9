using MioOS.Memory.Fuzz;
using SharpFuzz;

// mioos-fuzz TARGET                          run under afl-fuzz (input on stdin; once, without afl-fuzz)
// mioos-fuzz seeds TARGET DATA_DIR OUT_DIR   write the starting corpus made from the repository's data
// mioos-fuzz replay TARGET FILE...           run inputs outside afl-fuzz and say what each does
// mioos-fuzz instrument TARGET               the assemblies and type prefixes to instrument, one assembly a line
// mioos-fuzz list                            the targets
// mioos-fuzz names all|ci                     the names of every target, or of those in the short CI run
return Cli.Dispatch(args);

internal static class Cli
{
    public static int Dispatch(string[] args)
    {
        if (args.Length == 1 && args[0] == "list")
        {
            foreach (FuzzTarget t in FuzzTarget.All)
                Console.WriteLine($"{t.Name,-8} {t.Description}{(t.NotInShortRun is { } why ? $" (not in the CI run: {why})" : "")}");
            return 0;
        }
        if (args.Length == 2 && args[0] == "names" && args[1] is "all" or "ci")
        {
            foreach (FuzzTarget t in FuzzTarget.All.Where(t => args[1] == "all" || t.NotInShortRun is null))
                Console.WriteLine(t.Name);
            return 0;
        }
        if (args.Length == 4 && args[0] == "seeds" && Target(args[1]) is { } seeded)
        {
            Directory.CreateDirectory(args[3]);
            int n = 0;
            foreach (var (name, bytes) in seeded.Seeds(args[2]))
            {
                File.WriteAllBytes(Path.Combine(args[3], name), bytes);
                n++;
            }
            Console.WriteLine($"{n} seeds for {seeded.Name} in {args[3]}");
            return n > 0 ? 0 : 1;
        }
        if (args.Length >= 3 && args[0] == "replay" && Target(args[1]) is { } replayed)
            return Replay(replayed, args[2..]);
        if (args.Length == 2 && args[0] == "instrument" && Target(args[1]) is { } instrumented)
        {
            foreach (var (assembly, prefixes) in instrumented.Instrument)
                Console.WriteLine(string.Join(' ', [assembly, .. prefixes]));
            return 0;
        }
        if (args.Length == 1 && Target(args[0]) is { } fuzzed)
        {
            Fuzzer.Run(stream =>
            {
                var input = new MemoryStream();
                stream.CopyTo(input);
                fuzzed.Run(input.GetBuffer().AsSpan(0, (int)input.Length));
            });
            return 0;
        }
        Console.Error.WriteLine("usage: mioos-fuzz TARGET | seeds TARGET DATA_DIR OUT_DIR | replay TARGET FILE... | instrument TARGET | list | names all|ci");
        return 2;
    }

    private static FuzzTarget? Target(string name)
    {
        FuzzTarget? t = FuzzTarget.Find(name);
        if (t is null)
            Console.Error.WriteLine($"no target {name}; targets: {string.Join(", ", FuzzTarget.All.Select(x => x.Name))}");
        return t;
    }

    /// <summary>Runs each file once; prints "ok" or the finding (type, message, where), and fails if any was found.</summary>
    private static int Replay(FuzzTarget target, string[] files)
    {
        int found = 0;
        foreach (string file in files.SelectMany(f => Directory.Exists(f) ? Directory.GetFiles(f).Order(StringComparer.Ordinal).ToArray() : new[] { f }))
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: ok");
            }
            catch (Exception e)
            {
                found++;
                Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}{Where(e)}");
            }
        }
        return found == 0 ? 0 : 1;
    }

    /// <summary>The innermost frame of the code under test (not the harness, not the memory window it reads through).</summary>
    private static string Where(Exception e)
    {
        string? frame = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l =>
            l.StartsWith("at MioOS.Memory.", StringComparison.Ordinal) && !l.StartsWith("at MioOS.Memory.Fuzz.", StringComparison.Ordinal)
            && !l.StartsWith("at MioOS.Memory.Platform.MemoryWindow.", StringComparison.Ordinal));
        return frame is null ? "" : $" ({frame[3..]})";
    }
}
