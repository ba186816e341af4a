import { describe, expect, it } from 'vitest';
import { CutoutError, invalidField } from '../../../../core/errors.ts';
import { withFlagNames } from '../../../../local/commands/flag-names.ts';

const FLAGS = { video_format: '--format', model: '--model' };

describe('withFlagNames', () => {
  it('says a field error with the flag the user typed, from the error fields', () => {
    const thrown = (() => {
      try {
        withFlagNames(FLAGS, () => {
          throw invalidField('video_format', 'must be one of mov, webm');
        });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'video_format',
      problem: 'must be one of mov, webm',
      message: '--format (video_format): must be one of mov, webm',
    });
  });

  it('relabels rejections of async work too', async () => {
    await expect(
      withFlagNames(FLAGS, async () => {
        throw invalidField('model', 'is required');
      }),
    ).rejects.toThrow('--model (model): is required');
  });

  it('leaves an error that does not lead with its field whole', () => {
    // Cutting the field's length off this message would garble it.
    const error = new CutoutError('INVALID_REQUEST', 'unknown model "x"; known: u2net', {
      field: 'model',
    });
    expect(() =>
      withFlagNames(FLAGS, () => {
        throw error;
      }),
    ).toThrow(error);
  });
});
