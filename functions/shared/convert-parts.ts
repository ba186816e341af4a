/**
 * Sorts multipart file parts into inputs and the background. Inputs come as `files` (repeated),
 * `files[]`, `file`, or `file[0]`, `file[1]`, ... (the PHP client); the background as
 * `bg_image`, `bg_video` or `background`. Other parts are ignored like unknown fields.
 */

const INPUT_FIELD = /^(files?(\[\d*\])?)$/;
const BACKGROUND_FIELDS = new Set([
  'bg_image',
  'bg_video',
  'background',
  'background_image',
  'background_video',
]);

function indexOf(field: string): number {
  const match = /\[(\d+)\]$/.exec(field);
  return match?.[1] === undefined ? -1 : Number(match[1]);
}

/** What a file part is by its field name: an input, a background, or neither (ignored). */
export function filePartRole(field: string): 'input' | 'background' | undefined {
  if (INPUT_FIELD.test(field)) return 'input';
  return BACKGROUND_FIELDS.has(field) ? 'background' : undefined;
}

/** Works on inline parts (the Lambda) and on staged ones (the streaming door) alike. */
export function sortFileParts<Part extends { readonly field: string }>(
  parts: readonly Part[],
): {
  files: Part[];
  background: Part | undefined;
} {
  const inputs = parts
    .map((part, order) => ({ part, order }))
    .filter(({ part }) => INPUT_FIELD.test(part.field))
    // `file[2]` before `file[10]`; parts without an index keep their order.
    .sort((a, b) => indexOf(a.part.field) - indexOf(b.part.field) || a.order - b.order)
    .map(({ part }) => part);
  const background = parts.find((part) => BACKGROUND_FIELDS.has(part.field));
  return { files: inputs, background };
}
