import { describe, expect, it } from 'vitest';
import { scrubPaths } from '../../../../core/video/scrub-paths.ts';

describe('scrubPaths', () => {
  it("replaces known paths, with or without ffmpeg's file: prefix, by their labels", () => {
    const labels = new Map([
      ['/scratch/j-0001/input', 'holiday.mp4'],
      ['/scratch/j-0001/background', 'background file'],
    ]);
    expect(
      scrubPaths('file:/scratch/j-0001/input: Invalid data found when processing input', labels),
    ).toBe('holiday.mp4: Invalid data found when processing input');
    expect(scrubPaths('cannot open /scratch/j-0001/background', labels)).toBe(
      'cannot open background file',
    );
  });

  it('cuts any other absolute path to its last segment', () => {
    expect(
      scrubPaths("ENOENT: no such file or directory, rename '/tmp/cutout-x/.o.mov.partial'"),
    ).toBe("ENOENT: no such file or directory, rename '.o.mov.partial'");
  });

  it('leaves frame rates, ratios and plain words alone', () => {
    const text = 'at 30000/1001 fps, 16/9, and/or more';
    expect(scrubPaths(text)).toBe(text);
  });
});
