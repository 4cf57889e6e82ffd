/* Fused elementwise programs (a compiled graph's chains of float32 ops): one pass, no temporaries. */
#ifndef TENSILE_FUSED_H
#define TENSILE_FUSED_H

extern const char *const FUSED_OPS[];
extern const int FUSED_OP_COUNT;

/*
 * steps: nsteps triples (op, a, b) over slots — 0..ninputs−1 the inputs, ninputs + s the result of
 * step s (b unused by one-operand ops); the last step is written to out. inputs[i] holds n values,
 * or one when scalar[i] (broadcast).
 */
void fused_f32(const int *steps, int nsteps, const float *const *inputs, const int *scalar, int ninputs, float *out, long n, int threads);

#endif
