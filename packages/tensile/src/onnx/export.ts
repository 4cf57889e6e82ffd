/**
 * A Tensile model as an ONNX graph for inference (`encodeOnnx`): each layer becomes the ONNX nodes
 * that compute it, named after the layer, its weights become initializers named like the model's
 * state dict (`conv2d.kernel`), and the batch axis is dynamic (`batch`). Inputs and outputs keep
 * Tensile's channels-last layout; inside, image tensors are carried channels-first (NCHW), as ONNX's
 * Conv, pools and BatchNormalization want, with a Transpose where the layout changes (once per
 * tensor), and convolution kernels are stored OIHW. Layers that only act in training (Dropout,
 * augmentation) pass their input through.
 */
import { ValueError } from '../errors.js';
import type { ActivationName } from '../ops/activations.js';
import { Conv2D, DepthwiseConv2D, SeparableConv2D } from '../nn/layers/convolution.js';
import { pairOf } from '../nn/layers/conv-geometry.js';
import { Dense } from '../nn/layers/dense.js';
import { Dropout, SpatialDropout } from '../nn/layers/dropout.js';
import { Activation, Rescaling } from '../nn/layers/elementwise.js';
import { InputLayer } from '../nn/layers/input.js';
import { Add, Concatenate, Multiply } from '../nn/layers/merge.js';
import { BatchNormalization, LayerNormalization, UnitNormalization } from '../nn/layers/normalization.js';
import { AvgPool2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPool2D } from '../nn/layers/pooling.js';
import { Flatten, Reshape, ZeroPadding2D } from '../nn/layers/reshaping.js';
import { RandomAffine, RandomFlip, RandomRotation, RandomTranslation, RandomZoom } from '../nn/layers/augmentation.js';
import { RandomBrightness, RandomContrast } from '../nn/layers/color-augmentation.js';
import { RandomErasing } from '../nn/layers/random-erasing.js';
import type { AnyLayer, Model } from '../nn/model.js';
import type { SymbolicShape, SymbolicTensor } from '../nn/symbolic.js';
import { type AttributeValue, GraphBuilder, TO_CHANNELS_LAST, type Value, valueInfo } from './graph-builder.js';
import { encodeModelProto, ONNX_IR_VERSION, type OnnxValueInfo } from './onnx-proto.js';
import { checkOptions, optionNames } from '../options.js';

export interface ExportOnnxOptions {
  /** The default-domain opset the graph is written for (13 to 21; default 17). */
  readonly opset?: number;
}

export const DEFAULT_OPSET = 17;
const MIN_OPSET = 13;
const MAX_OPSET = 21;

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;
/** Layers that are the identity at inference. */
const TRAINING_ONLY = [Dropout, SpatialDropout, RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomAffine, RandomBrightness, RandomContrast, RandomErasing];

/** The nodes of an activation applied to `input`; returns the output name (`output` for the last node). */
function emitActivation(g: GraphBuilder, activation: ActivationName, input: Value, output: string): string {
  const softmaxAxis = input.channelsFirst ? 1 : -1;
  const unary = (op: string, attributes: Record<string, AttributeValue> = {}): string => g.node(op, output, [input.name], attributes);
  const clip = (min: number, max: number): string => g.node('Clip', output, [input.name, g.scalar(`${output}.min`, min), g.scalar(`${output}.max`, max)]);
  const times = (f: string): string => g.node('Mul', output, [input.name, f]);
  switch (activation) {
    case 'linear': return g.node('Identity', output, [input.name]);
    case 'relu': return unary('Relu');
    case 'relu6': return clip(0, 6);
    case 'hardTanh': return clip(-1, 1);
    case 'leakyRelu': return unary('LeakyRelu', { alpha: 0.01 });
    case 'elu': return unary('Elu', { alpha: 1 });
    case 'celu': return unary('Celu', { alpha: 1 });
    case 'selu': return unary('Selu');
    case 'sigmoid': return unary('Sigmoid');
    case 'tanh': return unary('Tanh');
    case 'softplus': return unary('Softplus');
    case 'softsign': return unary('Softsign');
    case 'hardSigmoid': return unary('HardSigmoid', { alpha: 1 / 6, beta: 0.5 });
    case 'hardSwish': return g.opset >= 14 ? unary('HardSwish') : times(g.node('HardSigmoid', `${output}/gate`, [input.name], { alpha: 1 / 6, beta: 0.5 }));
    case 'softmax': return unary('Softmax', { axis: softmaxAxis });
    case 'logSoftmax': return unary('LogSoftmax', { axis: softmaxAxis });
    case 'silu':
    case 'swish': return times(g.node('Sigmoid', `${output}/sigmoid`, [input.name]));
    case 'mish': return times(g.node('Tanh', `${output}/tanh`, [g.node('Softplus', `${output}/softplus`, [input.name])]));
    case 'logSigmoid': return g.node('Neg', output, [g.node('Softplus', `${output}/softplus`, [g.node('Neg', `${output}/neg`, [input.name])])]);
    case 'gelu': {
      // x·Φ(x) = x·(1 + erf(x/√2))/2, exact (Tensile's default gelu).
      const erf = g.node('Erf', `${output}/erf`, [g.node('Mul', `${output}/scaled`, [input.name, g.scalar(`${output}.rsqrt2`, Math.SQRT1_2)])]);
      const half = g.node('Mul', `${output}/half`, [g.node('Add', `${output}/one_plus`, [erf, g.scalar(`${output}.one`, 1)]), g.scalar(`${output}.half`, 0.5)]);
      return times(half);
    }
  }
}

