/**
 * Checks a GGUF model file in JavaScript before llama.cpp sees it: some malformed models make
 * llama.cpp abort the whole process (for example a SentencePiece vocabulary without the byte
 * tokens aborts on the first character it cannot spell), so problems we can detect here become
 * a clear INVALID_ARGUMENT error instead of a crash.
 */
import { open, stat } from 'node:fs/promises';
import { loadNodeLlamaCpp, readGgufFileInfo } from './llama-loader.ts';
import { AtpSimError } from '../core/errors.ts';
import { checkGgufStructure, type GgufLayout } from './local-gguf-layout.ts';

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const SUPPORTED_VERSIONS = new Set([2, 3]);

/** How to point the local backend at a usable model; appended to every file error. */
export const LOCAL_MODEL_FIX =
  'give the path of a llama.cpp GGUF model file (v2 or v3), e.g. --model local:/path/to/model.gguf, ' +
  'or a Hugging Face file as local:hf:<user>/<repo>/<file>.gguf';

function invalid(path: string, problem: string, cause?: unknown): AtpSimError {
  return new AtpSimError(
    'INVALID_ARGUMENT',
    `local model ${JSON.stringify(path)}: ${problem} (fix: ${LOCAL_MODEL_FIX})`,
    [{ path: 'model', message: problem, fix: LOCAL_MODEL_FIX }],
    cause === undefined ? undefined : { cause },
  );
}

/** Summary of a checked file, for messages and ids. */
export interface GgufSummary {
  readonly version: number;
  readonly architecture: string;
  readonly sizeBytes: number;
  /** The context length the model was trained with (`<arch>.context_length`), when given. */
  readonly contextLength?: number;
}

/**
 * Throws AtpSimError(INVALID_ARGUMENT) naming `path` and the fix when the file is missing, not a
 * regular file, not GGUF, of an unsupported version, has an unreadable header, an unknown
 * architecture, hyperparameters or a tensor table llama.cpp would abort on (see
 * local-gguf-layout.ts), tensors beyond the end of the file, or a vocabulary llama.cpp would
 * abort on.
 */
export async function checkGgufFile(path: string): Promise<GgufSummary> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw invalid(path, 'is a directory, not a model file');
    if (!s.isFile()) throw invalid(path, 'is not a regular file');
    size = s.size;
  } catch (err) {
    if (err instanceof AtpSimError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalid(path, 'file not found', err);
    throw invalid(path, `cannot be read (${code ?? String(err)})`, err);
  }

  const head = Buffer.alloc(24);
  let read = 0;
  try {
    const fh = await open(path, 'r');
    try {
      read = (await fh.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw invalid(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  if (read < 4 || head.readUInt32LE(0) !== GGUF_MAGIC) {
    const what = read === 0 ? 'an empty file' : `starts with ${JSON.stringify(head.subarray(0, Math.min(read, 4)).toString('latin1'))}`;
    throw invalid(path, `is not a GGUF model file (${what}; a GGUF file starts with "GGUF")`);
  }
  if (read < 24) throw invalid(path, `is truncated (${size} bytes, shorter than a GGUF header)`);
  const version = head.readUInt32LE(4);
  if (!SUPPORTED_VERSIONS.has(version)) {
    const swapped = head.readUInt32BE(4);
    const hint = SUPPORTED_VERSIONS.has(swapped)
      ? 'it is a big-endian GGUF file; use the little-endian file'
      : version === 1
        ? 'GGUF v1 is obsolete; download a current conversion of the model'
        : 'llama.cpp reads GGUF v2 and v3';
    throw invalid(path, `has unsupported GGUF version ${version} (${hint})`);
  }

  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, sourceType: 'filesystem' });
  } catch (err) {
    throw invalid(path, `has a corrupt or truncated GGUF header (${err instanceof Error ? err.message : String(err)})`, err);
  }
  const meta = info.metadata as unknown as {
    general?: { architecture?: unknown };
    tokenizer?: { ggml?: { model?: unknown; tokens?: unknown } };
  };
  const architecture = meta.general?.architecture;
  const declaredTensors = Number(head.readBigUInt64LE(8));
  const tensors = info.tensorInfo ?? [];
  if (tensors.length < declaredTensors || (info.infoEndOffset ?? 0) > size) {
    throw invalid(path, `is truncated (${size} bytes; its header announces ${declaredTensors} tensors but the file ends before their table)`);
  }
  if (typeof architecture !== 'string' || architecture === '') {
    throw invalid(path, 'has no general.architecture in its metadata (not a llama.cpp model)');
  }
  if (!(await knownArchitectures()).has(architecture)) {
    throw invalid(
      path,
      `has the model architecture ${JSON.stringify(architecture)}, which this llama.cpp build (node-llama-cpp 3.21.1) does not know ` +
        '(it knows llama, qwen2, qwen3, gemma3, phi3, mistral3, ...); convert the model with a current llama.cpp or use another model',
    );
  }
  const tokenizerModel = meta.tokenizer?.ggml?.model;
  const tokens = meta.tokenizer?.ggml?.tokens;
  if (tokenizerModel === 'llama' && Array.isArray(tokens)) {
    // SentencePiece vocabularies fall back to byte tokens for characters they cannot spell;
    // llama.cpp aborts the process when one is missing.
    const present = new Set<string>();
    for (const t of tokens) if (typeof t === 'string' && t.length === 6 && t.startsWith('<0x')) present.add(t);
    const missing: string[] = [];
    for (let b = 0; b < 256; b++) {
      const name = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      if (!present.has(name)) missing.push(name);
    }
    if (missing.length > 0) {
      throw invalid(
        path,
        `has a SentencePiece vocabulary without ${missing.length} of the 256 byte tokens ` +
          `(${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}); llama.cpp would crash on it`,
      );
    }
  }
  const layout: GgufLayout = {
    architecture,
    metadata: info.metadata as unknown as Record<string, unknown>,
    vocabSize: Array.isArray(tokens) ? tokens.length : undefined,
    // A model split into several files (`-00001-of-00003.gguf`): the tensors of every part.
    tensors: (info.fullTensorInfo ?? tensors).map((t) => ({
      name: t.name,
      dims: t.dimensions.map(Number),
      type: t.ggmlType,
      fileOffset: Number(t.fileOffset),
      part: t.filePart,
    })),
    fileSize: size,
  };
  const problem = checkGgufStructure(layout);
  if (problem) throw invalid(path, problem);
  const arch = (info.metadata as unknown as Record<string, { context_length?: unknown }>)[architecture];
  const contextLength = typeof arch?.context_length === 'number' ? arch.context_length : undefined;
  return { version, architecture, sizeBytes: size, ...(contextLength ? { contextLength } : {}) };
}

/** The architectures node-llama-cpp 3.21.1's llama.cpp knows; llama.cpp refuses any other.
 * (Declared a const enum, but the package ships it as an object; loaded on first use.) */
let known: ReadonlySet<string> | undefined;
async function knownArchitectures(): Promise<ReadonlySet<string>> {
  const mod = (await loadNodeLlamaCpp()) as unknown as { GgufArchitectureType: Record<string, string> };
  known ??= new Set(Object.values(mod.GgufArchitectureType));
  return known;
}
