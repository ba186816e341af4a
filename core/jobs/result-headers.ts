import type { OutputGeometry } from './ports.ts';

/**
 * remove.bg's result headers on a download: the image's size and the subject's box in it
 * (X-Foreground-* only when a subject was found). Clients that crop or place the result read
 * these without decoding it.
 */
export function geometryHeaders(geometry: OutputGeometry | undefined): Record<string, string> {
  if (!geometry) return {};
  const headers: Record<string, string> = {
    'X-Width': String(geometry.width),
    'X-Height': String(geometry.height),
  };
  if (geometry.bbox) {
    headers['X-Foreground-Top'] = String(geometry.bbox.y);
    headers['X-Foreground-Left'] = String(geometry.bbox.x);
    headers['X-Foreground-Width'] = String(geometry.bbox.width);
    headers['X-Foreground-Height'] = String(geometry.bbox.height);
  }
  return headers;
}

/** The names geometryHeaders may set, lower-cased (for relays that copy them). */
export const GEOMETRY_HEADER_NAMES = [
  'x-width',
  'x-height',
  'x-foreground-top',
  'x-foreground-left',
  'x-foreground-width',
  'x-foreground-height',
] as const;
