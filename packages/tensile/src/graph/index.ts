export { jit, optimizeGraph, type JitOptions, type CompiledFunction, type CompiledGraph, type TensorFunction } from './compile.js';
export { printGraph, type Graph, type GraphNode } from './ir.js';
export { toDot, toMermaid } from './draw.js';
