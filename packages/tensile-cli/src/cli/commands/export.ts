/**
 * `tensile export onnx MODEL OUT`, `tensile export tfjs MODEL DIR` and `tensile export pytorch MODEL OUT`: a
 * trained model for other runtimes; `tensile import pytorch MODEL WEIGHTS OUT`: weights trained in PyTorch back.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { isQuantizedModelFile, type Model, ModelFileError, modelFromBytes, outputShapeOf, quantizedModelFromBytes, type SymbolicTensor } from 'tensile';
import { exportInt8Onnx, exportOnnx, loadPytorchWeights, saveModel, savePytorchWeights, saveTfjsLayersModel, toPytorchStateDict } from 'tensile/node';
import { TrainedEmbedder } from '../../apps/faces/trained/trained-embedder.node.js';
import { IntrusionDetector } from '../../apps/ids/detector.node.js';
import { identifyModelBytes, readModelFile } from '../../apps/model-file.node.js';
import { applyCommonOptions, type CommonOptions, emit, positiveInt } from '../options.js';

interface ExportOptions {
  opset?: number;
}

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

/** What was exported, for the message: input and output shapes with a dynamic batch axis (null), and a note on the input. */
interface Exported {
  readonly name: string;
  readonly input: readonly (readonly (number | null)[])[];
  readonly output: readonly (readonly (number | null)[])[];
  readonly note: string;
}

/** The float network a model file holds: a saved Tensile model, an intrusion detector's network, or a face embedder with its unit normalisation. */
function networkOf(file: string, bytes: Uint8Array): { model: AnyModel; note: string } {
  if (isQuantizedModelFile(bytes)) throw new ModelFileError(file, 'is an int8 model; export the float model it was quantised from');
  const owner = identifyModelBytes(bytes)?.owner;
  if (owner === 'ids') {
    const detector = IntrusionDetector.fromBytes(bytes, file);
    if (detector.anomaly) throw new ModelFileError(file, 'is a combined detector (MLP or anomaly GAN): its verdict needs four networks and two thresholds, so no single network can be exported');
    return { model: detector.network, note: `its input is the ${detector.encoder.width} encoded features of a record (the feature encoder stays in the model file)` };
  }
  if (owner === 'faces') {
    const embedder = TrainedEmbedder.fromBytes(bytes, file);
    const { inputSize } = embedder.config.net;
    return {
      model: embedder.model,
      note: `its input is ${inputSize}×${inputSize} RGB face chips with pixels in [0, 1], cut as the faces commands cut them (face square ${embedder.config.faceFraction} of the photograph's shorter side); its output is unit-length embeddings, the same person below distance ${embedder.threshold.toFixed(4)}`,
    };
  }
  return { model: modelFromBytes(bytes, file), note: '' };
}

/** Writes the ONNX file of the model in `bytes`: an int8 model as its integer graph, any other as its float network. */
async function writeOnnx(file: string, bytes: Uint8Array, out: string, opset: number): Promise<Exported> {
  if (isQuantizedModelFile(bytes)) {
    const model = quantizedModelFromBytes(bytes, file);
    await exportInt8Onnx(model, out, { opset });
    const [h, w, c] = model.layers.reduce<readonly [number, number, number]>((shape, layer) => outputShapeOf(layer, shape), model.inputShape);
    const note = 'int8: the graph computes the int8 runtime\'s logits (ConvInteger sums, float32 requantisation, the runtime\'s rounding); its input is float images as the int8 runtime takes them';
    return { name: model.name, input: [[null, ...model.inputShape]], output: [[null, h * w * c]], note };
  }
  const { model, note } = networkOf(file, bytes);
  await exportOnnx(model, out, { opset });
  return { name: model.name, input: model.inputs.map((t) => [null, ...t.shape.slice(1)]), output: model.outputs.map((t) => [null, ...t.shape.slice(1)]), note };
}

/** The PyTorch names and shapes of a model's weights, for the message. */
function describeStateDict(model: AnyModel): string {
  return Object.entries(toPytorchStateDict(model)).map(([name, t]) => `${name} [${t.shape.join(', ')}]`).join(', ');
}

