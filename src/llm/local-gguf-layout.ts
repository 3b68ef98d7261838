/**
 * Structural checks of a GGUF model's hyperparameters and tensor table, done in JavaScript
 * because llama.cpp answers several malformed models with GGML_ASSERT, which aborts the whole
 * process (SIGABRT) instead of returning an error. Seen with node-llama-cpp 3.21.1:
 *   - `<arch>.block_count` = 1000: GGML_ASSERT(hparams.n_layer_all > 0 && ... <= LLAMA_MAX_LAYERS)
 *     (llama.cpp src/llama-hparams.h: LLAMA_MAX_LAYERS = 512);
 *   - `<arch>.attention.head_count` = 0 or `<arch>.feed_forward_length` = 0:
 *     GGML_ASSERT(t_meta.ne[dim] >= 1) in llama-model-loader.cpp (a tensor's expected shape has a 0).
 * Other defects (a missing tensor, a wrong shape, data cut off) make llama.cpp fail cleanly but
 * with a vague "Failed to load model"; naming the tensor here is clearer.
 */

/** What the checks need from a parsed GGUF file (dims innermost first, as in the file). */
export interface GgufLayout {
  readonly architecture: string;
  /** The parsed metadata, nested by dots (`metadata.llama.attention.head_count`). */
  readonly metadata: Record<string, unknown>;
  readonly vocabSize?: number;
  readonly tensors: ReadonlyArray<{ readonly name: string; readonly dims: readonly number[]; readonly type: number; readonly fileOffset: number; readonly part?: number }>;
  /** Size of the (first) file; tensors in other parts of a split model are not checked against it. */
  readonly fileSize: number;
}

/** llama.cpp's LLAMA_MAX_LAYERS (src/llama-hparams.h). */
export const MAX_LAYERS = 512;
/** ggml's GGML_MAX_DIMS. */
const MAX_DIMS = 4;

/**
 * [elements per block, bytes per block] of the ggml tensor types (ggml/src/ggml.c type_traits;
 * the block structs in ggml-common.h), checked against the bundled binary's
 * getBlockSizeForGgmlType / getTypeSizeForGgmlType. Types not listed are left to llama.cpp.
 */
const GGML_TYPE_SIZES: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
  40: [64, 36], // NVFP4
  41: [128, 18], // Q1_0
  42: [64, 18], // Q2_0
};

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
}

/** The architecture's hyperparameters that shape tensors (absent ones are undefined). */
function hyperparameters(layout: GgufLayout) {
  const arch = (layout.metadata[layout.architecture] ?? {}) as Record<string, unknown>;
  const attention = (arch.attention ?? {}) as Record<string, unknown>;
  return {
    blocks: num(arch.block_count),
    embedding: num(arch.embedding_length),
    feedForward: num(arch.feed_forward_length),
    heads: num(attention.head_count),
    headsKv: num(attention.head_count_kv),
    keyLength: num(attention.key_length),
    valueLength: num(attention.value_length),
    experts: num(arch.expert_count),
  };
}

/** Problems with the hyperparameters themselves, or undefined. */
function checkHyperparameters(layout: GgufLayout): string | undefined {
  const a = layout.architecture;
  const h = hyperparameters(layout);
  const names = new Set(layout.tensors.map((t) => t.name));
  const hasBlockTensor = (suffix: string) => [...names].some((n) => n.startsWith('blk.') && n.endsWith(suffix));
  if (h.blocks !== undefined && (!Number.isInteger(h.blocks) || h.blocks < 1 || h.blocks > MAX_LAYERS)) {
    return `has ${a}.block_count = ${h.blocks}; llama.cpp needs 1 to ${MAX_LAYERS} blocks and would crash on it`;
  }
  if (h.embedding !== undefined && (!Number.isInteger(h.embedding) || h.embedding < 1)) {
    return `has ${a}.embedding_length = ${h.embedding}; it must be a positive integer`;
  }
  if (h.heads !== undefined && h.heads < 1 && (hasBlockTensor('.attn_q.weight') || hasBlockTensor('.attn_qkv.weight'))) {
    return `has ${a}.attention.head_count = ${h.heads} but attention tensors; llama.cpp would crash on it`;
  }
  if (h.heads !== undefined && h.heads >= 1 && h.embedding !== undefined && h.keyLength === undefined && h.embedding % h.heads !== 0) {
    return `has ${a}.embedding_length = ${h.embedding}, not divisible by ${a}.attention.head_count = ${h.heads}`;
  }
  if (h.heads !== undefined && h.headsKv !== undefined && h.headsKv >= 1 && h.heads % h.headsKv !== 0) {
    return `has ${a}.attention.head_count = ${h.heads}, not a multiple of ${a}.attention.head_count_kv = ${h.headsKv}`;
  }
  if (h.feedForward !== undefined && h.feedForward < 1 && hasBlockTensor('.ffn_down.weight')) {
    return `has ${a}.feed_forward_length = ${h.feedForward} but feed-forward tensors; llama.cpp would crash on it`;
  }
  return undefined;
}

