/** LFW photographs (JPEG bytes) for the service tests, read from the shared LFW archive. */
import { lfw, setDataRoot, type Lfw } from 'tensile/node';
import { sharedDataRoot } from 'tensile-test-support';

let loaded: Promise<Lfw> | undefined;

/** The JPEG bytes of `Name/Name_0001.jpg`. */
export async function lfwPhoto(relativePath: string): Promise<Uint8Array> {
  setDataRoot(sharedDataRoot);
  loaded ??= lfw();
  const bytes = (await loaded).images.get(relativePath);
  if (bytes === undefined) throw new Error(`LFW subset has no ${relativePath}`);
  return bytes;
}

/** People of the identity-training part with their ten photographs. */
export async function lfwPeople(count: number): Promise<{ name: string; photos: string[] }[]> {
  setDataRoot(sharedDataRoot);
  loaded ??= lfw();
  const { identity } = await loaded;
  return identity.classNames.slice(0, count).map((name, label) => ({ name, photos: identity.files.filter((f) => f.label === label).map((f) => f.path) }));
}

/** One person of the identity-training part with their ten photographs. */
export async function lfwPerson(name: string): Promise<{ name: string; photos: string[] }> {
  const person = (await lfwPeople(Infinity)).find((p) => p.name === name);
  if (person === undefined) throw new Error(`LFW identity-training part has no ${name}`);
  return person;
}
