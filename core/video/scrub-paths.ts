/**
 * Error texts reach clients; the worker's scratch paths must not. ffmpeg and Node name the
 * files they fail on by full path, so every message built from their output passes here.
 */

// An absolute path (optionally behind ffmpeg's `file:` prefix) that starts a word, up to a space,
// a quote or a colon (ffmpeg writes "path: message"); "30000/1001" is not one.
const ABSOLUTE_PATH = /(?<![^\s'"(=,[])(?:file:)?(?:\/[^\s'"/:,)]+)+\/?/g;

/**
 * `text` with each known path replaced by its label (the client's name for the file) and any
 * other absolute path by its last segment.
 */
export function scrubPaths(text: string, labels: ReadonlyMap<string, string> = new Map()): string {
  let out = text;
  // Longest first: a folder must not be replaced inside a path that has its own label.
  const known = [...labels.entries()].sort(([a], [b]) => b.length - a.length);
  for (const [path, label] of known) {
    out = out.split(`file:${path}`).join(label).split(path).join(label);
  }
  return out.replace(ABSOLUTE_PATH, (match) => {
    const segments = match
      .replace(/^file:/, '')
      .split('/')
      .filter(Boolean);
    return segments.at(-1) ?? 'file';
  });
}
