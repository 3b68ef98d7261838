// Renders compiled Vega specs to SVG strings with Vega's own headless renderer
// (`View.toSVG`, renderer 'none': no canvas, no DOM). Plain JavaScript on purpose: the worker in
// vega-worker.mjs imports it, and worker threads cannot load TypeScript under every runner.
import * as vega from 'vega';

/**
 * A Vega loader that never touches the network or the file system (charts use inline data).
 * Every attempt is refused and recorded in `attempts`, so a render can fail loudly: Vega itself
 * only logs a failed load as a warning and draws the chart without the data.
 */
export function offlineLoader(attempts = []) {
  const refuse = (what) => async (uri) => {
    const message = `report charts are offline: Vega tried to ${what} ${JSON.stringify(uri)}; ` +
      'put the data inline (data.values) instead of a url';
    attempts.push(message);
    throw new Error(message);
  };
  return Object.freeze({ load: refuse('load'), sanitize: refuse('sanitize'), http: refuse('fetch'), file: refuse('read') });
}

/** Collects Vega's log messages instead of printing them; errors fail the render. */
function collectingLogger() {
  const errors = [];
  let level = 0;
  const logger = {
    level(l) { if (l === undefined) return level; level = l; return logger; },
    error(...args) { errors.push(args.map(String).join(' ')); return logger; },
    warn() { return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  return { logger, errors };
}

/** One compiled Vega spec -> SVG markup. */
export async function renderVegaSvg(vegaSpec) {
  const { logger, errors } = collectingLogger();
  const attempts = [];
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader: offlineLoader(attempts), logger });
  try {
    const svg = await view.toSVG();
    if (attempts.length > 0) throw new Error(attempts.join('; '));
    if (errors.length > 0) throw new Error(`Vega reported: ${errors.join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/** Several specs, in order (sequentially: Vega's SVG clip/gradient id counters are global). */
export async function renderVegaSvgs(vegaSpecs) {
  const out = [];
  for (const spec of vegaSpecs) out.push(await renderVegaSvg(spec));
  return out;
}
