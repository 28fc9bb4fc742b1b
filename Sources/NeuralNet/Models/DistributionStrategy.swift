/// How `fit` spreads one model over several processes that each hold a replica (data
/// parallelism, as PyTorch's DistributedDataParallel or Horovod): every process takes its
/// shard of each global batch, and the gradients are summed across processes before each
/// identical update. `fit(..., distribution:)` calls it at the training loop's seams; without
/// one, training runs in this process alone. `NeuralNetMPI` provides one over MPI.
public protocol DistributionStrategy: AnyObject {
    /// This process's index, from 0; process 0 is the one that prints and writes files.
    var rank: Int { get }
    /// The number of processes.
    var processCount: Int { get }
    /// Gives every process process 0's values of `parameters` (the initial weights).
    func broadcast(_ parameters: [Parameter]) throws
    /// Gives every process process 0's order of samples for an epoch.
    func broadcast(order: inout [Int]) throws
    /// Replaces each parameter's gradient by its sum over the processes (a process without a
    /// gradient for it adds zeros).
    func sumGradients(_ parameters: [Parameter]) throws
    /// Replaces `values` by their element-wise sums over the processes.
    func sum(_ values: inout [Double]) throws
}

extension DistributionStrategy {
    /// This process's contiguous part of a global batch: part `rank` of `processCount` parts
    /// whose sizes differ by at most one (the same split as `fit(accumulationSteps:)`, so that
    /// two processes compute exactly what one process accumulating two parts does).
    public func shard(of batch: ArraySlice<Int>) -> ArraySlice<Int> {
        let (count, start) = (batch.count, batch.startIndex)
        return batch[(start + rank * count / processCount)..<(start + (rank + 1) * count / processCount)]
    }
}
