/** `tensile export onnx MODEL OUT` and `tensile export tfjs MODEL DIR`: a trained model for other runtimes. */
import type { Command } from 'commander';
import path from 'node:path';
import { isQuantizedModelFile, type Model, ModelFileError, modelFromBytes, type SymbolicTensor } from 'tensile';
import { exportOnnx, saveTfjsLayersModel } from 'tensile/node';
import { IntrusionDetector } from '../../apps/ids/detector.node.js';
import { identifyModelBytes, readModelFile } from '../../apps/model-file.node.js';
import { applyCommonOptions, type CommonOptions, emit, positiveInt } from '../options.js';

interface ExportOptions {
  opset?: number;
}

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

/** The float network a model path holds: a saved Tensile model, or an intrusion detector's network. */
async function networkOf(target: string): Promise<{ file: string; model: AnyModel; note: string }> {
  const { file, bytes } = await readModelFile(target);
  if (isQuantizedModelFile(bytes)) throw new ModelFileError(file, 'is an int8 model; export the float model it was quantised from');
  if (identifyModelBytes(bytes)?.owner === 'ids') {
    const detector = IntrusionDetector.fromBytes(bytes, file);
    if (detector.anomaly) throw new ModelFileError(file, 'is a combined detector (MLP or anomaly GAN): its verdict needs four networks and two thresholds, so no single network can be exported');
    return { file, model: detector.network, note: `its input is the ${detector.encoder.width} encoded features of a record (the feature encoder stays in the model file)` };
  }
  return { file, model: modelFromBytes(bytes, file), note: '' };
}

export function registerExportCommands(program: Command): void {
  const exportCommand = program.command('export').description('write a trained model in a format other tools read');
  exportCommand
    .command('onnx')
    .description('write a model (a file or a folder written by a train command) as an ONNX file for ONNX Runtime and other engines: channels-last input as in Tensile, dynamic batch size')
    .argument('<model>', 'model file or folder')
    .argument('<out>', 'the .onnx file to write (atomically)')
    .option('--opset <n>', 'ONNX opset of the graph (13 to 21)', positiveInt, 17)
    .action(async (target: string, out: string, options: ExportOptions, command: Command) => {
      const all = command.optsWithGlobals<CommonOptions & ExportOptions>();
      await applyCommonOptions(all);
      const { file, model, note } = await networkOf(target);
      await exportOnnx(model, out, { opset: options.opset });
      const input = model.inputs.map((t) => [null, ...t.shape.slice(1)]);
      const output = model.outputs.map((t) => [null, ...t.shape.slice(1)]);
      emit(all, { model: file, out, opset: options.opset, input, output }, [
        `wrote ${out}: '${model.name}' from ${file}, opset ${options.opset}, input ${JSON.stringify(input)} → output ${JSON.stringify(output)} (null: any batch size)`,
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
      const { file, model, note } = await networkOf(target);
      await saveTfjsLayersModel(model, dir);
      emit(all, { model: file, out: path.join(dir, 'model.json') }, [`wrote ${path.join(dir, 'model.json')}: '${model.name}' from ${file}`, ...(note ? [note] : [])].join('\n'));
    });
}
