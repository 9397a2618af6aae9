using CsCheck;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Physical;

/// <summary>Random alloc/free sequences on real maps: the PMM answers exactly as the plain first-fit model does.</summary>
public class PmmPropertyTests
{
    private enum Kind { Alloc, AllocAligned, AllocHigh, Free, FreeBad }

    private sealed record Op(Kind Kind, uint Count, int AlignShift, int Pick, ulong Offset);

    private static readonly Gen<Op> GenOp = Gen.Select(
        Gen.Frequency((6, Gen.Const(Kind.Alloc)), (2, Gen.Const(Kind.AllocAligned)), (2, Gen.Const(Kind.AllocHigh)), (6, Gen.Const(Kind.Free)), (1, Gen.Const(Kind.FreeBad))),
        Gen.Frequency((8, Gen.UInt[0, 8]), (3, Gen.UInt[9, 300]), (1, Gen.UInt[301, 40000])),
        Gen.Int[0, 10],
        Gen.Int[0, 1000],
        Gen.ULong[0, 1ul << 33],
        (k, c, a, p, o) => new Op(k, c, a, p, o));

    public static TheoryData<string> Maps => new()
    {
        "default-128M",
        "01-qemu-q35-seabios.txt",
        "18-dell-inspiron-1545-unaligned.txt",
        "23-asrock-b450-ryzen-type20.txt",
    };

    private static string? MapFile(string name) => name == "default-128M" ? null : TestData.MemoryMap(name);

    private static MachineConfig Config(string name) =>
        MapFile(name) is { } path ? MachineConfig.ForMemoryMapFile(path) : MachineConfig.Default;

    [Theory]
    [MemberData(nameof(Maps))]
    public void Same_answers_as_the_first_fit_model_and_integrity_after_every_step(string map)
    {
        MachineConfig config = Config(map);
        string? file = MapFile(map);
        GenOp.Array[1, 120].Sample(ops =>
        {
            using SimulatedPc pc = SimulatedPc.Boot(config);
            PhysicalMemoryManager pmm = pc.Pmm;
            var model = new PmmModel(PmmSeed.Of(pc, file));
            PmmAssert.SameAs(model, pmm);
            var live = new List<ulong>();
            foreach (Op op in ops)
            {
                switch (op.Kind)
                {
                    case Kind.Alloc or Kind.AllocAligned or Kind.AllocHigh:
                    {
                        FrameRegion region = op.Kind == Kind.AllocHigh ? FrameRegion.High : FrameRegion.Low;
                        uint align = op.Kind == Kind.AllocAligned ? 1u << op.AlignShift : 1;
                        PmmStatus want = model.Alloc(op.Count, region, align, out ulong expected);
                        PmmStatus got = pmm.AllocFrames(op.Count, region, align, out PhysicalAddress address);
                        Assert.Equal(want, got);
                        Assert.Equal(expected, address.Value);
                        if (got == PmmStatus.Ok)
                            live.Add(address.Value);
                        break;
                    }
                    case Kind.Free when live.Count > 0:
                    {
                        int i = op.Pick % live.Count;
                        ulong a = live[i];
                        live.RemoveAt(i);
                        Assert.Equal(model.Free(a), pmm.FreeFrame(new PhysicalAddress(a)));
                        break;
                    }
                    case Kind.Free or Kind.FreeBad:
                    {
                        // A foreign, interior, misaligned or already-freed address: same verdict, nothing changes.
                        ulong a = op.Pick % 3 == 0 && live.Count > 0 ? live[op.Pick % live.Count] + op.Offset % 0x3000 : op.Offset;
                        if (live.Contains(a))
                            break;
                        Assert.Equal(model.Free(a), pmm.FreeFrame(new PhysicalAddress(a)));
                        break;
                    }
                }
                PmmAssert.Intact(pmm);
            }
            PmmAssert.SameAs(model, pmm);
        }, iter: 500);
    }

    [Fact]
    public void Freeing_everything_in_any_order_restores_the_initial_extents()
    {
        Gen.Select(Gen.UInt[1, 64].Array[1, 200], Gen.Int.Array[200]).Sample((sizes, order) =>
        {
            using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
            var initial = new PmmModel(PmmSeed.Of(pc)).Free(FrameRegion.Low);
            var live = new List<ulong>();
            foreach (uint n in sizes)
            {
                Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(n, out PhysicalAddress a));
                live.Add(a.Value);
            }
            for (int i = 0; live.Count > 0; i++)
            {
                int pick = (int)((uint)order[i % order.Length] % (uint)live.Count);
                Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(new PhysicalAddress(live[pick])));
                live.RemoveAt(pick);
            }
            Assert.Equal(initial, PmmAssert.Free(pc.Pmm, FrameRegion.Low));
            PmmAssert.Intact(pc.Pmm);
        }, iter: 40);
    }
}
