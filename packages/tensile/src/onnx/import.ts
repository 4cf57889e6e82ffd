/**
 * ONNX models run by Tensile (`decodeOnnx`): the graph is checked once — every op supported, every
 * tensor defined before it is read, every initializer's size matching its dims — then each `run`
 * evaluates the nodes in order with Tensile's ops. Inputs and outputs keep the file's layout (NCHW
 * for a model from PyTorch; Tensile's own exports take NHWC); convolutions and pools move to
 * Tensile's channels-last kernels and back inside the op.
 */
import { ShapeError, ValueError } from '../errors.js';
import { activation, celu, elu, leakyRelu, logSoftmax, softmax } from '../ops/activations.js';
import { add, clamp, div, maximum, mul, sub } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { conv2d, type Padding } from '../ops/conv.js';
import { matmul } from '../ops/matmul.js';
import { layerNorm } from '../ops/normalization.js';
import { permute } from '../ops/permute.js';
import { avgPool2d, maxPool2d } from '../ops/pool.js';
import { max, mean, sum } from '../ops/reduce.js';
import { reshape } from '../ops/reshape.js';
import { pad, type PadMode } from '../ops/slice.js';
import { tensor } from '../ops/creation.js';
import { abs, erf, exp, log, neg, relu, sigmoid, softplus, sqrt, square, tanh } from '../ops/unary.js';
import { ModelFileError } from '../saving/errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/graph.js';
import { buffer, Module, parameter } from '../nn/module.js';
import { ATTRIBUTE, decodeModelProto, encodeModelProto, ONNX_DOUBLE, ONNX_FLOAT, ONNX_INT32, ONNX_INT64, type OnnxAttribute, type OnnxModelProto, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto.js';

/** A value of the graph: a float tensor, or an integer vector (shapes, axes, pads). */
type Value = Tensor | readonly number[];

/** A graph input: its name and shape (null where the file leaves the size open). */
export interface OnnxInput {
  readonly name: string;
  readonly shape: readonly (number | null)[];
}

interface Attributes {
  int(name: string, fallback: number): number;
  float(name: string, fallback: number): number;
  ints(name: string): readonly number[] | undefined;
  string(name: string, fallback: string): string;
}

interface Step {
  readonly node: OnnxNode;
  readonly name: string;
  readonly run: (inputs: readonly (Value | undefined)[]) => Value;
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

function attributesOf(node: OnnxNode, where: string): Attributes {
  const byName = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  const get = (name: string, type: number): OnnxAttribute | undefined => {
    const a = byName.get(name);
    if (a && a.type !== type) throw new ValueError(`${where}: attribute '${name}' has type ${a.type}, expected ${type}`);
    return a;
  };
  return {
    int: (name, fallback) => Number(get(name, ATTRIBUTE.INT)?.i ?? fallback),
    float: (name, fallback) => get(name, ATTRIBUTE.FLOAT)?.f ?? fallback,
    ints: (name) => get(name, ATTRIBUTE.INTS)?.ints?.map(Number),
    string: (name, fallback) => {
      const s = get(name, ATTRIBUTE.STRING)?.s;
      return s ? new TextDecoder().decode(s) : fallback;
    },
  };
}

/** The values of an ONNX tensor: float data as a float32 Tensor, integer data as numbers. */
function tensorValue(t: OnnxTensor, where: string): Value {
  const dims = (t.dims ?? []).map(Number);
  const size = dims.reduce((p, d) => p * d, 1);
  const name = `${where}: tensor '${t.name ?? ''}'`;
  if (t.dataLocation === 1) throw new ValueError(`${name} keeps its data in an external file, which Tensile does not read`);
  // A copy: protobuf.js hands out views (Node Buffers of a shared pool), unaligned for typed arrays.
  const raw = t.rawData && t.rawData.length > 0 ? new Uint8Array(t.rawData) : undefined;
  let values: ArrayLike<number>;
  switch (t.dataType) {
    case ONNX_FLOAT: values = raw ? new Float32Array(raw.buffer, 0, raw.byteLength >> 2) : (t.floatData ?? []); break;
    case ONNX_DOUBLE: values = raw ? new Float64Array(raw.buffer, 0, raw.byteLength >> 3) : (t.doubleData ?? []); break;
    case ONNX_INT32: values = raw ? new Int32Array(raw.buffer, 0, raw.byteLength >> 2) : (t.int32Data ?? []); break;
    case ONNX_INT64: values = raw ? Array.from(new BigInt64Array(raw.buffer, 0, raw.byteLength >> 3), Number) : (t.int64Data ?? []).map(Number); break;
    default: throw new ValueError(`${name} has data type ${t.dataType}; Tensile reads float, double, int32 and int64 tensors`);
  }
  if (values.length !== size) throw new ShapeError(`${name} holds ${values.length} values but its dims ${formatShape(dims)} need ${size}`);
  if (t.dataType === ONNX_INT32 || t.dataType === ONNX_INT64) return Array.from(values);
  return tensor(Float32Array.from(values), dims);
}

function shapeOf(info: OnnxValueInfo): (number | null)[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue === undefined || d.dimParam ? null : Number(d.dimValue)));
}

