using System;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Commands;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Cli.Shell;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Pictures;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Cli.Explore;

/// <summary>
/// The one machine the page shows: booted from the command's options, driven by the shell's commands (the same
/// <see cref="ShellSession"/> as <c>mioos-mm shell</c>), drawn by the pictures, and replaying a trace on request.
/// Requests come in on several threads; every call takes one lock, so each sees the machine between two calls.
/// </summary>
internal sealed class ExploreSession : IDisposable
{
    private readonly object _gate = new();
    private KernelMachine _machine;
    private ShellSession _shell;
    private TracePlayer? _player;
    private string? _fault;
    private long _version;

    /// <summary>Boots <paramref name="config"/> on <paramref name="cpu"/>; traces come from <paramref name="traces"/>.</summary>
    public ExploreSession(MachineConfig config, CpuModel cpu, TraceLibrary traces)
    {
        Config = config;
        Cpu = cpu;
        Traces = traces;
        _machine = KernelMachine.Boot(config, cpu);
        _shell = new ShellSession(_machine, writesPictures: false);
    }

    public MachineConfig Config { get; }

    public CpuModel Cpu { get; }

    public TraceLibrary Traces { get; }

    /// <summary>The machine, the heap's and the PMM's figures, the trace player, and a version that changes with every change.</summary>
    public JsonObject State()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["version"] = _version,
                ["machine"] = Config.Description,
                ["cpu"] = Cpu.Name,
                ["fault"] = _fault,
                ["heap"] = Read("heapinfo", () => HeapReport.Boot(_machine.Heap)),
                ["pmm"] = Read("meminfo", () => MachineReport.Pmm(_machine.Pc)),
                ["trace"] = _player is null ? null : Read("the trace's figures", _player.Json),
            };
        }
    }

    /// <summary>The picture named <paramref name="name"/> of the machine now (map, heapmap, pagetables).</summary>
    public string Picture(string name, uint next, uint? slot)
    {
        lock (_gate)
        {
            try
            {
                return name switch
                {
                    "map" => PhysicalMapSvg.Render(_machine.Pc),
                    "heapmap" => HeapMapSvg.Render(_machine.Heap, next, Title()),
                    "pagetables" => PageTablesSvg.Render(_machine.Paging, slot),
                    _ => throw new ApiException(ApiException.BadRequest, $"no picture named '{TraceLibrary.Truncate(name)}' (map, heapmap, pagetables)"),
                };
            }
            catch (Exception e) when (e is PageFaultException or MemoryWindowViolationException)
            {
                throw new ApiException(ApiException.Conflict, $"the {name} picture cannot be drawn: {KernelFault.Describe(e, name)}");
            }
        }
    }

    /// <summary>
    /// A report read through the machine's memory, or what faulted: a console call can unmap what the kernel's
    /// own structures live in (<c>free_page 0x200000</c> takes the heap's first page away), and the kernel then
    /// faults on its next touch of them, as the page says, while the rest of the state is still shown.
    /// </summary>
    private static JsonNode Read(string what, Func<JsonObject> report)
    {
        try
        {
            return report();
        }
        catch (Exception e) when (e is PageFaultException or MemoryWindowViolationException)
        {
            return new JsonObject { ["fault"] = KernelFault.Describe(e, what) };
        }
    }

    /// <summary>The heap's and the PMM's counters, or null when reading them faults.</summary>
    private (HeapStats, PmmStats)? Counters()
    {
        try
        {
            return (_machine.Heap.Stats(), _machine.Pc.Pmm.Stats);
        }
        catch (Exception e) when (e is PageFaultException or MemoryWindowViolationException)
        {
            return null;
        }
    }

    private string Title() =>
        _player is null ? Config.Description : $"{Config.Description}, after {_player.Position:N0} events of {_player.Name}";

    /// <summary>
    /// Runs one shell command line. The answer is the shell's (a refused call is an answer with ok false); a
    /// malformed line is <see cref="ApiException"/> 400; a kernel fault stops the machine, as it would a kernel.
    /// </summary>
    public JsonObject Command(string line)
    {
        string[] words = ShellSession.Words(line);
        if (words.Length == 0 || words[0].StartsWith('#'))
            throw new ApiException(ApiException.BadRequest, "no command on the line ('help' lists the calls)");
        if (words[0] is "quit" or "exit")
            throw new ApiException(ApiException.BadRequest, $"'{words[0]}' ends a terminal shell; here, close the page (Ctrl-C stops explore)");
        lock (_gate)
        {
            Running();
            var before = _player is null ? null : Counters();
            try
            {
                ShellAnswer answer = _shell.Execute(words);
                // A call that changed the heap or the PMM changes what the trace's figures measure.
                Changed(touched: _player is not null && (before is null || !before.Equals(Counters())));
                return new JsonObject { ["ok"] = answer.Ok, ["text"] = answer.Text, ["answer"] = answer.Json };
            }
            catch (UsageException e)
            {
                throw new ApiException(ApiException.BadRequest, e.Message);
            }
            catch (Exception e) when (e is PageFaultException or MemoryWindowViolationException)
            {
                _fault = KernelFault.Describe(e, string.Join(' ', words));
                _version++;
                return new JsonObject { ["ok"] = false, ["text"] = $"{_fault}; the machine stopped", ["fault"] = _fault };
            }
        }
    }

    /// <summary>The walk of linear address <paramref name="address"/> through the directory and a table, as <c>translate --json</c> gives it.</summary>
    public JsonObject Walk(uint address)
    {
        lock (_gate)
            return TranslateCommand.Json(_machine.Paging, address, AccessKind.Read, user: false);
    }

    /// <summary>A freshly booted machine of the same configuration; the trace, if any, is put away.</summary>
    public void Reboot()
    {
        lock (_gate)
        {
            Replace(KernelMachine.Boot(Config, Cpu));
            _player = null;
        }
    }

    /// <summary>Reboots on the machine <c>mioos-mm replay</c> uses and loads the trace named <paramref name="name"/> at event 0.</summary>
    public void LoadTrace(string name)
    {
        lock (_gate)
        {
            TraceEvent[] events = Traces.Load(name);
            Replace(TraceReplayer.BootMachine(Config, Cpu));
            _player = new TracePlayer(name, events, _machine);
        }
    }

    /// <summary>Plays up to <paramref name="count"/> more events of the loaded trace.</summary>
    public void Step(long count)
    {
        lock (_gate)
        {
            Running();
            Player().Step(count);
            Changed(touched: false);
        }
    }

    /// <summary>Moves the trace to event <paramref name="position"/>: onwards by playing, backwards by replaying from a fresh boot.</summary>
    public void Seek(long position)
    {
        lock (_gate)
        {
            TracePlayer player = Player();
            if (position < 0 || position > player.Count)
                throw new ApiException(ApiException.BadRequest, $"position {position}: the trace has {player.Count:N0} events (0 to {player.Count})");
            if (position < player.Position || player.Touched || _fault is not null)
            {
                Replace(TraceReplayer.BootMachine(Config, Cpu));
                _player = player = new TracePlayer(player.Name, Traces.Load(player.Name), _machine);
            }
            player.Step(position - player.Position);
            Changed(touched: false);
        }
    }

    private TracePlayer Player() =>
        _player ?? throw new ApiException(ApiException.BadRequest, "no trace is loaded (load one first)");

    private void Running()
    {
        if (_fault is not null)
            throw new ApiException(ApiException.Conflict, $"the machine stopped after a kernel fault ({_fault}); reboot it");
    }

    private void Changed(bool touched)
    {
        if (touched && _player is not null)
            _player.Touched = true;
        _version++;
    }

    private void Replace(KernelMachine machine)
    {
        _machine.Dispose();
        _machine = machine;
        _shell = new ShellSession(machine, writesPictures: false);
        _fault = null;
        _version++;
    }

    public void Dispose()
    {
        lock (_gate)
            _machine.Dispose();
    }
}
