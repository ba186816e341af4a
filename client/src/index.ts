/** The package's public entry (package.json `exports`): what a user of the client imports. */
export type * from './api-types.ts';
// biome-ignore lint/performance/noBarrelFile: a package's entry point is where its exports are gathered
export {
  type ConvertAccepted,
  type ConvertOptions,
  CutoutClient,
  type CutoutClientOptions,
  DEFAULT_INLINE_LIMIT_BYTES,
  type InputFile,
  type JobResults,
  type ResultFile,
  type UploadOptions,
  type WaitOptions,
  type WebhookSource,
} from './client.ts';
export { CutoutApiError } from './errors.ts';
