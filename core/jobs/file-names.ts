import type { ConvertOptions, VideoFormat } from '../params/convert-params.ts';

/**
 * File names as users send them are untrusted: they become S3 key segments, download names
 * and Content-Disposition values. These functions reduce a name to one safe path segment.
 */

const MAX_NAME_LENGTH = 200;

/**
 * The last path segment of `name` with control characters, separators and characters that
 * break headers removed; never empty, never `.`/`..`, never starting with a dot.
 */
export function sanitizeFileName(name: string, fallback = 'file'): string {
  const lastSegment = name.split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/["<>|:*?;%]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const bounded = cleaned.length > MAX_NAME_LENGTH ? truncateKeepingExtension(cleaned) : cleaned;
  return bounded === '' ? fallback : bounded;
}

function truncateKeepingExtension(name: string): string {
  const { stem, extension } = splitName(name);
  const suffix = extension === '' ? '' : `.${extension.slice(0, 16)}`;
  return stem.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
}

export function splitName(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, extension: '' };
  return { stem: name.slice(0, dot), extension: name.slice(dot + 1) };
}

const VIDEO_EXTENSIONS: Readonly<Record<VideoFormat, string>> = {
  mov: 'mov',
  mattekey: 'mp4',
  gif: 'gif',
  video_over_image: 'mp4',
  video_over_video: 'mp4',
  gif_with_bg: 'gif',
  mp4_with_color: 'mp4',
  webm: 'webm',
};

/** The result's extension for these options (`png`/`webp` for images, per format for video). */
export function outputExtension(options: ConvertOptions): string {
  // The parser already settles the mask's format (channels=alpha and a jpg mask are PNG).
  if (options.kind === 'image') return options.format;
  return VIDEO_EXTENSIONS[options.format];
}

/**
 * Output names for a job's inputs, in order: `<stem>.<ext>`, made unique within the job
 * (`photo.png`, `photo-2.png`) because results are addressed by name.
 */
export function outputNames(inputNames: readonly string[], extension: string): string[] {
  const taken = new Set<string>();
  return inputNames.map((input) => {
    const { stem } = splitName(sanitizeFileName(input));
    let candidate = `${stem}.${extension}`;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++)
      candidate = `${stem}-${n}.${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
