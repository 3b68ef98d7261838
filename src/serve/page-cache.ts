/**
 * A cache of drawn pages, one per folder, so that a repeated /explore request costs a few stat
 * calls instead of a full render (several seconds and ~17 MB on a sweep of 60 runs of 3,000
 * agents). An entry is kept while its stamp holds: the size and modification time of every file
 * a page is drawn from, in the folder and its run folders. A running run appends rounds, which
 * changes the stamp, so the next request draws the page again with the new rounds.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files a run or sweep page is drawn from (see src/report/explorer/data.ts). */
const STAMPED = new Set(['sweep.json', 'manifest.json', 'rounds.jsonl', 'decisions.jsonl', 'network.json']);
/** A sweep's runs sit at most two levels below it; the bound also stops symbolic link cycles. */
const MAX_DEPTH = 3;
/** Pages kept (the most recently drawn); each can weigh tens of MB. */
const MAX_ENTRIES = 4;

/** "name:size:mtime" for every stamped file under `dir`, in a stable order. */
export function folderStamp(dir: string, depth = 0): string {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return ''; // vanished or unreadable: the render reports it
  }
  const parts: string[] = [];
  for (const name of entries) {
    const path = join(dir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isFile() && STAMPED.has(name)) parts.push(`${path}:${st.size}:${st.mtimeMs}`);
    else if (st.isDirectory() && depth + 1 < MAX_DEPTH) parts.push(folderStamp(path, depth + 1));
  }
  return parts.filter(Boolean).join('\n');
}

/**
 * Wraps a page renderer with the cache. Requests that arrive while the same page is being drawn
 * share that one render; a failed render is not kept, so the next request tries again.
 */
export function cachedRenderer(render: (dir: string) => Promise<string>): (dir: string) => Promise<string> {
  const pages = new Map<string, { stamp: string; page: Promise<string> }>();
  return (dir) => {
    const stamp = folderStamp(dir);
    const hit = pages.get(dir);
    if (hit && hit.stamp === stamp) {
      pages.delete(dir); // re-inserted: Map order is the eviction order
      pages.set(dir, hit);
      return hit.page;
    }
    const page = render(dir);
    pages.delete(dir);
    pages.set(dir, { stamp, page });
    while (pages.size > MAX_ENTRIES) pages.delete(pages.keys().next().value!);
    page.catch(() => {
      if (pages.get(dir)?.page === page) pages.delete(dir);
    });
    return page;
  };
}
