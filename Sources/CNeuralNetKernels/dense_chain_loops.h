// What the compiled step's C files share (dense_chain.c, dense_chain_epochs.c).
#ifndef CNEURALNET_DENSE_CHAIN_LOOPS_H
#define CNEURALNET_DENSE_CHAIN_LOOPS_H

// The loops run a handful of times: vectorised or unrolled versions with their checks and
// remainders cost more instructions than they save.
#define SHORT_LOOP _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")

#endif
