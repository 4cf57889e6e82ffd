// One task entry point for the kernels the host splits across threads by their arguments (element
// ranges, image ranges): a task block is [kernel code, arguments…] as i32.
import { activationGrad } from './activation-grad';
import { adamStep } from './adam';
import { whereBlock } from './compare';
import { conv1ChannelFilterGrad, conv1ChannelRows, depthwiseConvRows } from './conv';
import { castElements, elementwiseBlock, unaryF32 } from './elementwise';
import { hogFeatureRows, hogHistogramRows } from './hog';
import { pool2d, pool2dBackward } from './pool';
import { resampleColumnsF32, resampleRowsF32 } from './resample';
import { windowScoreRows } from './window-scores';

/**
 * The kernels `callTask` runs, named as their functions (the host reads these codes from the build
 * and types each task's arguments by the function's parameters).
 */
export enum TaskKernel {
  elementwiseBlock, whereBlock, unaryF32, castElements, pool2d, pool2dBackward, conv1ChannelRows, activationGrad,
  conv1ChannelFilterGrad, adamStep, depthwiseConvRows, hogHistogramRows, hogFeatureRows,
  resampleRowsF32, resampleColumnsF32, windowScoreRows,
}

function arg(task: usize, index: i32): i32 {
  return load<i32>(task + (<usize>(index + 1) << 2));
}

function ptr(task: usize, index: i32): usize {
  return <usize>arg(task, index);
}

export function callTask(task: usize): void {
  switch (load<i32>(task)) {
    case TaskKernel.elementwiseBlock:
      elementwiseBlock(arg(task, 0), arg(task, 1), ptr(task, 2), arg(task, 3), arg(task, 4), ptr(task, 5), arg(task, 6), arg(task, 7),
        ptr(task, 8), arg(task, 9), arg(task, 10));
      break;
    case TaskKernel.whereBlock:
      whereBlock(arg(task, 0), ptr(task, 1), arg(task, 2), arg(task, 3), ptr(task, 4), arg(task, 5), arg(task, 6),
        ptr(task, 7), arg(task, 8), arg(task, 9), ptr(task, 10), arg(task, 11), arg(task, 12));
      break;
    case TaskKernel.unaryF32:
      unaryF32(arg(task, 0), ptr(task, 1), ptr(task, 2), arg(task, 3));
      break;
    case TaskKernel.castElements:
      castElements(arg(task, 0), arg(task, 1), ptr(task, 2), ptr(task, 3), arg(task, 4));
      break;
    case TaskKernel.pool2d:
    case TaskKernel.pool2dBackward: {
      const backward = load<i32>(task) == TaskKernel.pool2dBackward;
      // pool2d(isMax, x, out, 12 geometry ints); pool2dBackward(mode, dy, x, dx, the same 12).
      const g = backward ? 4 : 3;
      const mode = arg(task, 0);
      const batch = arg(task, g), inHeight = arg(task, g + 1), inWidth = arg(task, g + 2), channels = arg(task, g + 3);
      const outHeight = arg(task, g + 4), outWidth = arg(task, g + 5), filterHeight = arg(task, g + 6), filterWidth = arg(task, g + 7);
      const strideHeight = arg(task, g + 8), strideWidth = arg(task, g + 9), padTop = arg(task, g + 10), padLeft = arg(task, g + 11);
      if (backward) {
        pool2dBackward(mode, ptr(task, 1), ptr(task, 2), ptr(task, 3), batch, inHeight, inWidth, channels, outHeight, outWidth,
          filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft);
      } else {
        pool2d(mode != 0, ptr(task, 1), ptr(task, 2), batch, inHeight, inWidth, channels, outHeight, outWidth,
          filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft);
      }
      break;
    }
    case TaskKernel.conv1ChannelRows:
    case TaskKernel.depthwiseConvRows:
      (load<i32>(task) == TaskKernel.conv1ChannelRows ? conv1ChannelRows : depthwiseConvRows)(ptr(task, 0), arg(task, 1), arg(task, 2), arg(task, 3), arg(task, 4), arg(task, 5), arg(task, 6), arg(task, 7),
        arg(task, 8), arg(task, 9), arg(task, 10), ptr(task, 11), arg(task, 12), ptr(task, 13), arg(task, 14), arg(task, 15),
        ptr(task, 16), arg(task, 17) != 0);
      break;
    case TaskKernel.activationGrad:
      activationGrad(arg(task, 0), ptr(task, 1), ptr(task, 2), ptr(task, 3), arg(task, 4));
      break;
    case TaskKernel.conv1ChannelFilterGrad:
      conv1ChannelFilterGrad(ptr(task, 0), arg(task, 1), arg(task, 2), arg(task, 3), arg(task, 4), arg(task, 5), arg(task, 6), arg(task, 7),
        arg(task, 8), arg(task, 9), arg(task, 10), arg(task, 11), ptr(task, 12), arg(task, 13), ptr(task, 14), arg(task, 15), arg(task, 16));
      break;
    case TaskKernel.adamStep:
      adamStep(ptr(task, 0), ptr(task, 1), ptr(task, 2), ptr(task, 3), ptr(task, 4), ptr(task, 5), ptr(task, 6), arg(task, 7),
        arg(task, 8), arg(task, 9), arg(task, 10), arg(task, 11), arg(task, 12), arg(task, 13), arg(task, 14), arg(task, 15));
      break;
    case TaskKernel.hogHistogramRows:
      hogHistogramRows(ptr(task, 0), arg(task, 1), arg(task, 2), arg(task, 3), ptr(task, 4), ptr(task, 5), ptr(task, 6), arg(task, 7), arg(task, 8));
      break;
    case TaskKernel.hogFeatureRows:
      hogFeatureRows(arg(task, 0), arg(task, 1), arg(task, 2), ptr(task, 3), ptr(task, 4), ptr(task, 5), ptr(task, 6), arg(task, 7), arg(task, 8));
      break;
    case TaskKernel.resampleRowsF32:
      resampleRowsF32(ptr(task, 0), arg(task, 1), arg(task, 2), ptr(task, 3), ptr(task, 4), ptr(task, 5), arg(task, 6), ptr(task, 7), arg(task, 8), arg(task, 9));
      break;
    case TaskKernel.resampleColumnsF32:
      resampleColumnsF32(ptr(task, 0), arg(task, 1), ptr(task, 2), ptr(task, 3), ptr(task, 4), arg(task, 5), arg(task, 6) != 0, ptr(task, 7), arg(task, 8), arg(task, 9));
      break;
    case TaskKernel.windowScoreRows:
      windowScoreRows(ptr(task, 0), arg(task, 1), arg(task, 2), ptr(task, 3), arg(task, 4), arg(task, 5), ptr(task, 6), arg(task, 7), arg(task, 8));
      break;
    default:
      unreachable();
  }
}
