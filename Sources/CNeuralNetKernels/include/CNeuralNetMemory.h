// How the C library's allocator treats the large, short-lived buffers of a training step.
#ifndef CNEURALNET_MEMORY_H
#define CNEURALNET_MEMORY_H

#ifdef __cplusplus
extern "C" {
#endif

/// Asks glibc's malloc to serve buffers of up to 256 MB from its heap and to keep up to 1 GB of
/// freed heap memory instead of returning it to the system. By default glibc maps each large
/// buffer on its own and returns freed memory soon, so a training step that allocates and frees
/// the same tens of megabytes every time pays page faults (the kernel zeroing fresh pages) for
/// all of them again; this measured up to twice the time of a CNN step. Returns non-zero when
/// the settings were applied (always 0 on other C libraries, where nothing changes).
int nn_keep_freed_memory(void);

#ifdef __cplusplus
}
#endif

#endif
