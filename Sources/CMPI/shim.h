// The system's MPI for Swift. MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE and friends are
// macros (pointers to globals in Open MPI, integer constants in MPICH) that Swift cannot
// import, so each has an accessor here; the same code then builds against either library.
// The library itself is linked through pkg-config (`mpi`), not a `link` line: that made an
// MPICH build link both libraries.
#ifndef NEURALNET_CMPI_SHIM_H
#define NEURALNET_CMPI_SHIM_H

#if __has_include(<mpi.h>)
#include <mpi.h>
#else
#error "MPI headers not found: install Open MPI (apt-get install libopenmpi-dev openmpi-bin) or MPICH (apt-get install libmpich-dev mpich), or build without --traits MPI"
#endif

static inline MPI_Comm nn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype nn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype nn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype nn_mpi_long_long(void) { return MPI_LONG_LONG; }
static inline MPI_Op nn_mpi_sum(void) { return MPI_SUM; }
static inline void *nn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int nn_mpi_success(void) { return MPI_SUCCESS; }

#endif
