import { vi } from 'vitest';

/**
 * Runs `action` with stdout captured and returns the JSON lines written meanwhile, parsed: what
 * a deployed handler module logs and publishes as EMF, as CloudWatch would receive it.
 */
export async function jsonLinesWrittenBy(
  action: () => Promise<unknown>,
): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await action();
  } finally {
    stdout.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The Embedded Metric Format records among `lines`. */
export const emfRecords = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => '_aws' in line);
