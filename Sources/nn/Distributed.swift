#if MPI
import Foundation

/// How `nn` tells that `mpirun` (Open MPI or MPICH) started it: each sets a variable of its own
/// in every process it launches.
enum Distributed {
    static var isLaunchedByMPIRun: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"].contains { environment[$0] != nil }
    }
}
#endif
