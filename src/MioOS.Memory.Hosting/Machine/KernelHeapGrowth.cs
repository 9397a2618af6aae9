global using KernelHeapGrowth = MioOS.Memory.Heap.PmmHeapGrowth<MioOS.Memory.Virtual.VmmFrameMapper<MioOS.Memory.Hosting.Cpu.SimulatedCpuPort, MioOS.Memory.Virtual.PmmPageTableFrames>>;
