/**
 * @tensile/backend-native: importing this module registers the backend as 'native' with tensile
 * (opt in with `setBackend('native')`). It is registered even when the kernels are not built, so
 * that choosing it fails with an error that says why; `nativeUnavailable()` tells beforehand.
 */
import { registerBackend } from 'tensile';
import { NativeBackend } from './native-backend.js';

export { NativeBackend, type NativeBackendOptions } from './native-backend.js';
export { nativeUnavailable, type Isa } from './kernels.js';

/** Below wasm (10), so the default backend stays WASM until the user picks 'native'; above reference (0). */
export const NATIVE_BACKEND_PRIORITY = 5;

registerBackend('native', () => new NativeBackend(), NATIVE_BACKEND_PRIORITY);
