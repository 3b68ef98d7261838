// Child process of local-probe.ts: loads a GGUF model with llama.cpp, creates a context and
// evaluates a few tokens, then exits 0. If llama.cpp aborts (GGML_ASSERT -> SIGABRT), only this
// process dies and the parent turns the exit into an error. Plain JavaScript so that it starts
// without the TypeScript loader. Usage: node local-probe-child.mjs <model.gguf> <contextSize|auto> <threads>
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const [path, contextArg, threadsArg] = process.argv.slice(2);
const llama = await getLlama({
  gpu: false,
  build: 'never',
  logLevel: LlamaLogLevel.error,
  logger: (_level, message) => process.stderr.write(`${message.trim()}\n`),
});
// A JavaScript error (not an abort) is printed as one line: left uncaught, Node prints the source
// line that threw first, and the parent would quote that code as the explanation.
try {
  const model = await llama.loadModel({ modelPath: path });
  const context = await model.createContext({
    sequences: 1,
    threads: Number(threadsArg) || 1,
    contextSize: contextArg === 'auto' ? { max: Math.min(4096, model.trainContextSize) } : Number(contextArg),
  });
  const sequence = context.getSequence();
  // Characters a byte-fallback tokenizer must spell, JSON, and a multi-byte script.
  await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize('{"choice": "keep"} h\u00e9llo \u4e16'));
  await context.dispose();
  await model.dispose();
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
process.stdout.write('ok\n');
