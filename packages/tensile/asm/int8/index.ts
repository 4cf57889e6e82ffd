// Entry of the int8 inference module (one thread, its own memory): im2col (a dense layer is a 1×1 conv on a 1×1 image), the int16 dot
// GEMM with requantisation, max and global average pooling. The host lays out all buffers above heapBase().
export { im2colS8 } from './im2col';
export { gemmS16 } from './gemm';
export { globalAveragePoolS8, maxPoolS8 } from './pool';

export function heapBase(): usize {
  return __heap_base;
}
