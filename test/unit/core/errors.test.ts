import { describe, expect, it } from 'vitest';
import {
  CutoutError,
  describeForFile,
  describeProblem,
  invalidField,
  problemAfterFile,
  restated,
  toCutoutError,
} from '../../../core/errors.ts';

describe('CutoutError fields', () => {
  it('carries the file and the problem apart, and renders the message from them', () => {
    const error = new CutoutError('DECODE_FAILED', 'the file is empty (0 bytes)', {
      field: 'file',
      file: 'cat.png',
    });
    expect(error).toMatchObject({
      code: 'DECODE_FAILED',
      field: 'file',
      file: 'cat.png',
      subject: 'cat.png',
      problem: 'the file is empty (0 bytes)',
      message: 'cat.png: the file is empty (0 bytes)',
    });
  });

  it('leads a field error with the field, which is no file', () => {
    const error = invalidField('model', 'is required');
    expect(error).toMatchObject({
      field: 'model',
      subject: 'model',
      problem: 'is required',
      message: 'model: is required',
    });
    expect(error.file).toBeUndefined();
  });

  it('lets a problem stand alone', () => {
    const error = new CutoutError('MODEL_UNAVAILABLE', 'model u2net is loading');
    expect(error.subject).toBeUndefined();
    expect(error.message).toBe('model u2net is loading');
    expect(describeProblem(undefined, 'x')).toBe('x');
  });

  it('restates an error with a new problem or file, keeping the rest and the original as cause', () => {
    const original = new CutoutError('UNSUPPORTED_MEDIA', 'has no video stream', {
      field: 'file',
      file: 'sky.mp4',
    });
    const background = restated(original, { file: 'background sky.mp4', field: 'background' });
    expect(background).toMatchObject({
      code: 'UNSUPPORTED_MEDIA',
      field: 'background',
      file: 'background sky.mp4',
      message: 'background sky.mp4: has no video stream',
      cause: original,
    });
    const alone = restated(new CutoutError('DECODE_FAILED', 'no frames'), { file: 'background a' });
    expect(alone.message).toBe('background a: no frames');
    const ownWords = new CutoutError('INPUT_TOO_LARGE', "'a.png' is too big", {
      file: 'a.png',
      subject: null,
    });
    expect(restated(ownWords, { field: 'background' }).message).toBe("'a.png' is too big");
    const field = restated(invalidField('framerate', 'too high'), { problem: 'too low' });
    expect(field.message).toBe('framerate: too low');
    expect(field.file).toBeUndefined();
  });
});

describe('describeForFile', () => {
  it('names the file once whether or not the error is about it', () => {
    const own = new CutoutError('DECODE_FAILED', 'corrupt', { file: 'cat.jpg' });
    expect(describeForFile('cat.jpg', own)).toBe('cat.jpg: corrupt');
    expect(problemAfterFile('cat.jpg', own)).toBe('corrupt');
    const background = new CutoutError('INPUT_NOT_FOUND', 'cannot be read', {
      file: 'background sky.jpg',
    });
    expect(describeForFile('clip.mp4', background)).toBe(
      'clip.mp4: background sky.jpg: cannot be read',
    );
  });

  it('keeps a problem that names its file in its own words as it is', () => {
    const error = new CutoutError('INPUT_TOO_LARGE', "'cat.jpg' is 3 bytes, over the limit", {
      file: 'cat.jpg',
      subject: null,
    });
    expect(error.message).toBe("'cat.jpg' is 3 bytes, over the limit");
    expect(describeForFile('cat.jpg', error)).toBe("'cat.jpg' is 3 bytes, over the limit");
    expect(describeForFile('clip.mp4', error)).toBe(
      "clip.mp4: 'cat.jpg' is 3 bytes, over the limit",
    );
  });

  it('still names the file when its name only appears inside the problem', () => {
    // Read from fields, not from the text: a problem that mentions the name is no prefix.
    const error = new CutoutError('INPUT_NOT_FOUND', 'jobs/j/0000/cat.jpg does not exist');
    expect(describeForFile('cat.jpg', error)).toBe('cat.jpg: jobs/j/0000/cat.jpg does not exist');
  });

  it('keeps anything else thrown as INTERNAL with its text', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'width')");
    expect(toCutoutError(bug)).toMatchObject({
      code: 'INTERNAL',
      retryable: true,
      problem: bug.message,
      cause: bug,
    });
  });
});
