/**
 * Maps a URL path onto a file inside the served folder, and refuses everything else.
 *
 * The served folder holds run directories whose files were written by models and by users, and
 * the server answers anyone who can reach its port, so a path is accepted only when every one of
 * these holds: it decodes as UTF-8 percent-encoding; no segment, once decoded, is `.` or `..`
 * (so `%2e%2e` is caught too); it holds no NUL, backslash or empty segment (`//etc/passwd` is an
 * absolute path in disguise); and the real path, symbolic links resolved, is still inside the
 * folder's own real path (a link inside that points out is refused). OWASP, "Path Traversal":
 * decode first, then check the canonical path against the allowed root.
 */
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The folder's real path, resolved once when the server starts. */
export function realRoot(root: string): string {
  return realpathSync(root);
}

/** Decoded path segments of `rest` (the part of a URL path after its route), or null when unsafe. */
export function safeSegments(rest: string): string[] | null {
  if (rest === '') return [];
  let decoded: string[];
  try {
    decoded = rest.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return null; // malformed percent-encoding
  }
  // A trailing slash names the folder itself.
  if (decoded.length > 1 && decoded[decoded.length - 1] === '') decoded.pop();
  for (const s of decoded) {
    if (s === '' || s === '.' || s === '..' || s.includes('\0') || s.includes('\\') || s.includes('/')) return null;
  }
  return decoded;
}

/**
 * The real path of `rest` inside `root` (a real path from `realRoot`), or null when it is unsafe,
 * missing, or leads outside the folder through a symbolic link.
 */
export function resolveInside(root: string, rest: string): string | null {
  const segments = safeSegments(rest);
  if (segments === null) return null;
  let real: string;
  try {
    real = realpathSync(join(root, ...segments));
  } catch {
    return null;
  }
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep) ? real : null;
}

/** `dir` relative to `root` as URL path segments, each percent-encoded. */
export function urlPathOf(root: string, dir: string): string {
  const rel = dir === root ? '' : dir.slice(root.length + 1);
  return rel.split(sep).filter(Boolean).map(encodeURIComponent).join('/');
}