export function registerExportCommands(program: Command): void {
  const exportCommand = program.command('export').description('write a trained model in a format other tools read');
  exportCommand
    .command('onnx')
    .description('write a model (a file or a folder written by a train command, an int8 model, an intrusion detector or a face embedder) as an ONNX file for ONNX Runtime and other engines: channels-last input as in Tensile, dynamic batch size')
    .argument('<model>', 'model file or folder')
    .argument('<out>', 'the .onnx file to write (atomically)')
    .option('--opset <n>', 'ONNX opset of the graph (13 to 21)', positiveInt, 17)
    .action(async (target: string, out: string, options: ExportOptions, command: Command) => {
      const all = command.optsWithGlobals<CommonOptions & ExportOptions>();
      await applyCommonOptions(all);
      const { file, bytes } = await readModelFile(target);
      const opset = options.opset ?? 17;
      const { name, input, output, note } = await writeOnnx(file, bytes, out, opset);
      emit(all, { model: file, out, opset, input, output }, [
        `wrote ${out}: '${name}' from ${file}, opset ${opset}, input ${JSON.stringify(input)} → output ${JSON.stringify(output)} (null: any batch size)`,
        ...(note ? [note] : []),
      ].join('\n'));
    });
  exportCommand
    .command('tfjs')
    .description('write a Sequential model as a TensorFlow.js layers model (model.json + one weight shard) that tf.loadLayersModel opens')
    .argument('<model>', 'model file or folder')
    .argument('<dir>', 'the folder to write model.json and group1-shard1of1.bin in')
    .action(async (target: string, dir: string, _options: object, command: Command) => {
      const all = command.optsWithGlobals<CommonOptions>();
      await applyCommonOptions(all);
      const { file, bytes } = await readModelFile(target);
      const { model, note } = networkOf(file, bytes);
      await saveTfjsLayersModel(model, dir);
      emit(all, { model: file, out: path.join(dir, 'model.json') }, [`wrote ${path.join(dir, 'model.json')}: '${model.name}' from ${file}`, ...(note ? [note] : [])].join('\n'));
    });
  exportCommand
    .command('pytorch')
    .description("write a model's weights under PyTorch's names and layouts (Linear [out, in], Conv2d OIHW, BatchNorm running_mean/running_var …) as a safetensors file for the equivalent nn.Module's load_state_dict (docs/interop-many-machines.md)")
    .argument('<model>', 'model file or folder')
    .argument('<out>', 'the .safetensors file to write (atomically)')
    .action(async (target: string, out: string, _options: object, command: Command) => {
      const all = command.optsWithGlobals<CommonOptions>();
      await applyCommonOptions(all);
      const { file, bytes } = await readModelFile(target);
      const { model, note } = networkOf(file, bytes);
      await savePytorchWeights(model, out);
      const tensors = describeStateDict(model);
      emit(all, { model: file, out, tensors: Object.keys(toPytorchStateDict(model)) }, [`wrote ${out}: '${model.name}' from ${file} as PyTorch tensors ${tensors}`, ...(note ? [note] : [])].join('\n'));
    });
  program
    .command('import')
    .description('bring weights trained elsewhere into a Tensile model')
    .command('pytorch')
    .description('load a PyTorch state dict saved as safetensors (names and layouts of tensile export pytorch) into a saved model of the same architecture, and save the result')
    .argument('<model>', 'the Tensile model (file or folder) whose architecture the weights fit')
    .argument('<weights>', 'the PyTorch .safetensors file')
    .argument('<out>', 'where to save the model with the new weights (a .safetensors file or a folder, atomically)')
    .action(async (target: string, weights: string, out: string, _options: object, command: Command) => {
      const all = command.optsWithGlobals<CommonOptions>();
      await applyCommonOptions(all);
      const { file, bytes } = await readModelFile(target);
      const owner = identifyModelBytes(bytes)?.owner;
      if (isQuantizedModelFile(bytes) || owner === 'ids' || owner === 'faces') throw new ModelFileError(file, 'is not a plain saved model (written by saveModel or a train command); tensile import pytorch writes those only');
      const model = modelFromBytes(bytes, file);
      await loadPytorchWeights(model, weights);
      await saveModel(model, out);
      emit(all, { model: file, weights, out }, `wrote ${out}: '${model.name}' from ${file} with the weights of ${weights}`);
    });
}
