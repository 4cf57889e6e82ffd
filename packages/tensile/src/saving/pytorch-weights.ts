/**
 * A model's weights under PyTorch's names and layouts, so that they load into the equivalent `nn.Module`
 * (`load_state_dict`) and a PyTorch state dict loads back into the Tensile model. The convention, per layer
 * (the module named like the Tensile layer, e.g. `nn.Sequential(OrderedDict(conv1=…, fc=…))`):
 *
 * | Tensile layer | PyTorch module | tensors |
 * |---|---|---|
 * | Dense kernel [in, out], bias | nn.Linear | `name.weight` [out, in] (transposed), `name.bias` |
 * | Dense after Flatten of an [H, W, C] map | nn.Linear after nn.Flatten of NCHW | `name.weight` [out, C·H·W], its columns in (c, h, w) order |
 * | Conv2D kernel HWIO (groups: [kH, kW, in/groups, out]) | nn.Conv2d (groups) | `name.weight` OIHW, `name.bias` |
 * | DepthwiseConv2D [kH, kW, C, M] | nn.Conv2d(C, C·M, groups=C) | `name.weight` [C·M, 1, kH, kW] |
 * | Conv1D [k, in, out] | nn.Conv1d | `name.weight` [out, in, k] |
 * | BatchNormalization γ, β, moving mean/variance | nn.BatchNorm1d/2d (eps = Tensile's epsilon, default 1e-3; momentum = 1 − Tensile's) | `name.weight`, `name.bias`, `name.running_mean`, `name.running_var` |
 * | LayerNormalization γ, β | nn.LayerNorm (eps likewise) | `name.weight`, `name.bias` |
 * | Embedding | nn.Embedding | `name.weight` [inputDim, outputDim] |
 *
 * Layers without weights (activations, pools, Dropout …) have no tensors. PyTorch's images are NCHW:
 * its module takes the input permuted, and the kernels and the Dense-after-Flatten columns above are laid
 * out for it. Layers with other weights (SeparableConv2D, Conv2DTranspose, LSTM, GRU) are refused by name.
 * BatchNorm's `num_batches_tracked` is not written; PyTorch fills it in when it is missing.
 */
import { ValueError } from '../errors.js';
import { permute } from '../ops/permute.js';
import { reshape } from '../ops/reshape.js';
import { Conv1D, Conv2D, DepthwiseConv2D } from '../nn/layers/convolution.js';
import { Dense } from '../nn/layers/dense.js';
import { Dropout, SpatialDropout } from '../nn/layers/dropout.js';
import { Activation, Rescaling } from '../nn/layers/elementwise.js';
import { Embedding } from '../nn/layers/embedding.js';
import { BatchNormalization, LayerNormalization } from '../nn/layers/normalization.js';
import { Flatten } from '../nn/layers/reshaping.js';
import type { AnyLayer, Model } from '../nn/model.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { ModelFileError } from './errors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

/** One Tensile tensor and its PyTorch counterpart: name, and the layout change each way. */
interface TensorMapping {
  readonly layer: AnyLayer;
  readonly tensile: Tensor;
  readonly torchName: string;
  readonly toTorch: (t: Tensor) => Tensor;
  readonly fromTorch: (t: Tensor) => Tensor;
}

const same = (t: Tensor): Tensor => t;
/** Layers between a Flatten and a Dense that keep the order of the flattened values. */
const ORDER_KEEPING = [Dropout, SpatialDropout, Activation, Rescaling];

/** The [H, W, C] map a Dense layer's input was flattened from (through order-keeping layers), if any. */
function flattenedMap(model: AnyModel, layer: Dense): readonly [number, number, number] | null {
  const node = model.graphNodes.find((n) => n.layer === layer);
  let t = node?.inputs[0];
  while (t && ORDER_KEEPING.some((cls) => t!.node.layer instanceof cls)) t = t.node.inputs[0];
  if (!t || !(t.node.layer instanceof Flatten)) return null;
  const source = t.node.inputs[0]!.shape;
  if (source.length !== 4 || source.slice(1).some((d) => d === null)) return null;
  return source.slice(1) as [number, number, number];
}

