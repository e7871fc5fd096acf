namespace IsmFabric.Emulation;

/// <summary>
/// Layout of the shared state file <c>cec.state</c> that every process attached to an emulated CEC maps. Host byte
/// order: this is the emulator's own bookkeeping, not a device structure. Fields touched by more than one process
/// at a time are only accessed with atomic operations.
/// </summary>
internal static class CecLayout
{
    internal const ulong Magic = 0x3143_4543_4653_4D49; // "IMSFCEC1" little-endian
    // 2: IOMMU fault fields and mapped-page count in the function entry, and the I/O page table files
    // (lpars/<name>.iommu, see IommuMappings) beside the memory files.
    internal const uint Version = 2;

    internal const int MaxLpars = 64;
    internal const int MaxFunctions = 256;
    internal const int DmbCapacity = 65536; // token index 1..65535; 0 is never a token
    internal const long MinLparMemory = 4L << 20;
    internal const long MaxLparMemory = 4L << 30;
    internal const int MaxDmbLength = 1 << 20;
    internal const int PageSize = 4096;

    /// <summary>IOVA of the first byte of every LPAR's memory: the DMA window reported in ZPCI BASE.</summary>
    internal const ulong StartDma = 0x0000_0001_0000_0000UL;

    // Header
    internal const int HeaderSize = 4096;
    internal const int HMagic = 0;
    internal const int HVersion = 8;
    internal const int HLparCount = 12;
    internal const int HFunctionCount = 16;
    internal const int HNextToken = 20;
    internal const int HLockHolder = 24;   // i32: pid holding the CEC lock, 0 when free (set at the next Enter = its holder died inside)
    internal const int HPendingFrees = 28; // i32: DMB entries left Unregistering because a move into them had not finished

    // LPAR table
    internal const int LparTable = HeaderSize;
    internal const int LparEntrySize = 128;
    internal const int LName = 0;          // 32 bytes ASCII
    internal const int LNameLength = 32;
    internal const int LMemorySize = 32;   // u64
    internal const int LPid = 40;          // i32: the attached process, 0 when detached
    internal const int LEpoch = 44;        // u32: bumped at every attach
    internal const int LState = 48;        // i32: LparState

    // Function table
    internal const int FunctionTable = LparTable + (MaxLpars * LparEntrySize);
    internal const int FunctionEntrySize = 1024;
    internal const int FState = 0;         // i32: FunctionState
    internal const int FLpar = 4;          // i32: LPAR index
    internal const int FFid = 8;           // u32
    internal const int FChid = 12;         // u16
    internal const int FVfn = 14;          // u16
    internal const int FGid = 16;          // u64
    internal const int FPid = 24;          // i32: process using the function, 0 when free
    internal const int FEpoch = 28;        // u32: bumped at every open
    internal const int FSbaIova = 32;      // u64, 0 when not registered
    internal const int FIeqIova = 40;      // u64, 0 when not registered
    internal const int FIeqLength = 48;    // u32
    internal const int FIeqNext = 52;      // u32: the slot the next event goes to
    internal const int FVlanRequired = 56; // u32
    internal const int FVlanCount = 60;    // u32
    internal const int FVlans = 64;        // u16[64]
    internal const int MaxVlans = 64;
    internal const int FIrqCounter = 192;  // i32: the futex word; +1 per interrupt
    internal const int FIrqWaiters = 196;  // i32: processes sleeping on the futex
    internal const int FHazard = 200;      // u64: token a move of this function is writing into right now
    // 208..211: reserved (was the IEQ producer lock; events are posted under the CEC lock now)
    internal const int FDmbCount = 212;    // u32
    internal const int FFailCommands = 216;        // i32: how many next commands fail
    internal const int FFailCommandCode = 220;     // u32: only this command code fails (0 = any)
    internal const int FFailRet = 224;             // u32: the ret the failing commands answer
    internal const int FLoseInterrupts = 228;      // i32: how many next interrupts are lost
    internal const int FLoseInterruptPermille = 232; // u32: chance that an interrupt is lost
    internal const int FDelayInterruptUs = 236;    // u32: interrupts arrive this late
    internal const int FMoveDelayUs = 240;         // u32: every store of a move takes this long
    internal const int FStatMoves = 248;           // u64
    internal const int FStatMoveBytes = 256;       // u64
    internal const int FStatSignals = 264;         // u64
    internal const int FStatEvents = 272;          // u64
    internal const int FStatInterrupts = 280;      // u64
    internal const int FStatLostInterrupts = 288;  // u64
    internal const int FStatCommands = 296;        // u64
    internal const int FStatRejectedMoves = 304;   // u64
    internal const int FStatIommuFaults = 312;     // u64
    internal const int FPnetid = 320;              // 16 bytes ASCII
    internal const int FSbaSlots = 336;            // 1920-bit bitmap of sba_idx in use (240 bytes)
    internal const int FIommuFaultIova = 576;      // u64: the IOVA of the last IOMMU fault
    internal const int FIommuFaultKind = 584;      // u32: IommuFaultKind of the last IOMMU fault (0 = none yet)
    internal const int FMappedPages = 588;         // i32: pages of LPAR memory the function has mapped for DMA

    // DMB table
    internal const int DmbTable = FunctionTable + (MaxFunctions * FunctionEntrySize);
    internal const int DmbEntrySize = 64;
    internal const int DState = 0;         // i32: DmbState
    internal const int DOwner = 4;         // i32: owning function index
    internal const int DToken = 8;         // u64
    internal const int DIova = 16;         // u64
    internal const int DRgid = 24;         // u64
    internal const int DLength = 32;       // u32
    internal const int DSbaIndex = 36;     // u32
    internal const int DVlanValid = 40;    // u32
    internal const int DVlanId = 44;       // u32
    internal const int DRegisteredAt = 48; // i64 unix ms

    internal const long StateFileSize = DmbTable + ((long)DmbCapacity * DmbEntrySize);

    // ISM limits (spec §3.1)
    internal const int FirstDmbSlot = 32;
    internal const int SlotCount = 1920;
    internal const int MaxDmbsPerFunction = SlotCount - FirstDmbSlot; // 1888
}
