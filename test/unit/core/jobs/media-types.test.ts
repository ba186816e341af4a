import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../../core/errors.ts';
import { acceptedContentType } from '../../../../core/jobs/media-types.ts';

describe('acceptedContentType', () => {
  it('keeps a declared type that fits the kind', () => {
    expect(acceptedContentType('files', 'a.bin', 'image/png', 'image')).toBe('image/png');
    expect(acceptedContentType('files', 'a.mov', 'video/quicktime', 'video')).toBe(
      'video/quicktime',
    );
  });

  it.each(['', 'application/octet-stream', 'text/plain'])(
    "takes the type from the extension when the part says '%s'",
    (declared) => {
      expect(acceptedContentType('files', 'photo.JPG', declared, 'image')).toBe('image/jpeg');
    },
  );

  it('refuses a file that is not of the kind, naming the field and the file', () => {
    let error: unknown;
    try {
      acceptedContentType('file[1]', 'notes.txt', 'text/plain', 'image');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CutoutError);
    expect((error as CutoutError).code).toBe('UNSUPPORTED_MEDIA');
    expect((error as CutoutError).message).toBe(
      "file[1]: 'notes.txt' is not an image (image/*), got text/plain",
    );
  });
});
