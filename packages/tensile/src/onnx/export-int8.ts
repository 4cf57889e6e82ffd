/**
 * An int8 model (quantize/) as an ONNX graph that computes what Tensile's int8 runtime computes, bit
 * for bit: every integer and every float32/float64 operation of the runtime is written as the ONNX op
 * doing the same arithmetic in the same precision and order.
 *
 * - input: q = clamp(round(x / scale) + zeroPoint), rounded half up in float64 as the runtime's
 *   `quantizeValue` does: Cast(double) → Div → Add 0.5 → Floor → Add → Clip;
 * - convolution (a dense layer is a 1×1 one): the int32 sums Σ (x − zeroPoint)·w by ConvInteger (padding
 *   with the zero point, as the runtime's im2col does), then sum·scale + offset in float32 (Cast, Mul,
 *   Add), rounded half to even (Round, as WebAssembly's `nearest`) and clamped to [floor, 127]; the last
 *   one stops before the rounding, its float32 values being the logits;
 * - max pool on the integers; global average pool as the mean of the integers in float64, rounded
 *   half up; flatten in the runtime's (row, column, channel) order.
 *
 * Activations are carried as uint8 (int8 + 128, zero points likewise): ONNX Runtime's ConvInteger takes
 * uint8 input and weights, the shift leaves every difference (x − zeroPoint) unchanged, and 128 is the
 * weights' zero point. QLinearConv/QLinearMatMul are not used: they add the bias as int32 at the
 * input×weight scale and leave the requantisation's rounding to the runtime, where Tensile adds a float32
 * bias after the scale (see docs/interop-NOTES.md); QuantizeLinear rounds half to even in float32 where
 * Tensile rounds half up in float64.
 */
import { ValueError } from '../errors.js';
import { outputShapeOf, type QuantizedConv, type QuantizedModel } from '../quantize/quantized-model.js';
import { checkOptions, optionNames } from '../options.js';
import { DEFAULT_OPSET, type ExportOnnxOptions } from './export.js';
import { GraphBuilder, TO_CHANNELS_FIRST, TO_CHANNELS_LAST, valueInfo } from './graph-builder.js';
import { encodeModelProto, ONNX_DOUBLE, ONNX_FLOAT, ONNX_IR_VERSION, ONNX_UINT8 } from './onnx-proto.js';

const MIN_OPSET = 13;
const MAX_OPSET = 21;
/** int8 → uint8 carried value. */
const SHIFT = 128;

/** `x` (uint8, NCHW, zero point `zeroPoint` in int8 terms) through one int8 convolution. */
function emitConv(g: GraphBuilder, layer: QuantizedConv, x: string, input: { scale: number; zeroPoint: number }): string {
  const name = layer.name;
  const { kernelHeight: kh, kernelWidth: kw, inChannels: c, outChannels: o } = layer;
  // [o, (ky, kx, c)] int8 → [o, c, ky, kx] uint8.
  const patch = kh * kw * c;
  const weights = new Uint8Array(o * patch);
  for (let out = 0; out < o; out++) {
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ch = 0; ch < c; ch++) {
      weights[((out * c + ch) * kh + ky) * kw + kx] = layer.weights[out * patch + (ky * kw + kx) * c + ch]! + SHIFT;
    }
  }
  const inputZero = g.rawInitializer(`${name}.input_zero_point`, ONNX_UINT8, Uint8Array.of(input.zeroPoint + SHIFT), []);
  let padded = x;
  if (layer.padding === 'same') {
    const [top, left] = [Math.floor((kh - 1) / 2), Math.floor((kw - 1) / 2)];
    padded = g.node('Pad', `${name}/pad`, [x, g.intInitializer(`${name}.pads`, [0, 0, top, left, 0, 0, kh - 1 - top, kw - 1 - left]), inputZero], { mode: 'constant' });
  }
  const sums = g.node('ConvInteger', `${name}/sums`, [padded, g.rawInitializer(`${name}.weights`, ONNX_UINT8, weights, [o, c, kh, kw]), inputZero, g.rawInitializer(`${name}.weight_zero_point`, ONNX_UINT8, Uint8Array.of(SHIFT), [])], {
    kernel_shape: [kh, kw],
  });
  // The runtime's per-channel factors, computed in float64 and stored as float32, the same way.
  const outScale = layer.output?.scale ?? 1;
  const outZero = layer.output?.zeroPoint ?? 0;
  const scales = Float32Array.from(layer.weightScales, (s) => (input.scale * s) / outScale);
  const offsets = Float32Array.from(layer.bias, (b) => b / outScale + outZero);
  const real = g.node('Cast', `${name}/float`, [sums], { to: ONNX_FLOAT });
  const scaled = g.node('Mul', `${name}/scaled`, [real, g.floatInitializer(`${name}.scales`, scales, [1, o, 1, 1])]);
  const value = g.node('Add', layer.output === null ? name : `${name}/value`, [scaled, g.floatInitializer(`${name}.offsets`, offsets, [1, o, 1, 1])]);
  if (layer.output === null) return value;
  const rounded = g.node('Round', `${name}/rounded`, [value]);
  // The fused ReLU floors at the output zero point; without it, int8's floor.
  const clipped = g.node('Clip', `${name}/clipped`, [rounded, g.scalar(`${name}.floor`, layer.relu ? outZero : -SHIFT), g.scalar(`${name}.ceiling`, SHIFT - 1)]);
  return g.node('Cast', name, [g.node('Add', `${name}/shifted`, [clipped, g.scalar(`${name}.shift`, SHIFT)])], { to: ONNX_UINT8 });
}

