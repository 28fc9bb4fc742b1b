import NeuralNetKernels

/// How many threads the kernels may use: `NEURALNET_THREADS`, or every core, unless changed for
/// some work with `ComputeThreads.$count.withValue(1) { try model.fit(...) }`.
/// (Defined in the kernels module; named here so that `import NeuralNet` is enough.)
public typealias ComputeThreads = NeuralNetKernels.ComputeThreads
