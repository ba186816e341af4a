import { CutoutError } from '../errors.ts';

/** Requested model id -> the manifest id that serves it. */
export type ModelAliases = ReadonlyMap<string, string>;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Parses `CUTOUT_MODEL_ALIASES`, e.g. `u2net=isnet-imgly,u2netp=isnet-imgly-quint8`.
 * Blank input means no aliases. Whether the targets exist is checked at resolution, against
 * the manifest.
 * @throws CutoutError INVALID_REQUEST naming the bad pair
 */
export function parseModelAliases(
  text: string | undefined,
  source = 'CUTOUT_MODEL_ALIASES',
): ModelAliases {
  const aliases = new Map<string, string>();
  if (text === undefined || text.trim() === '') return aliases;
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const parts = pair.split('=').map((part) => part.trim());
    const [from, to] = parts;
    if (
      parts.length !== 2 ||
      from === undefined ||
      to === undefined ||
      !ID.test(from) ||
      !ID.test(to)
    ) {
      throw bad(source, pair, 'expected <requested-id>=<manifest-id>');
    }
    if (from === to) throw bad(source, pair, 'a model cannot alias itself');
    if (aliases.has(from)) throw bad(source, pair, `"${from}" is aliased twice`);
    aliases.set(from, to);
  }
  return aliases;
}

function bad(source: string, pair: string, problem: string): CutoutError {
  return new CutoutError('INVALID_REQUEST', `${source}: bad pair "${pair}": ${problem}`, {
    field: source,
  });
}

/** Formats aliases back into the env-var syntax (for logs and `cutout models list`). */
export function formatModelAliases(aliases: ModelAliases): string {
  return [...aliases].map(([from, to]) => `${from}=${to}`).join(',');
}
