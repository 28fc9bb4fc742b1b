#if MPI
import CMPI
import Foundation
import NeuralNet

/// Data-parallel training over MPI: one process per rank (`mpirun -np 4 ...`), each with a
/// replica of the model, its shard of every global batch, and gradients summed with one
/// `MPI_Allreduce` per step in a flat buffer kept from step to step.
///
/// ```swift
/// let mpi = try MPIStrategy()                      // MPI_Init; MPI_Finalize when released
/// try model.fit(data, epochs: 5, batchSize: 256, seed: 1, distribution: mpi,
///               progress: mpi.rank == 0 ? .automatic : .silent)
/// if mpi.rank == 0 { try model.save(to: "model.safetensors") }
/// ```
///
/// Create one per process and keep it for the process's life: MPI can be initialised once.
public final class MPIStrategy: DistributionStrategy {
    public let rank: Int
    public let processCount: Int
    /// The time spent in the gradients' all-reduce so far, in seconds.
    public private(set) var allReduceSeconds: Double = 0
    /// The number of gradient all-reduces so far.
    public private(set) var allReduceCount = 0
    private var buffer: [Float] = []

    /// Initialises MPI (`MPI_Init`) and reads this process's rank and the number of processes.
    public init() throws {
        var initialised: Int32 = 0
        MPI_Initialized(&initialised)
        if initialised == 0 {
            guard MPI_Init(nil, nil) == nn_mpi_success() else {
                throw NeuralNetError.invalidArgument("MPI_Init failed; is this process started by mpirun?")
            }
        }
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(nn_mpi_comm_world(), &rank)
        MPI_Comm_size(nn_mpi_comm_world(), &size)
        self.rank = Int(rank)
        self.processCount = Int(size)
    }

    deinit { MPI_Finalize() }

    /// Ends every process of the job with `code` (after an error on any of them, so that none
    /// waits for it forever).
    public func abort(code: Int32 = 1) -> Never {
        MPI_Abort(nn_mpi_comm_world(), code)
        exit(code)
    }

    private func check(_ result: Int32, _ what: String) throws {
        guard result == nn_mpi_success() else { throw NeuralNetError.invalidArgument("MPI: \(what) failed with code \(result)") }
    }

    public func broadcast(_ parameters: [Parameter]) throws {
        for parameter in parameters where parameter.count > 0 {
            var scalars = parameter.value.scalars
            try scalars.withUnsafeMutableBufferPointer { scalars in
                try check(MPI_Bcast(scalars.baseAddress, Int32(scalars.count), nn_mpi_float(), 0, nn_mpi_comm_world()), "MPI_Bcast of weights")
            }
            parameter.value = Tensor(shape: parameter.shape, scalars: scalars)
        }
    }

    public func broadcast(order: inout [Int]) throws {
        var values = order.map(Int64.init)
        try values.withUnsafeMutableBufferPointer { values in
            try check(MPI_Bcast(values.baseAddress, Int32(values.count), nn_mpi_long_long(), 0, nn_mpi_comm_world()), "MPI_Bcast of the order")
        }
        order = values.map { Int($0) }
    }

    public func sumGradients(_ parameters: [Parameter]) throws {
        let total = parameters.reduce(0) { $0 + $1.count }
        if buffer.count != total { buffer = [Float](repeating: 0, count: total) }
        var offset = 0
        buffer.withUnsafeMutableBufferPointer { flat in
            for parameter in parameters {
                parameter.copyGradient(to: flat.baseAddress! + offset)
                offset += parameter.count
            }
        }
        let start = Date()
        try buffer.withUnsafeMutableBufferPointer { flat in
            try check(MPI_Allreduce(nn_mpi_in_place(), flat.baseAddress, Int32(flat.count), nn_mpi_float(), nn_mpi_sum(), nn_mpi_comm_world()),
                      "MPI_Allreduce of gradients")
        }
        allReduceSeconds += Date().timeIntervalSince(start)
        allReduceCount += 1
        offset = 0
        buffer.withUnsafeBufferPointer { flat in
            for parameter in parameters {
                parameter.setGradient(from: flat.baseAddress! + offset)
                offset += parameter.count
            }
        }
    }

    public func sum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { values in
            try check(MPI_Allreduce(nn_mpi_in_place(), values.baseAddress, Int32(values.count), nn_mpi_double(), nn_mpi_sum(), nn_mpi_comm_world()),
                      "MPI_Allreduce of totals")
        }
    }
}
#endif