/** [top, left, bottom, right] pads (ONNX order) of a 'same' or 'valid' window over a known H×W. */
function windowPads(layer: AnyLayer, shape: SymbolicShape, padding: 'same' | 'valid', kernel: readonly [number, number], strides: readonly [number, number], dilation: readonly [number, number]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const total = (n: number | null, k: number, s: number, d: number): number => {
    if (n === null) throw new ValueError(`onnx export: layer '${layer.name}' has padding 'same' on an unknown spatial size; give the model a fixed input shape`);
    return Math.max((Math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0);
  };
  const ph = total(shape[1]!, kernel[0], strides[0], dilation[0]);
  const pw = total(shape[2]!, kernel[1], strides[1], dilation[1]);
  // TensorFlow's 'same' (Tensile's) puts the odd pixel at the bottom/right.
  return [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
}

function unsupported(layer: AnyLayer, why = 'has no ONNX export'): never {
  throw new ValueError(`onnx export: layer '${layer.name}' (${layer.constructor.name}) ${why}`);
}

/** Adds the nodes computing `layer` on `inputs`; returns the value of its output. */
function emitLayer(g: GraphBuilder, layer: AnyLayer, inputs: readonly Value[], inputShapes: readonly SymbolicShape[], outputShape: SymbolicShape): Value {
  const name = layer.name;
  const [first] = inputs as [Value];
  const shape = inputShapes[0]!;
  const out = (output: string, channelsFirst: boolean): Value => ({ name: output, rank: outputShape.length, channelsFirst });
  if (TRAINING_ONLY.some((cls) => layer instanceof cls)) return first;
  if (layer instanceof Dense) {
    const x = g.channelsLast(first);
    const kernel = g.weight(`${name}.kernel`, layer.kernel!);
    const bias = layer.bias ? g.weight(`${name}.bias`, layer.bias) : undefined;
    const activation = layer.getConfig().activation as ActivationName | undefined;
    const linearName = activation && activation !== 'linear' ? `${name}/linear` : name;
    const linear = x.rank === 2
      ? g.node('Gemm', linearName, bias ? [x.name, kernel, bias] : [x.name, kernel])
      : bias ? g.node('Add', linearName, [g.node('MatMul', `${name}/matmul`, [x.name, kernel]), bias]) : g.node('MatMul', linearName, [x.name, kernel]);
    const result = linearName === name ? linear : emitActivation(g, activation!, { name: linear, rank: x.rank, channelsFirst: false }, name);
    return out(result, false);
  }
  if (layer instanceof Conv2D || layer instanceof DepthwiseConv2D || layer instanceof SeparableConv2D) {
    const config = layer.getConfig();
    const kernelSize = pairOf(config.kernelSize as number | [number, number], 1);
    const strides = pairOf(config.strides as number | [number, number] | undefined, 1);
    const dilations = pairOf(config.dilationRate as number | [number, number] | undefined, 1);
    const pads = windowPads(layer, shape, (config.padding as 'same' | 'valid' | undefined) ?? 'valid', kernelSize, strides, dilations);
    const geometry = { kernel_shape: kernelSize, strides, dilations, pads };
    const x = g.channelsFirst(first);
    const k = layer.kernel!;
    const activation = config.activation as ActivationName | undefined;
    const convName = activation && activation !== 'linear' ? `${name}/conv` : name;
    const bias = layer.bias ? g.weight(`${name}.bias`, layer.bias) : undefined;
    let conv: string;
    if (layer instanceof Conv2D) {
      const kernel = g.weight(`${name}.kernel`, k, [3, 2, 0, 1]);
      conv = g.node('Conv', convName, bias ? [x.name, kernel, bias] : [x.name, kernel], { ...geometry, group: (config.groups as number | undefined) ?? 1 });
    } else {
      // Depthwise [kH, kW, C, M] → [C·M, 1, kH, kW] with one group per input channel (output c·M + m).
      const [kh, kw, c, m] = k.shape as [number, number, number, number];
      const depthwise = g.weight(`${name}.kernel`, k, [2, 3, 0, 1], [c * m, 1, kh, kw]);
      if (layer instanceof DepthwiseConv2D) {
        conv = g.node('Conv', convName, bias ? [x.name, depthwise, bias] : [x.name, depthwise], { ...geometry, group: c });
      } else {
        const spread = g.node('Conv', `${name}/depthwise`, [x.name, depthwise], { ...geometry, group: c });
        const pointwise = g.weight(`${name}.pointwiseKernel`, layer.pointwiseKernel!, [3, 2, 0, 1]);
        conv = g.node('Conv', convName, bias ? [spread, pointwise, bias] : [spread, pointwise], { kernel_shape: [1, 1] });
      }
    }
    const result = convName === name ? conv : emitActivation(g, activation!, { name: conv, rank: 4, channelsFirst: true }, name);
    return out(result, true);
  }
  if (layer instanceof MaxPool2D || layer instanceof AvgPool2D) {
    const config = layer.getConfig();
    const window = pairOf(config.poolSize as number | [number, number] | undefined, 2);
    const strides = pairOf(config.strides as number | [number, number] | undefined, 0).map((s, i) => s || window[i]!) as [number, number];
    const pads = windowPads(layer, shape, (config.padding as 'same' | 'valid' | undefined) ?? 'valid', window, strides, [1, 1]);
    const x = g.channelsFirst(first);
    // Padded cells are not counted in Tensile's average.
    const op = layer instanceof MaxPool2D ? g.node('MaxPool', name, [x.name], { kernel_shape: window, strides, pads }) : g.node('AveragePool', name, [x.name], { kernel_shape: window, strides, pads, count_include_pad: 0 });
    return out(op, true);
  }
  if (layer instanceof GlobalAveragePooling2D || layer instanceof GlobalMaxPooling2D) {
    const x = g.channelsFirst(first);
    const op = layer instanceof GlobalAveragePooling2D ? 'GlobalAveragePool' : 'GlobalMaxPool';
    if (layer.getConfig().keepDims === true) return out(g.node(op, name, [x.name]), true);
    return out(g.node('Flatten', name, [g.node(op, `${name}/pool`, [x.name])], { axis: 1 }), false);
  }
  if (layer instanceof BatchNormalization) {
    if (first.rank !== 2 && first.rank !== 4) unsupported(layer, `takes rank-${first.rank} input; ONNX export handles [N, C] and [N, H, W, C]`);
    const x = first.rank === 4 ? g.channelsFirst(first) : first;
    const channels = layer.movingMean!.shape[0]!;
    const scale = layer.gamma ? g.weight(`${name}.gamma`, layer.gamma) : g.floatInitializer(`${name}.gamma`, new Float32Array(channels).fill(1), [channels]);
    const offset = layer.beta ? g.weight(`${name}.beta`, layer.beta) : g.floatInitializer(`${name}.beta`, new Float32Array(channels), [channels]);
    const inputs = [x.name, scale, offset, g.weight(`${name}.movingMean`, layer.movingMean!), g.weight(`${name}.movingVariance`, layer.movingVariance!)];
    return out(g.node('BatchNormalization', name, inputs, { epsilon: (layer.getConfig().epsilon as number | undefined) ?? 1e-3 }), x.channelsFirst);
  }
  if (layer instanceof LayerNormalization) {
    if (g.opset < 17) unsupported(layer, `needs opset 17 or later (LayerNormalization), got ${g.opset}`);
    const x = g.channelsLast(first);
    const channels = shape[shape.length - 1]!;
    const scale = layer.gamma ? g.weight(`${name}.gamma`, layer.gamma) : g.floatInitializer(`${name}.gamma`, new Float32Array(channels).fill(1), [channels]);
    const offset = layer.beta ? g.weight(`${name}.beta`, layer.beta) : g.floatInitializer(`${name}.beta`, new Float32Array(channels), [channels]);
    return out(g.node('LayerNormalization', name, [x.name, scale, offset], { axis: -1, epsilon: (layer.getConfig().epsilon as number | undefined) ?? 1e-3 }), false);
  }
  if (layer instanceof UnitNormalization) {
    // x / max(‖x‖₂, ε) over the last axis; ReduceL2 takes its axes as an input from opset 18.
    const x = g.channelsLast(first);
    const reduce = g.opset >= 18
      ? g.node('ReduceL2', `${name}/norm`, [x.name, g.intInitializer(`${name}.axes`, [-1])], { keepdims: 1 })
      : g.node('ReduceL2', `${name}/norm`, [x.name], { axes: [-1], keepdims: 1 });
    const floored = g.node('Max', `${name}/floored`, [reduce, g.scalar(`${name}.epsilon`, layer.epsilon)]);
    return out(g.node('Div', name, [x.name, floored]), false);
  }
  if (layer instanceof Activation) return out(emitActivation(g, layer.getConfig().activation as ActivationName, first, name), first.channelsFirst);
  if (layer instanceof Rescaling) {
    const config = layer.getConfig();
    const scaled = g.node('Mul', config.offset ? `${name}/scale` : name, [first.name, g.scalar(`${name}.scale`, config.scale as number)]);
    return out(config.offset ? g.node('Add', name, [scaled, g.scalar(`${name}.offset`, config.offset as number)]) : scaled, first.channelsFirst);
  }
  if (layer instanceof Flatten) return out(g.node('Flatten', name, [g.channelsLast(first).name], { axis: 1 }), false);
  if (layer instanceof Reshape) {
    const target = g.intInitializer(`${name}.shape`, [0, ...(layer.getConfig().targetShape as number[])]);
    return out(g.node('Reshape', name, [g.channelsLast(first).name, target]), false);
  }
  if (layer instanceof ZeroPadding2D) {
    const x = g.channelsFirst(first);
    const [[t, b], [l, r]] = layer.amounts;
    return out(g.node('Pad', name, [x.name, g.intInitializer(`${name}.pads`, [0, 0, t, l, 0, 0, b, r])]), true);
  }
  if (layer instanceof Add || layer instanceof Multiply) {
    const allFirst = inputs.every((v) => v.channelsFirst);
    const operands = inputs.map((v) => (allFirst ? v : g.channelsLast(v)).name);
    const op = layer instanceof Add ? 'Add' : 'Mul';
    let acc = operands[0]!;
    for (let i = 1; i < operands.length; i++) acc = g.node(op, i === operands.length - 1 ? name : `${name}/${i}`, [acc, operands[i]!]);
    return out(acc, allFirst);
  }
  if (layer instanceof Concatenate) {
    const rank = first.rank;
    const axis = (((layer.getConfig().axis as number | undefined) ?? -1) + rank) % rank;
    const allFirst = rank === 4 && inputs.every((v) => v.channelsFirst);
    const operands = inputs.map((v) => (allFirst ? v : g.channelsLast(v)).name);
    return out(g.node('Concat', name, operands, { axis: allFirst ? TO_CHANNELS_LAST.indexOf(axis) : axis }), allFirst);
  }
  return unsupported(layer);
}

const EXPORT_ONNX_OPTION_NAMES = optionNames<ExportOnnxOptions>()('opset');

/**
 * The ONNX file of `model` for inference, as bytes (browser-safe; `exportOnnx` of tensile/node
 * writes it to a file). The model must be built (its input shape known). A layer with no ONNX
 * counterpart is refused naming the layer and its class.
 */
export function encodeOnnx(model: AnyModel, options: ExportOnnxOptions = {}): Uint8Array {
  checkOptions('encodeOnnx', options, EXPORT_ONNX_OPTION_NAMES);
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new ValueError(`onnx export: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  if (!model.built) throw new ValueError(`onnx export: model '${model.name}' is not built yet: give it an input shape or call it on data first`);
  const g = new GraphBuilder(opset);
  const values = new Map<SymbolicTensor, Value>();
  const graphInputs: OnnxValueInfo[] = [];
  for (const node of model.graphNodes) {
    if (node.layer instanceof InputLayer) {
      const name = g.unique(node.layer.name);
      values.set(node.output, { name, rank: node.output.shape.length, channelsFirst: false });
      graphInputs.push(valueInfo(name, node.output.shape));
      continue;
    }
    const inputs = node.inputs.map((t) => values.get(t)!);
    if (node.output.dtype !== 'float32') unsupported(node.layer, `outputs ${node.output.dtype}; ONNX export handles float32 graphs`);
    values.set(node.output, emitLayer(g, node.layer, inputs, node.inputs.map((t) => t.shape), node.output.shape));
  }
  const graphOutputs = model.outputs.map((t) => {
    let v = g.channelsLast(values.get(t)!);
    // A graph output must be a node's output, distinct from the inputs and the other outputs.
    if (graphInputs.some((i) => i.name === v.name) || model.outputs.filter((o) => values.get(o)?.name === v.name).length > 1) {
      v = { ...v, name: g.node('Identity', `${v.name}_output`, [v.name]) };
    }
    return valueInfo(v.name, t.shape);
  });
  return encodeModelProto({
    irVersion: ONNX_IR_VERSION,
    producerName: 'tensile',
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: model.name, node: g.nodes, initializer: g.initializers, input: graphInputs, output: graphOutputs },
  });
}
