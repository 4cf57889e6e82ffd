/**
 * Registers the optional native backend (@tensile/backend-native) when it is installed and built,
 * so every suite that runs per backend covers it too; otherwise says once per test file that it
 * is skipped. The package is imported by name at run time: the library never depends on it.
 */
import type { Backend } from '../../src/index.js';
import { backendNames, registerBackend } from '../../src/index.js';

interface NativePackage {
  readonly NativeBackend: new () => Backend;
  nativeUnavailable(): string | undefined;
}

const specifier = '@tensile/backend-native';

async function loadNative(): Promise<NativePackage | string> {
  try {
    const pkg = (await import(specifier)) as NativePackage;
    return pkg.nativeUnavailable() ?? pkg;
  } catch (e) {
    return `${specifier} is not installed (${(e as Error).message.split('\n')[0]})`;
  }
}

const native = await loadNative();
if (typeof native === 'string') console.log(`native backend skipped: ${native}`);
else if (!backendNames().includes('native')) registerBackend('native', () => new native.NativeBackend(), -2);