/** Problems with the tensor table (shapes, types, data beyond the end of the file), or undefined. */
function checkTensors(layout: GgufLayout): string | undefined {
  for (const t of layout.tensors) {
    if (t.dims.length < 1 || t.dims.length > MAX_DIMS || t.dims.some((d) => !Number.isInteger(d) || d < 1)) {
      return `has tensor ${t.name} with shape [${t.dims.join(', ')}]; every tensor has 1 to ${MAX_DIMS} dimensions of at least 1`;
    }
    const size = GGML_TYPE_SIZES[t.type];
    if (!size) continue;
    const [perBlock, blockBytes] = size;
    if (t.dims[0] % perBlock !== 0) {
      return `has tensor ${t.name} with a first dimension of ${t.dims[0]}, not a multiple of its type's block of ${perBlock}`;
    }
    const bytes = (t.dims[0] / perBlock) * blockBytes * t.dims.slice(1).reduce((x, y) => x * y, 1);
    if ((t.part ?? 1) === 1 && t.fileOffset + bytes > layout.fileSize) {
      return `is truncated: tensor ${t.name} needs bytes ${t.fileOffset} to ${t.fileOffset + bytes} but the file has ${layout.fileSize} bytes (download it again)`;
    }
  }
  return undefined;
}

/** Blocks named by tensors against `block_count`: none beyond it, none missing. */
function checkBlocks(layout: GgufLayout): string | undefined {
  const { blocks } = hyperparameters(layout);
  if (blocks === undefined) return undefined;
  const seen = new Set<number>();
  for (const t of layout.tensors) {
    const m = /^blk\.(\d+)\./.exec(t.name);
    if (!m) continue;
    const b = Number(m[1]);
    if (b >= blocks) return `has tensor ${t.name} but ${layout.architecture}.block_count = ${blocks}`;
    seen.add(b);
  }
  if (seen.size === 0) return undefined; // architectures without per-block tensors (none known today)
  for (let b = 0; b < blocks; b++) {
    if (!seen.has(b)) {
      return `has ${layout.architecture}.block_count = ${blocks} but no tensors for block ${b}${seen.size < blocks - 1 ? ` (tensors exist for ${seen.size} of the ${blocks} blocks)` : ''}`;
    }
  }
  return undefined;
}

/** The llama architecture's tensors and shapes (llama.cpp src/llama-model.cpp, LLM_ARCH_LLAMA). */
function checkLlamaShapes(layout: GgufLayout): string | undefined {
  const h = hyperparameters(layout);
  if (h.blocks === undefined || h.embedding === undefined || h.heads === undefined || h.heads < 1) return undefined;
  const e = h.embedding;
  const kv = h.headsKv ?? h.heads;
  const headK = h.keyLength ?? e / h.heads;
  const headV = h.valueLength ?? e / h.heads;
  const byName = new Map(layout.tensors.map((t) => [t.name, t.dims]));
  const expected: Array<[string, number[] | undefined]> = [
    ['token_embd.weight', layout.vocabSize !== undefined ? [e, layout.vocabSize] : undefined],
    ['output_norm.weight', [e]],
  ];
  for (let b = 0; b < h.blocks; b++) {
    const p = `blk.${b}.`;
    expected.push(
      [`${p}attn_norm.weight`, [e]],
      [`${p}attn_q.weight`, [e, h.heads * headK]],
      [`${p}attn_k.weight`, [e, kv * headK]],
      [`${p}attn_v.weight`, [e, kv * headV]],
      [`${p}attn_output.weight`, [h.heads * headK, e]], // llama.cpp: {n_embd_head_k * n_head, n_embd}
      [`${p}ffn_norm.weight`, [e]],
    );
    if (!h.experts && h.feedForward !== undefined) {
      const f = h.feedForward;
      expected.push([`${p}ffn_gate.weight`, [e, f]], [`${p}ffn_up.weight`, [e, f]], [`${p}ffn_down.weight`, [f, e]]);
    }
  }
  for (const [name, shape] of expected) {
    const dims = byName.get(name);
    if (!dims) return `is missing tensor ${name} (a llama model with ${h.blocks} block(s) needs it)`;
    if (shape && (dims.length !== shape.length || dims.some((d, i) => d !== shape[i]))) {
      return `has tensor ${name} of shape [${dims.join(', ')}]; the metadata implies [${shape.join(', ')}]`;
    }
  }
  return undefined;
}

/** The first structural problem of a parsed GGUF model, as a phrase after its path, or undefined. */
export function checkGgufStructure(layout: GgufLayout): string | undefined {
  return (
    checkHyperparameters(layout) ??
    checkTensors(layout) ??
    checkBlocks(layout) ??
    (layout.architecture === 'llama' ? checkLlamaShapes(layout) : undefined)
  );
}