function layerMappings(model: AnyModel, layer: AnyLayer): TensorMapping[] {
  const name = layer.name;
  const own = Object.fromEntries([...layer.namedParameters(), ...layer.namedBuffers()]);
  if (Object.keys(own).length === 0) return [];
  const map = (tensile: Tensor | null | undefined, suffix: string, toTorch: (t: Tensor) => Tensor = same, fromTorch: (t: Tensor) => Tensor = same): TensorMapping[] =>
    tensile ? [{ layer, tensile, torchName: `${name}.${suffix}`, toTorch, fromTorch }] : [];
  if (layer instanceof Dense) {
    const map3 = flattenedMap(model, layer);
    const out = layer.kernel!.shape[1]!;
    const kernel = map3 === null
      ? map(layer.kernel, 'weight', (k) => permute(k, [1, 0]), (w) => permute(w, [1, 0]))
      : map(
        layer.kernel,
        'weight',
        (k) => reshape(permute(reshape(k, [...map3, out]), [3, 2, 0, 1]), [out, map3[0] * map3[1] * map3[2]]),
        (w) => reshape(permute(reshape(w, [out, map3[2], map3[0], map3[1]]), [2, 3, 1, 0]), [map3[0] * map3[1] * map3[2], out]),
      );
    return [...kernel, ...map(layer.bias, 'bias')];
  }
  if (layer instanceof Conv2D) return [...map(layer.kernel, 'weight', (k) => permute(k, [3, 2, 0, 1]), (w) => permute(w, [2, 3, 1, 0])), ...map(layer.bias, 'bias')];
  if (layer instanceof DepthwiseConv2D) {
    const [kh, kw, c, m] = layer.kernel!.shape as [number, number, number, number];
    return [
      ...map(layer.kernel, 'weight', (k) => reshape(permute(k, [2, 3, 0, 1]), [c * m, 1, kh, kw]), (w) => permute(reshape(w, [c, m, kh, kw]), [2, 3, 0, 1])),
      ...map(layer.bias, 'bias'),
    ];
  }
  if (layer instanceof Conv1D) return [...map(layer.kernel, 'weight', (k) => permute(k, [2, 1, 0]), (w) => permute(w, [2, 1, 0])), ...map(layer.bias, 'bias')];
  if (layer instanceof BatchNormalization) {
    return [...map(layer.gamma, 'weight'), ...map(layer.beta, 'bias'), ...map(layer.movingMean, 'running_mean'), ...map(layer.movingVariance, 'running_var')];
  }
  if (layer instanceof LayerNormalization) return [...map(layer.gamma, 'weight'), ...map(layer.beta, 'bias')];
  if (layer instanceof Embedding) return map(layer.embeddings, 'weight');
  throw new ValueError(`pytorch weights: layer '${name}' (${layer.constructor.name}) has no PyTorch naming convention here (Dense, Conv2D, DepthwiseConv2D, Conv1D, BatchNormalization, LayerNormalization, Embedding)`);
}

function mappingsOf(model: AnyModel): TensorMapping[] {
  if (!model.built) throw new ValueError(`pytorch weights: model '${model.name}' is not built yet: give it an input shape or call it on data first`);
  return model.layers.flatMap((layer) => layerMappings(model, layer));
}

/** The model's weights under PyTorch's names and layouts (new tensors; the model is unchanged). */
export function toPytorchStateDict(model: AnyModel): Record<string, Tensor> {
  return Object.fromEntries(mappingsOf(model).map((m) => [m.torchName, m.toTorch(m.tensile)]));
}

/**
 * Loads a PyTorch state dict (names and layouts of the convention above) into `model`, whose
 * architecture must match: a missing or unexpected tensor, or a shape that does not match, is refused
 * naming the tensor, the layer and both shapes, before any weight changes. `source` names the file.
 */
export function loadPytorchStateDict(model: AnyModel, tensors: Readonly<Record<string, Tensor>>, source = 'pytorch state dict'): void {
  const mappings = mappingsOf(model);
  const expected = new Set(mappings.map((m) => m.torchName));
  const unexpected = Object.keys(tensors).filter((k) => !expected.has(k));
  if (unexpected.length > 0) throw new ModelFileError(source, `holds tensors model '${model.name}' does not have: ${unexpected.join(', ')}`);
  const converted = mappings.map((m) => {
    const given = tensors[m.torchName];
    if (given === undefined) throw new ModelFileError(source, `has no tensor '${m.torchName}' (layer '${m.layer.name}', ${m.layer.constructor.name})`);
    const wanted = m.toTorch(m.tensile).shape;
    if (!shapesEqual(given.shape, wanted)) throw new ModelFileError(source, `tensor '${m.torchName}' is ${formatShape(given.shape)}, but layer '${m.layer.name}' (${m.layer.constructor.name}) needs ${formatShape(wanted)}`);
    if (given.dtype !== 'float32' && given.dtype !== 'float64') throw new ModelFileError(source, `tensor '${m.torchName}' has dtype ${given.dtype}, expected float32`);
    return { m, value: m.fromTorch(given.dtype === 'float32' ? given : given.cast('float32')) };
  });
  for (const { m, value } of converted) m.tensile.assign(value);
}

/** The model's weights as a PyTorch-convention safetensors file (bytes), readable by `safetensors.torch.load_file`. */
export function encodePytorchSafetensors(model: AnyModel): Uint8Array {
  return encodeSafetensors(toPytorchStateDict(model), { format: 'pt' });
}

/** Loads a PyTorch-convention safetensors file (one written by PyTorch has no Tensile checksum) into `model`; `file` names it in errors. */
export function loadPytorchSafetensors(model: AnyModel, bytes: Uint8Array, file: string): void {
  const { tensors } = decodeSafetensors(bytes, file, { skipChecksum: true });
  try {
    loadPytorchStateDict(model, tensors, file);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
