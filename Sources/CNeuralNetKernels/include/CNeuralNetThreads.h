// A small pool of worker threads for the kernels. Workers spin briefly between jobs, because
// a training step issues a parallel matrix multiply every few microseconds and waking a
// sleeping thread costs more than the multiply; after a short idle time they sleep.
#ifndef CNEURALNET_THREADS_H
#define CNEURALNET_THREADS_H

#ifdef __cplusplus
extern "C" {
#endif

/// A unit of parallel work: called once for each index in 0 ..< count.
typedef void (*nn_task)(void *context, long index);

/// Runs `task(context, i)` for every i in 0 ..< count on up to `threads` threads, the caller
/// among them, and returns when all are done. Indices are handed out dynamically; the caller
/// must make each index's work independent of which thread runs it. If the pool is busy with
/// another caller's work, runs everything on the calling thread.
void nn_parallel_for(long count, long threads, nn_task task, void *context);

#ifdef __cplusplus
}
#endif

#endif
