/*
 * The Node-API surface. Every buffer is a JS typed array owned by the backend's JS side; kernels
 * read and write them in place (no copies), and sizes come from the arrays or from Float64Array
 * descriptors. Arguments are checked by the TypeScript wrapper, which is the only caller.
 */
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "elementwise.h"
#include "fused.h"
#include "gemm.h"
#include "hog.h"
#include "pool.h"
#include "reduce.h"
#include "resize_gray.h"
#include "window_scores.h"

#define MAX_ARGS 12

typedef struct {
  napi_env env;
  napi_value v[MAX_ARGS];
  size_t n;
} args;

static args get_args(napi_env env, napi_callback_info info) {
  args a = {env, {0}, MAX_ARGS};
  napi_get_cb_info(env, info, &a.n, a.v, NULL, NULL);
  return a;
}

/* The data of typed array argument i, or NULL when it is null. */
static void *data(const args *a, size_t i) {
  napi_valuetype t;
  napi_typeof(a->env, a->v[i], &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  void *p = NULL;
  size_t length;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(a->env, a->v[i], &type, &length, &p, &buffer, &offset);
  return p;
}

static long length(const args *a, size_t i) {
  size_t n = 0;
  napi_typedarray_type type;
  void *p;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(a->env, a->v[i], &type, &n, &p, &buffer, &offset);
  return (long)n;
}

static long integer(const args *a, size_t i) {
  int64_t v = 0;
  napi_get_value_int64(a->env, a->v[i], &v);
  return (long)v;
}

/* A Float64Array descriptor as longs (at most 16 values). */
static void longs(const args *a, size_t i, long *out, long count) {
  const double *d = data(a, i);
  for (long k = 0; k < count; k++) out[k] = (long)d[k];
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* select(isa | null, threads) → the micro-kernel in use; starts workers for `threads`. */
static napi_value js_select(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  char name[32] = {0};
  napi_valuetype t;
  napi_typeof(env, a.v[0], &t);
  size_t len;
  if (t == napi_string) napi_get_value_string_utf8(env, a.v[0], name, sizeof name, &len);
  pool_reserve((int)integer(&a, 1));
  napi_value out;
  napi_create_string_utf8(env, gemm_select(t == napi_string ? name : NULL), NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value string_list(napi_env env, const char *const *names, int count) {
  napi_value list;
  napi_create_array_with_length(env, (size_t)count, &list);
  for (int i = 0; i < count; i++) {
    napi_value s;
    napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, list, (uint32_t)i, s);
  }
  return list;
}

/* opNames() → { unary, activation, binary, reduce, fused }: op names in code order. */
static napi_value js_op_names(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "unary", string_list(env, UNARY_OPS, UNARY_OP_COUNT));
  napi_set_named_property(env, o, "activation", string_list(env, ACTIVATION_OPS, ACTIVATION_OP_COUNT));
  napi_set_named_property(env, o, "binary", string_list(env, BINARY_OPS, BINARY_OP_COUNT));
  napi_set_named_property(env, o, "reduce", string_list(env, REDUCE_OPS, REDUCE_OP_COUNT));
  napi_set_named_property(env, o, "fused", string_list(env, FUSED_OPS, FUSED_OP_COUNT));
  return o;
}

/* matmul(a, b, out, [batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride], bias, relu, threads) */
static napi_value js_matmul(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  long d[8];
  longs(&a, 3, d, 8);
  const float *A = data(&a, 0), *B = data(&a, 1), *bias = data(&a, 4);
  float *C = data(&a, 2);
  long m = d[1], n = d[2], k = d[3];
  for (long t = 0; t < d[0]; t++) {
    gemm_args g = {m, n, k, A + t * d[6], d[4] ? 1 : k, d[4] ? m : 1, B + t * d[7], d[5] ? 1 : n, d[5] ? k : 1, C + t * m * n, n, 0, bias,
                   (int)integer(&a, 5)};
    gemm(&g, (int)integer(&a, 6));
  }
  return undefined(env);
}

static conv_info conv_of(const args *a, size_t i) {
  long d[16];
  longs(a, i, d, 16);
  conv_info c;
  memcpy(&c, d, sizeof c);
  return c;
}

/* conv2d(x, filter, out, info, bias, relu, threads) */
static napi_value js_conv2d(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  conv_info c = conv_of(&a, 3);
  conv2d(data(&a, 0), data(&a, 1), data(&a, 2), &c, data(&a, 4), (int)integer(&a, 5), (int)integer(&a, 6));
  return undefined(env);
}

/* conv2dBackpropInput(dy, filter, dx, info, threads) */
static napi_value js_conv2d_backprop_input(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  conv_info c = conv_of(&a, 3);
  conv2d_backprop_input(data(&a, 0), data(&a, 1), data(&a, 2), &c, (int)integer(&a, 4));
  return undefined(env);
}

/* conv2dBackpropFilter(x, dy, dw, info, threads) */
static napi_value js_conv2d_backprop_filter(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  conv_info c = conv_of(&a, 3);
  conv2d_backprop_filter(data(&a, 0), data(&a, 1), data(&a, 2), &c, (int)integer(&a, 4));
  return undefined(env);
}

/* unary(op, x, out, threads) */
static napi_value js_unary(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  unary_f32((int)integer(&a, 0), data(&a, 1), data(&a, 2), length(&a, 1), (int)integer(&a, 3));
  return undefined(env);
}

/* activationGrad(op, dy, y, out, threads) */
static napi_value js_activation_grad(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  activation_grad_f32((int)integer(&a, 0), data(&a, 1), data(&a, 2), data(&a, 3), length(&a, 1), (int)integer(&a, 4));
  return undefined(env);
}

/* binary(op, a, aStrides, b, bStrides, out, shape, threads): strides and shape as Float64Arrays of one rank. */
static napi_value js_binary(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  long rank = length(&a, 6);
  if (rank > MAX_RANK) {
    napi_throw_range_error(env, NULL, "native binary: rank above 8");
    return NULL;
  }
  long as[MAX_RANK], bs[MAX_RANK], shape[MAX_RANK];
  longs(&a, 2, as, rank);
  longs(&a, 4, bs, rank);
  longs(&a, 6, shape, rank);
  binary_f32((int)integer(&a, 0), data(&a, 1), as, data(&a, 3), bs, data(&a, 5), shape, (int)rank, (int)integer(&a, 7));
  return undefined(env);
}

/* fused(steps, inputs, scalar, out, threads): steps an Int32Array of (op, a, b) triples, inputs an
 * array of Float32Arrays, scalar an Int32Array flagging the single-value ones. */
static napi_value js_fused(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  uint32_t count = 0;
  napi_get_array_length(env, a.v[1], &count);
  const float **inputs = malloc((count ? count : 1) * sizeof *inputs);
  if (!inputs) {
    napi_throw_error(env, NULL, "native fused: out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    args element = {env, {0}, 1};
    napi_get_element(env, a.v[1], i, &element.v[0]);
    inputs[i] = data(&element, 0);
  }
  fused_f32(data(&a, 0), (int)(length(&a, 0) / 3), inputs, data(&a, 2), (int)count, data(&a, 3), length(&a, 3), (int)integer(&a, 4));
  free(inputs);
  return undefined(env);
}

/* reduce(op, x, out, outer, size, inner, threads) */
static napi_value js_reduce(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  reduce_f32((int)integer(&a, 0), data(&a, 1), data(&a, 2), integer(&a, 3), integer(&a, 4), integer(&a, 5), (int)integer(&a, 6));
  return undefined(env);
}

static pool_info pool_of(const args *a, size_t i) {
  long d[12];
  longs(a, i, d, 12);
  pool_info p;
  memcpy(&p, d, sizeof p);
  return p;
}

/* pool2d(max, x, out, info, threads) */
static napi_value js_pool2d(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  pool_info p = pool_of(&a, 3);
  pool2d_f32((int)integer(&a, 0), data(&a, 1), data(&a, 2), &p, (int)integer(&a, 4));
  return undefined(env);
}

/* pool2dBackward(max, dy, x, dx, info, threads) */
static napi_value js_pool2d_backward(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  pool_info p = pool_of(&a, 4);
  pool2d_backward_f32((int)integer(&a, 0), data(&a, 1), data(&a, 2), data(&a, 3), &p, (int)integer(&a, 5));
  return undefined(env);
}

/* adamStep(param, grad, m, v, paramOut, mOut, vOut, scalars, threads) */
static napi_value js_adam_step(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  adam_step_f32(data(&a, 0), data(&a, 1), data(&a, 2), data(&a, 3), data(&a, 4), data(&a, 5), data(&a, 6), length(&a, 0), data(&a, 7),
                (int)integer(&a, 8));
  return undefined(env);
}

static napi_value out_of_memory(napi_env env, const char *kernel) {
  char message[64];
  snprintf(message, sizeof message, "native %s: out of memory", kernel);
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* hog(image, out, [height, width, cellSize], threads) */
static napi_value js_hog(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  long d[3];
  longs(&a, 2, d, 3);
  if (hog_f32(data(&a, 0), d[0], d[1], d[2], data(&a, 1), (int)integer(&a, 3))) return out_of_memory(env, "hog");
  return undefined(env);
}

/* resizeGray(image, out, [height, width, outHeight, outWidth, uint8, xMaxTaps, yMaxTaps], xStart, xCount, xWeight, yStart, yCount, yWeight, threads) */
static napi_value js_resize_gray(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  long d[7];
  longs(&a, 2, d, 7);
  resample_taps x = {data(&a, 3), data(&a, 4), data(&a, 5), d[5]}, y = {data(&a, 6), data(&a, 7), data(&a, 8), d[6]};
  if (resize_gray_f32(data(&a, 0), d[0], d[1], data(&a, 1), d[2], d[3], &x, &y, (int)d[4], (int)integer(&a, 9))) return out_of_memory(env, "resizeGray");
  return undefined(env);
}

/* windowScores(map, weights, out, [mapHeight, mapWidth, windowHeight, windowWidth, channels], threads) */
static napi_value js_window_scores(napi_env env, napi_callback_info info) {
  args a = get_args(env, info);
  long d[5];
  longs(&a, 3, d, 5);
  if (window_scores_f32(data(&a, 0), d[0], d[1], d[4], data(&a, 1), d[2], d[3], data(&a, 2), (int)integer(&a, 4))) return out_of_memory(env, "windowScores");
  return undefined(env);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"select", NULL, js_select, NULL, NULL, NULL, napi_default, NULL},
      {"opNames", NULL, js_op_names, NULL, NULL, NULL, napi_default, NULL},
      {"matmul", NULL, js_matmul, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, js_conv2d, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropInput", NULL, js_conv2d_backprop_input, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropFilter", NULL, js_conv2d_backprop_filter, NULL, NULL, NULL, napi_default, NULL},
      {"unary", NULL, js_unary, NULL, NULL, NULL, napi_default, NULL},
      {"activationGrad", NULL, js_activation_grad, NULL, NULL, NULL, napi_default, NULL},
      {"binary", NULL, js_binary, NULL, NULL, NULL, napi_default, NULL},
      {"fused", NULL, js_fused, NULL, NULL, NULL, napi_default, NULL},
      {"reduce", NULL, js_reduce, NULL, NULL, NULL, napi_default, NULL},
      {"pool2d", NULL, js_pool2d, NULL, NULL, NULL, napi_default, NULL},
      {"pool2dBackward", NULL, js_pool2d_backward, NULL, NULL, NULL, napi_default, NULL},
      {"adamStep", NULL, js_adam_step, NULL, NULL, NULL, napi_default, NULL},
      {"hog", NULL, js_hog, NULL, NULL, NULL, napi_default, NULL},
      {"resizeGray", NULL, js_resize_gray, NULL, NULL, NULL, napi_default, NULL},
      {"windowScores", NULL, js_window_scores, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof *props, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
