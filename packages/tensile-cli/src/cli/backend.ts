/**
 * --backend: picks a backend by name. 'native' lives in the optional package
 * @tensile/backend-native, loaded on demand; when it is not installed or not built the command says
 * so in one line and runs on WASM.
 */
import { backendNames, setBackend } from 'tensile';

const NATIVE_PACKAGE = '@tensile/backend-native';

interface NativePackage {
  nativeUnavailable(): string | undefined;
}

/** Why the native backend cannot run here, or undefined once it is registered and loadable. */
export async function loadNativeBackend(): Promise<string | undefined> {
  try {
    // A variable specifier: the package is optional, so neither tsc nor bundlers may require it.
    const specifier: string = NATIVE_PACKAGE;
    const pkg = (await import(specifier)) as NativePackage;
    return pkg.nativeUnavailable();
  } catch (e) {
    return `${NATIVE_PACKAGE} is not installed (npm install ${NATIVE_PACKAGE}; it builds with a C compiler) — ${(e as Error).message.split('\n')[0]}`;
  }
}

export async function chooseBackend(name: string): Promise<void> {
  if (name === 'native' && !backendNames().includes('native')) {
    const why = await loadNativeBackend();
    if (why !== undefined) {
      process.stderr.write(`tensile: --backend native unavailable: ${why}; using wasm\n`);
      setBackend('wasm');
      return;
    }
  }
  setBackend(name);
}
