/** Modules, layers, models (Sequential and functional), initialisers and regularisers. */
export { Module, parameter, buffer, type StateDict } from './module.js';
export { StateDictError, LayerError } from './errors.js';
export { BaseLayer, Layer, MergeLayer, type LayerArgs, type LayerConfig, type Json } from './layer.js';
export { SymbolicTensor, type SymbolicShape, formatSymbolicShape } from './symbolic.js';
export { Model, type ModelArgs, type ModelOutput } from './model.js';
export { Sequential, type SequentialArgs } from './sequential.js';
export { Input, InputLayer, type InputLayerArgs } from './layers/input.js';
export { Dense, Linear, type DenseArgs } from './layers/dense.js';
export {
  Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D,
  type Conv1DArgs, type Conv2DArgs, type Conv2DTransposeArgs, type DepthwiseConv2DArgs, type SeparableConv2DArgs,
} from './layers/convolution.js';
export { MaxPool2D, AvgPool2D, GlobalAveragePooling2D, GlobalMaxPooling2D, type Pool2DArgs, type GlobalPool2DArgs } from './layers/pooling.js';
export { BatchNormalization, LayerNormalization, UnitNormalization, type BatchNormalizationArgs, type NormalizationArgs, type UnitNormalizationArgs } from './layers/normalization.js';
export { Dropout, SpatialDropout, type DropoutArgs } from './layers/dropout.js';
export { Flatten, Reshape, ZeroPadding2D, UpSampling2D, type ReshapeArgs, type ZeroPadding2DArgs, type UpSampling2DArgs } from './layers/reshaping.js';
export { Activation, Rescaling, type ActivationArgs, type RescalingArgs } from './layers/elementwise.js';
export { Embedding, type EmbeddingArgs } from './layers/embedding.js';
export { Concatenate, Add, Multiply, type ConcatenateArgs } from './layers/merge.js';
export { LSTM, GRU, type LSTMArgs, type RecurrentArgs } from './layers/recurrent.js';
export {
  RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomAffine,
  type RandomFlipArgs, type RandomRotationArgs, type RandomZoomArgs, type RandomTranslationArgs, type RandomAffineArgs, type FactorRange, type FillMode, FILL_MODES,
  type RandomImageArgs,
} from './layers/augmentation.js';
export { RandomBrightness, RandomContrast, type ValueRangeArgs, type RandomBrightnessArgs, type RandomContrastArgs } from './layers/color-augmentation.js';
export { RandomErasing, type RandomErasingArgs } from './layers/random-erasing.js';
export { initialize, computeFans, INITIALIZERS, type InitializerName, type InitializerOptions, type InitializerSpec } from './initializers.js';
export { regularizationPenalty, type RegularizerSpec } from './regularizers.js';
