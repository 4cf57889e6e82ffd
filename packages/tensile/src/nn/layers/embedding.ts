import { ShapeError } from '../../errors.js';
import { gather } from '../../ops/gather.js';
import type { Tensor } from '../../tensor/tensor.js';
import { initialize, type InitializerSpec } from '../initializers.js';
import { Layer, type LayerArgs } from '../layer.js';
import { parameter } from '../module.js';
import { regularizationPenalty, type RegularizerSpec } from '../regularizers.js';
import type { SymbolicShape } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: indices lie in [0, inputDim). */
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer?: InitializerSpec;
  readonly embeddingsRegularizer?: RegularizerSpec;
}

/** Looks up a learned vector for each integer index: [N, ...] int32 → [N, ..., outputDim]. */
export class Embedding extends Layer<EmbeddingArgs> {
  static override readonly argNames = optionNames<EmbeddingArgs>()(...LAYER_ARGS, 'inputDim', 'outputDim', 'embeddingsInitializer', 'embeddingsRegularizer');

  embeddings: Tensor | null = null;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    if (s.length < 1) throw new ShapeError('expected a batch axis');
    return [...s, this.args.outputDim];
  }

  protected override build(): void {
    this.embeddings = parameter(initialize(this.args.embeddingsInitializer ?? 'randomUniform', [this.args.inputDim, this.args.outputDim]));
  }

  protected call(x: Tensor): Tensor {
    return gather(this.embeddings!, x.dtype === 'int32' ? x : x.cast('int32'), 0);
  }

  override regularizationLosses(): Tensor[] {
    return this.args.embeddingsRegularizer && this.embeddings ? [regularizationPenalty(this.args.embeddingsRegularizer, this.embeddings)] : [];
  }
}
