/**
 * The one place that loads node-llama-cpp. It is an optional peer dependency (its prebuilt
 * llama.cpp binaries weigh hundreds of megabytes, and only `local:` models use it), so it is
 * imported on first use, and a missing install becomes a one-line error naming the command.
 */
import type * as NodeLlamaCpp from 'node-llama-cpp';
import { AtpSimError } from '../core/errors.ts';

/** The version the local backend is tested with (package.json: devDependencies). */
export const NODE_LLAMA_CPP_INSTALL = 'npm install node-llama-cpp@3.21.1';

let loading: Promise<typeof NodeLlamaCpp> | undefined;

/** node-llama-cpp's module; `specifier` is for tests (a package that is not installed). */
export function loadNodeLlamaCpp(specifier = 'node-llama-cpp'): Promise<typeof NodeLlamaCpp> {
  const load = async () => {
    try {
      return (await import(specifier)) as typeof NodeLlamaCpp;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes(`'${specifier}'`)) throw err;
      throw new AtpSimError(
        'INVALID_ARGUMENT',
        `--model local:...: local models need the optional package node-llama-cpp, which is not installed (fix: ${NODE_LLAMA_CPP_INSTALL})`,
        [],
        { cause: err },
      );
    }
  };
  if (specifier !== 'node-llama-cpp') return load();
  loading ??= load();
  loading.catch(() => (loading = undefined));
  return loading;
}

/** node-llama-cpp's GGUF header reader, loaded on first call. */
export async function readGgufFileInfo(
  ...args: Parameters<typeof NodeLlamaCpp.readGgufFileInfo>
): ReturnType<typeof NodeLlamaCpp.readGgufFileInfo> {
  return (await loadNodeLlamaCpp()).readGgufFileInfo(...args);
}
