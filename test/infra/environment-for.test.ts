import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanFlag } from '../../core/config/contract.ts';
import { environmentFor } from '../../infra/environment-for.ts';

const shape = {
  TABLE: z.string().min(1),
  QUEUE: z.string().optional(),
  COUNT: z.coerce.number().default(3),
  FLAG: booleanFlag(false),
  MODELS: z.string().optional(),
};

describe('environmentFor', () => {
  it('writes each value as the text its schema parses', () => {
    expect(
      environmentFor('convert', shape, { TABLE: 't', COUNT: 5, FLAG: true, MODELS: ['a', 'b'] }),
    ).toEqual({ TABLE: 't', COUNT: '5', FLAG: 'true', MODELS: 'a,b' });
  });

  it('fails the synth naming the function and every required variable left out', () => {
    expect(() => environmentFor('convert', shape, { COUNT: 1 })).toThrow(
      'convert: required variable(s) not set: TABLE',
    );
  });

  it('refuses a variable the schema does not read, in the types and at synth', () => {
    const values = { TABLE: 't', OUTPUT_BUCKET_NAME: 'o' };
    // @ts-expect-error OUTPUT_BUCKET_NAME is no key of the schema
    expect(() => environmentFor('convert', shape, { TABLE: 't', OUTPUT_BUCKET_NAME: 'o' })).toThrow(
      'convert: its schema reads no OUTPUT_BUCKET_NAME',
    );
    expect(() => environmentFor('convert', shape, values)).toThrow(/OUTPUT_BUCKET_NAME/);
  });
});