/** A float64 scalar initializer. */
function double(g: GraphBuilder, name: string, value: number): string {
  return g.rawInitializer(name, ONNX_DOUBLE, Float64Array.of(value), []);
}

/** `x` as float64 + 0.5, floored: Math.round's half-up rounding of a float64. */
function roundHalfUp(g: GraphBuilder, name: string, x: string): string {
  return g.node('Floor', `${name}/floor`, [g.node('Add', `${name}/half_up`, [x, double(g, `${name}.half`, 0.5)])]);
}

const EXPORT_INT8_OPTION_NAMES = optionNames<ExportOnnxOptions>()('opset');

/**
 * The ONNX file of an int8 model (browser-safe bytes): float NHWC images in, as `Int8Runtime.predictLogits`
 * takes them, float logits [batch, outputSize] out, equal to the runtime's (see the file comment).
 */
export function encodeInt8Onnx(model: QuantizedModel, options: ExportOnnxOptions = {}): Uint8Array {
  checkOptions('encodeInt8Onnx', options, EXPORT_INT8_OPTION_NAMES);
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new ValueError(`onnx export: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  const last = model.layers[model.layers.length - 1];
  if (last?.kind !== 'conv' || last.output !== null) throw new ValueError(`onnx export: int8 model '${model.name}' must end in a convolution or dense layer with float output`);
  const g = new GraphBuilder(opset);
  const input = g.unique('image');
  const { scale: inScale, zeroPoint: inZero } = model.input;
  const scaled = g.node('Div', 'quantize/scaled', [g.node('Cast', 'quantize/double', [input], { to: ONNX_DOUBLE }), double(g, 'quantize.scale', inScale)]);
  const clipped = g.node('Clip', 'quantize/clipped', [g.node('Add', 'quantize/shifted', [roundHalfUp(g, 'quantize', scaled), double(g, 'quantize.zero_point', inZero + SHIFT)]), double(g, 'quantize.min', 0), double(g, 'quantize.max', 255)]);
  let x = g.node('Transpose', 'quantize', [g.node('Cast', 'quantize/uint8', [clipped], { to: ONNX_UINT8 })], { perm: TO_CHANNELS_FIRST });
  let activation = { scale: inScale, zeroPoint: inZero };
  let shape = model.inputShape;
  for (const layer of model.layers) {
    switch (layer.kind) {
      case 'conv':
        if (shape[2] !== layer.inChannels) throw new ValueError(`onnx export: int8 layer '${layer.name}' takes ${layer.inChannels} channels, got ${shape.join('×')}`);
        x = emitConv(g, layer, x, activation);
        if (layer.output !== null) activation = { ...layer.output };
        break;
      case 'maxPool':
        x = g.node('MaxPool', layer.name, [x], { kernel_shape: [layer.poolSize, layer.poolSize], strides: [layer.poolSize, layer.poolSize] });
        break;
      case 'globalAveragePool': {
        const name = layer.name;
        const signed = g.node('Sub', `${name}/signed`, [g.node('Cast', `${name}/double`, [x], { to: ONNX_DOUBLE }), double(g, `${name}.shift`, SHIFT)]);
        const sums = g.node('ReduceSum', `${name}/sums`, [signed, g.intInitializer(`${name}.axes`, [2, 3])], { keepdims: 1 });
        const mean = g.node('Div', `${name}/mean`, [sums, double(g, `${name}.pixels`, shape[0] * shape[1])]);
        x = g.node('Cast', name, [g.node('Add', `${name}/shifted`, [roundHalfUp(g, name, mean), double(g, `${name}.shift_back`, SHIFT)])], { to: ONNX_UINT8 });
        break;
      }
      case 'flatten':
        // (row, column, channel) order, kept as the channels of a 1×1 image.
        x = g.node('Reshape', layer.name, [g.node('Transpose', `${layer.name}/nhwc`, [x], { perm: TO_CHANNELS_LAST }), g.intInitializer(`${layer.name}.shape`, [0, -1, 1, 1])]);
        break;
    }
    shape = outputShapeOf(layer, shape);
  }
  const outputSize = shape[0] * shape[1] * shape[2];
  const logits = g.node('Reshape', 'logits', [g.node('Transpose', 'logits/nhwc', [x], { perm: TO_CHANNELS_LAST }), g.intInitializer('logits.shape', [0, outputSize])]);
  return encodeModelProto({
    irVersion: ONNX_IR_VERSION,
    producerName: 'tensile',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(input, [null, ...model.inputShape])],
      output: [valueInfo(logits, [null, outputSize])],
    },
  });
}