/** Explicit [[top, bottom], [left, right]] pads of a 2-D window from `pads` or `auto_pad`. */
function windowPads(a: Attributes, x: Tensor, kernel: readonly number[], strides: readonly number[], dilations: readonly number[], where: string): [[number, number], [number, number]] {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [[0, 0], [0, 0]];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const pair = (n: number, k: number, s: number, d: number): [number, number] => {
      const total = Math.max((Math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    };
    return [pair(x.shape[2]!, kernel[0]!, strides[0]!, dilations[0]!), pair(x.shape[3]!, kernel[1]!, strides[1]!, dilations[1]!)];
  }
  if (autoPad !== 'NOTSET') throw new ValueError(`${where}: auto_pad '${autoPad}' is not supported`);
  const [t, l, b, r] = a.ints('pads') ?? [0, 0, 0, 0];
  return [[t!, b!], [l!, r!]];
}

function requireRank4(x: Tensor, where: string): void {
  if (x.rank !== 4) throw new ShapeError(`${where}: Tensile imports 2-D convolutions and pools (NCHW input, rank 4), got ${formatShape(x.shape)}`);
}

/** A channels-last op applied to NCHW `x`. */
function channelsLast(x: Tensor, op: (nhwc: Tensor) => Tensor): Tensor {
  return permute(op(permute(x, TO_NHWC)), TO_NCHW);
}

function float(v: Value | undefined, what: string): Tensor {
  if (v === undefined || Array.isArray(v)) throw new ValueError(`${what} must be a float tensor`);
  return v as Tensor;
}

function ints(v: Value | undefined, what: string): readonly number[] {
  if (v === undefined || !Array.isArray(v)) throw new ValueError(`${what} must be an integer tensor (an initializer or Constant)`);
  return v as readonly number[];
}

/** A per-channel vector [C] shaped to broadcast over axis 1 of a tensor of rank `rank`. */
function perChannel(v: Tensor, rank: number): Tensor {
  return reshape(v, [v.shape[0]!, ...Array<number>(Math.max(rank - 2, 0)).fill(1)]);
}

type OpBuilder = (a: Attributes, where: string, opset: number) => (inputs: readonly (Value | undefined)[]) => Value;

const unary = (fn: (x: Tensor) => Tensor, what: string): OpBuilder => () => ([x]) => fn(float(x, what));
const binary = (fn: (a: Tensor, b: Tensor) => Tensor): OpBuilder => (_a, where) => ([x, y]) => fn(float(x, `${where}: input A`), float(y, `${where}: input B`));

const OPS: Record<string, OpBuilder> = {
  Identity: () => ([x]) => x!,
  Dropout: () => ([x]) => x!,
  Relu: unary(relu, 'Relu input'),
  Sigmoid: unary(sigmoid, 'Sigmoid input'),
  Tanh: unary(tanh, 'Tanh input'),
  Softplus: unary(softplus, 'Softplus input'),
  Softsign: unary(activation('softsign'), 'Softsign input'),
  HardSwish: unary(activation('hardSwish'), 'HardSwish input'),
  Erf: unary(erf, 'Erf input'),
  Exp: unary(exp, 'Exp input'),
  Log: unary(log, 'Log input'),
  Sqrt: unary(sqrt, 'Sqrt input'),
  Neg: unary(neg, 'Neg input'),
  Abs: unary(abs, 'Abs input'),
  Selu: (a) => ([x]) => mul(elu(float(x, 'Selu input'), a.float('alpha', 1.67326319217681884765625)), a.float('gamma', 1.05070102214813232421875)),
  LeakyRelu: (a) => ([x]) => leakyRelu(float(x, 'LeakyRelu input'), a.float('alpha', 0.01)),
  Elu: (a) => ([x]) => elu(float(x, 'Elu input'), a.float('alpha', 1)),
  Celu: (a) => ([x]) => celu(float(x, 'Celu input'), a.float('alpha', 1)),
  HardSigmoid: (a) => ([x]) => clamp(add(mul(float(x, 'HardSigmoid input'), a.float('alpha', 0.2)), a.float('beta', 0.5)), 0, 1),
  Softmax: softmaxOp(softmax),
  LogSoftmax: softmaxOp(logSoftmax),
  Add: binary(add),
  Sub: binary(sub),
  Mul: binary(mul),
  Div: binary(div),
  MatMul: binary(matmul),
  Max: (_a, where) => ([...xs]) => xs.map((x, i) => float(x, `${where}: input ${i}`)).reduce((m, x) => maximum(m, x)),
  ReduceL2: (a, where, opset) => ([xv, axesValue]) => {
    const x = float(xv, `${where}: input data`);
    const axes = opset >= 18 ? (axesValue === undefined ? undefined : ints(axesValue, `${where}: axes`)) : a.ints('axes');
    const keepDims = a.int('keepdims', 1) === 1;
    // No axes: every axis, unless noop_with_empty_axes (opset 18) asks for the identity.
    if (axes === undefined || axes.length === 0) return a.int('noop_with_empty_axes', 0) === 1 ? x : sqrt(sum(square(x), [...x.shape.keys()], keepDims));
    return sqrt(sum(square(x), axes.map((d) => (d + x.rank) % x.rank), keepDims));
  },
  Gemm: (a, where) => {
    const [alpha, beta, transA, transB] = [a.float('alpha', 1), a.float('beta', 1), a.int('transA', 0), a.int('transB', 0)];
    return ([x, w, c]) => {
      const left = float(x, `${where}: input A`);
      const right = float(w, `${where}: input B`);
      let y = matmul(transA ? permute(left, [1, 0]) : left, transB ? permute(right, [1, 0]) : right);
      if (alpha !== 1) y = mul(y, alpha);
      return c === undefined ? y : add(y, beta === 1 ? float(c, `${where}: input C`) : mul(float(c, `${where}: input C`), beta));
    };
  },
  Conv: (a, where) => {
    const group = a.int('group', 1);
    return ([xv, wv, bv]) => {
      const x = float(xv, `${where}: input X`);
      const w = float(wv, `${where}: input W`);
      requireRank4(x, where);
      if (w.rank !== 4) throw new ShapeError(`${where}: weight ${formatShape(w.shape)} is not OIHW`);
      if (x.shape[1] !== w.shape[1]! * group) throw new ShapeError(`${where}: input ${formatShape(x.shape)} has ${x.shape[1]} channels but weight ${formatShape(w.shape)} with group ${group} takes ${w.shape[1]! * group}`);
      const kernel = a.ints('kernel_shape') ?? [w.shape[2]!, w.shape[3]!];
      const strides = a.ints('strides') ?? [1, 1];
      const dilations = a.ints('dilations') ?? [1, 1];
      const padding: Padding = windowPads(a, x, kernel, strides, dilations, where);
      const y = channelsLast(x, (nhwc) => {
        const out = conv2d(nhwc, permute(w, [2, 3, 1, 0]), { strides: [strides[0]!, strides[1]!], dilation: [dilations[0]!, dilations[1]!], padding, groups: group });
        return bv === undefined ? out : add(out, float(bv, `${where}: input B`));
      });
      return y;
    };
  },
  MaxPool: (a, where) => pool('max', a, where),
  AveragePool: (a, where) => pool('avg', a, where),
  GlobalAveragePool: () => ([x]) => mean(float(x, 'GlobalAveragePool input'), [2, 3], true),
  GlobalMaxPool: () => ([x]) => max(float(x, 'GlobalMaxPool input'), [2, 3], true),
  BatchNormalization: (a, where) => {
    if (a.int('training_mode', 0) !== 0) throw new ValueError(`${where}: training_mode=1 is not supported (Tensile imports for inference)`);
    const epsilon = a.float('epsilon', 1e-5);
    return ([xv, scale, bias, m, v]) => {
      const x = float(xv, `${where}: input X`);
      const r = x.rank;
      const factor = div(float(scale, `${where}: scale`), sqrt(add(float(v, `${where}: var`), epsilon)));
      return add(mul(sub(x, perChannel(float(m, `${where}: mean`), r)), perChannel(factor, r)), perChannel(float(bias, `${where}: B`), r));
    };
  },
  LayerNormalization: (a, where) => {
    if (a.int('axis', -1) !== -1) throw new ValueError(`${where}: LayerNormalization over axis ${a.int('axis', -1)} is not supported (only the last axis, -1)`);
    const epsilon = a.float('epsilon', 1e-5);
    return ([x, gamma, beta]) => layerNorm(float(x, `${where}: input X`), { epsilon, gamma: float(gamma, `${where}: Scale`), ...(beta !== undefined && { beta: float(beta, `${where}: B`) }) });
  },
  Concat: (a, where) => ([...xs]) => (xs.every((x) => Array.isArray(x)) ? xs.flatMap((x) => x as readonly number[]) : concat(xs.map((x, i) => float(x, `${where}: input ${i}`)), a.int('axis', 0))),
  // Shape arithmetic (as PyTorch exports a flatten: Shape → Gather → Unsqueeze → Concat → Reshape) runs on integer vectors.
  Shape: (a, where) => ([x]) => {
    const shape = float(x, `${where}: input`).shape;
    return shape.slice(a.int('start', 0), a.int('end', shape.length));
  },
  Gather: (a, where) => ([data, indices]) => {
    const values = ints(data, `${where}: data (Tensile gathers from shapes only)`);
    if (a.int('axis', 0) !== 0) throw new ValueError(`${where}: gathering along axis ${a.int('axis', 0)} of a shape is not supported`);
    return ints(indices, `${where}: indices`).map((i) => values[(i + values.length) % values.length]!);
  },
  Flatten: (a, where) => ([xv]) => {
    const x = float(xv, `${where}: input`);
    const axis = ((a.int('axis', 1) % (x.rank + 1)) + x.rank + 1) % (x.rank + 1);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    return reshape(x, [outer, x.size / outer]);
  },
  Reshape: (a, where) => ([xv, sv]) => {
    const x = float(xv, `${where}: input data`);
    const target = ints(sv, `${where}: input shape`).map((d, i) => (d === 0 && a.int('allowzero', 0) === 0 ? x.shape[i]! : d));
    return reshape(x, target);
  },
  Transpose: (a, where) => ([xv]) => {
    const x = float(xv, `${where}: input`);
    return permute(x, a.ints('perm') ?? [...x.shape.keys()].reverse());
  },
  Squeeze: (a, where) => ([xv, axesValue]) => {
    const x = float(xv, `${where}: input`);
    const axes = (axesValue === undefined ? a.ints('axes') : ints(axesValue, `${where}: axes`))?.map((d) => (d + x.rank) % x.rank);
    const keep = x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
    if (axes?.some((i) => x.shape[i] !== 1)) throw new ShapeError(`${where}: cannot squeeze axes ${JSON.stringify(axes)} of ${formatShape(x.shape)}`);
    return reshape(x, keep);
  },
  Unsqueeze: (a, where) => ([xv, axesValue]) => {
    // An integer vector stays one (a gathered size becomes a one-element shape).
    if (Array.isArray(xv)) return xv as readonly number[];
    const x = float(xv, `${where}: input`);
    const axes = axesValue === undefined ? a.ints('axes') : ints(axesValue, `${where}: axes`);
    if (!axes) throw new ValueError(`${where}: Unsqueeze needs axes`);
    const rank = x.rank + axes.length;
    const inserted = new Set(axes.map((d) => (d + rank) % rank));
    const dims = [...x.shape];
    const shape = Array.from({ length: rank }, (_, i) => (inserted.has(i) ? 1 : dims.shift()!));
    return reshape(x, shape);
  },
  Clip: (a, where, opset) => ([xv, minValue, maxValue]) => {
    const x = float(xv, `${where}: input`);
    const bound = (v: Value | undefined, name: string, fallback: number): number => (v === undefined ? (opset < 11 ? a.float(name, fallback) : fallback) : float(v, `${where}: ${name}`).dataSync()[0]!);
    return clamp(x, bound(minValue, 'min', -Infinity), bound(maxValue, 'max', Infinity));
  },
  Pad: (a, where) => {
    const mode = a.string('mode', 'constant');
    const modes: Record<string, PadMode> = { constant: 'constant', reflect: 'reflect', edge: 'replicate' };
    if (!(mode in modes)) throw new ValueError(`${where}: Pad mode '${mode}' is not supported (constant, reflect, edge)`);
    return ([xv, padsValue, constant]) => {
      const x = float(xv, `${where}: input data`);
      const pads = ints(padsValue, `${where}: pads`);
      if (pads.length !== 2 * x.rank) throw new ShapeError(`${where}: ${pads.length} pads for input ${formatShape(x.shape)} (expected ${2 * x.rank})`);
      const value = constant === undefined ? 0 : float(constant, `${where}: constant_value`).dataSync()[0]!;
      return pad(x, x.shape.map((_, i) => [pads[i]!, pads[i + x.rank]!] as const), { mode: modes[mode]!, value });
    };
  },
};

function softmaxOp(fn: (x: Tensor, axis: number) => Tensor): OpBuilder {
  return (a, where, opset) => ([xv]) => {
    const x = float(xv, `${where}: input`);
    const axis = a.int('axis', opset >= 13 ? -1 : 1);
    // Before opset 13 the axis split the input into 2-D; that equals the per-axis form only on the last axis.
    if (opset < 13 && (axis + x.rank) % x.rank !== x.rank - 1) throw new ValueError(`${where}: opset ${opset} softmax over axis ${axis} of rank ${x.rank} is not supported`);
    return fn(x, axis);
  };
}

function pool(kind: 'max' | 'avg', a: Attributes, where: string): (inputs: readonly (Value | undefined)[]) => Value {
  if (a.int('ceil_mode', 0) !== 0) throw new ValueError(`${where}: ceil_mode=1 is not supported`);
  if ((a.ints('dilations') ?? [1, 1]).some((d) => d !== 1)) throw new ValueError(`${where}: dilated pooling is not supported`);
  const kernel = a.ints('kernel_shape');
  if (!kernel || kernel.length !== 2) throw new ValueError(`${where}: kernel_shape must give 2 sizes (2-D pooling)`);
  const strides = a.ints('strides') ?? [1, 1];
  const countPads = kind === 'avg' && a.int('count_include_pad', 0) === 1;
  return ([xv]) => {
    const x = float(xv, `${where}: input`);
    requireRank4(x, where);
    const pads = windowPads(a, x, kernel, strides, [1, 1], where);
    const options = { poolSize: [kernel[0]!, kernel[1]!] as const, strides: [strides[0]!, strides[1]!] as const };
    return channelsLast(x, (nhwc) => {
      if (kind === 'max') return maxPool2d(nhwc, { ...options, padding: pads });
      // Tensile's average leaves padded cells out; count_include_pad=1 counts them as zeros.
      return countPads ? avgPool2d(pad(nhwc, [[0, 0], pads[0], pads[1], [0, 0]]), { ...options, padding: 'valid' }) : avgPool2d(nhwc, { ...options, padding: pads });
    });
  };
}

export const IMPORTED_OPS = Object.keys(OPS).concat('Constant').sort();

/**
 * An ONNX model's graph, run with Tensile's ops, and trainable: its float initializers with at least one
 * axis (convolution and Gemm/MatMul weights, biases, normalisation scales and offsets) are parameters, the
 * batch-norm statistics buffers, so an optimizer fine-tunes it (`new Adam(model.parameters())`, `run` under
 * autograd, `loss.backward()`) and `encode()` writes the graph again with the new values. The graph is
 * the file's inference graph: batch norm keeps its statistics and dropout is off while training.
 */
export class OnnxModel extends Module {
  private constructor(
    readonly name: string,
    readonly inputs: readonly OnnxInput[],
    readonly outputNames: readonly string[],
    private readonly constants: ReadonlyMap<string, Value>,
    private readonly steps: readonly Step[],
    private readonly proto: OnnxModelProto,
    /** Initializer name → its tensor (a parameter or a buffer), for `encode`. */
    private readonly weights: ReadonlyMap<string, Tensor>,
    private readonly statistics: ReadonlySet<string>,
  ) {
    super();
    this.training = false;
  }

  /** The trainable initializers, by their ONNX names. */
  override namedParameters(): [string, Tensor][] {
    return [...this.weights].filter(([name]) => !this.statistics.has(name));
  }

  /** The batch-norm statistics (mean and variance inputs), by their ONNX names. */
  override namedBuffers(): [string, Tensor][] {
    return [...this.weights].filter(([name]) => this.statistics.has(name));
  }

  /** The ONNX file again, every float initializer holding its current value (after fine-tuning, the new weights). */
  encode(): Uint8Array {
    const graph = this.proto.graph!;
    const initializer = (graph.initializer ?? []).map((t) => {
      const current = this.weights.get(t.name ?? '');
      if (!current) return t;
      const data = Float32Array.from(current.dataSync());
      return { name: t.name, dims: t.dims, dataType: ONNX_FLOAT, rawData: new Uint8Array(data.buffer) };
    });
    return encodeModelProto({ ...this.proto, graph: { ...graph, initializer } });
  }

  /** Checks `proto` (see the file comment) and prepares it to run; `source` names the file in errors. */
  static fromProto(proto: OnnxModelProto, source: string): OnnxModel {
    const graph = proto.graph;
    if (!graph || !graph.output?.length || !graph.node?.length) throw new ModelFileError(source, 'is not an ONNX model: it has no graph with nodes and outputs');
    const opset = proto.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
    if (opset < 7) throw new ModelFileError(source, `uses ONNX opset ${opset}; Tensile imports opset 7 and later`);
    const constants = new Map<string, Value>();
    const weights = new Map<string, Tensor>();
    const statistics = new Set(graph.node.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => (n.input ?? []).slice(3, 5)));
    for (const t of graph.initializer ?? []) {
      const name = t.name ?? '';
      const value = tensorValue(t, `${source}: initializer`);
      constants.set(name, value);
      if (t.dataType === ONNX_FLOAT && !Array.isArray(value) && (value as Tensor).rank > 0) weights.set(name, statistics.has(name) ? buffer(value as Tensor) : parameter(value as Tensor));
    }
    const defined = new Set<string>(constants.keys());
    const inputs = (graph.input ?? []).filter((i) => !constants.has(i.name ?? '')).map((i) => ({ name: i.name ?? '', shape: shapeOf(i) }));
    for (const i of inputs) defined.add(i.name);
    const steps: Step[] = [];
    graph.node.forEach((node, index) => {
      const opType = node.opType ?? '';
      const name = node.name || `#${index}`;
      const where = `${source}: node '${name}' (${opType})`;
      if (node.domain && node.domain !== 'ai.onnx') throw new ValueError(`${where}: op domain '${node.domain}' is not supported (the default ONNX domain only)`);
      for (const input of node.input ?? []) {
        if (input !== '' && !defined.has(input)) throw new ValueError(`${where}: reads '${input}', which no earlier node, initializer or graph input defines`);
      }
      if (opType === 'Constant') {
        const t = node.attribute?.find((x) => x.name === 'value')?.t;
        if (!t) throw new ValueError(`${where}: only Constant nodes with a 'value' tensor are supported`);
        constants.set(node.output?.[0] ?? '', tensorValue(t, where));
      } else {
        const builder = OPS[opType];
        if (!builder) throw new ValueError(`${where}: op type '${opType}' is not supported by Tensile's ONNX import (supported: ${IMPORTED_OPS.join(', ')})`);
        steps.push({ node, name: where, run: builder(attributesOf(node, where), where, opset) });
      }
      for (const output of node.output ?? []) defined.add(output);
    });
    const outputNames = graph.output.map((o) => o.name ?? '');
    for (const o of outputNames) if (!defined.has(o)) throw new ValueError(`${source}: graph output '${o}' is computed by no node`);
    return new OnnxModel(graph.name ?? '', inputs, outputNames, constants, steps, proto, weights, statistics);
  }

  /** Runs the graph on one tensor per input (by name); returns every graph output by name. */
  run(feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
    const values = new Map<string, Value>(this.constants);
    for (const input of this.inputs) {
      const x = feeds[input.name];
      if (!x) throw new ValueError(`onnx model '${this.name}': no tensor given for input '${input.name}'`);
      if (x.rank !== input.shape.length || input.shape.some((d, i) => d !== null && d !== x.shape[i])) {
        throw new ShapeError(`onnx model '${this.name}': input '${input.name}' expects [${input.shape.map((d) => d ?? 'any').join(', ')}], got ${formatShape(x.shape)}`);
      }
      values.set(input.name, x);
    }
    for (const step of this.steps) {
      const inputs = (step.node.input ?? []).map((name) => (name === '' ? undefined : values.get(name)));
      let y: Value;
      try {
        y = step.run(inputs);
      } catch (e) {
        if (e instanceof Error && !e.message.includes(step.name)) e.message = `${step.name}: ${e.message}`;
        throw e;
      }
      values.set(step.node.output![0]!, y);
    }
    return Object.fromEntries(this.outputNames.map((name) => [name, float(values.get(name), `output '${name}'`)]));
  }

  /** The first output for `x` given to the inputs in order (one tensor for a one-input model), recording gradients when they are enabled (training). */
  forward(x: Tensor | readonly Tensor[]): Tensor {
    const given = Array.isArray(x) ? (x as readonly Tensor[]) : [x as Tensor];
    if (given.length !== this.inputs.length) throw new ValueError(`onnx model '${this.name}' takes ${this.inputs.length} input(s), got ${given.length}`);
    return this.run(Object.fromEntries(this.inputs.map((input, i) => [input.name, given[i]!])))[this.outputNames[0]!]!;
  }

  /** `forward` for inference: no gradients recorded. */
  predict(x: Tensor | readonly Tensor[]): Tensor {
    return noGrad(() => this.forward(x));
  }
}

/** Reads ONNX bytes into a model Tensile runs; `source` (a file name) is named in every error. */
export function decodeOnnx(bytes: Uint8Array, source = 'onnx bytes'): OnnxModel {
  let proto: OnnxModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    throw new ModelFileError(source, `is not a readable ONNX file: ${(e as Error).message}`);
  }
  return OnnxModel.fromProto(proto, source);
}
