using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Physical;

/// <summary><c>free_frame</c> with the VMM attached removes the identity mapping the PMM made for
/// <c>alloc_frame(n, identity_map: true)</c>, and only that: a mapping the caller made itself is the caller's.</summary>
public class PmmIdentityMapTests
{
    [Fact]
    public void Freeing_an_identity_mapped_run_unmaps_it()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = PagingMachine.Start(pc);
        var mapper = m.Mapper();
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(2, identityMap: true, ref mapper, out PhysicalAddress run));
        Assert.True(m.Vmm.IsMapped(new VirtualAddress((uint)run.Value + Frames.Size)));
        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(run, ref mapper));
        Assert.False(m.Vmm.IsMapped(new VirtualAddress((uint)run.Value)));
        Assert.False(m.Vmm.IsMapped(new VirtualAddress((uint)run.Value + Frames.Size)));
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Freeing_a_run_the_pmm_did_not_map_leaves_the_callers_own_mapping_alone()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = PagingMachine.Start(pc);
        var mapper = m.Mapper();
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(1, identityMap: false, ref mapper, out PhysicalAddress frame));
        var page = new VirtualAddress((uint)frame.Value);
        Assert.False(m.Vmm.IsMapped(page));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(page, frame, PageFlags.Writable)); // the caller maps it, at its own address
        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(frame, ref mapper));
        Assert.True(m.Vmm.IsMapped(page));
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }
}
