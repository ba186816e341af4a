import { invalidField } from '../errors.ts';
import type { OutboundUrlRules } from '../outbound/outbound-url.ts';
import {
  type ConvertOptions,
  parseConvertOptions,
  type RawFields,
} from '../params/convert-params.ts';
import { parseWebhookRequest } from '../webhooks/webhook-fields.ts';
import type { WebhookConfig } from '../webhooks/webhook-model.ts';
import { checkImageUrlsFit, type ImageUrlInput, parseImageUrls } from './image-urls.ts';
import type { JobKind } from './job.ts';
import type { JobLimits } from './job-limits.ts';
import { parseUploads, type UploadRequest } from './uploads.ts';

/** A convert request's parts, read and checked before anything is stored. */

export interface InlineFile {
  /** The multipart field it came in (`files`, `file[0]`, ...), for error messages. */
  readonly field: string;
  readonly filename: string;
  readonly contentType: string | undefined;
  readonly data: Uint8Array;
}

/**
 * A file part already streamed into the inputs bucket (the streaming front door): checked by
 * its size like an inline file by its bytes, never stored again. Its record keeps `key`, which
 * must lie under the job's own prefix (the door picks the job id before the first part).
 */
export interface StagedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string | undefined;
  readonly size: number;
  readonly key: string;
}

/** A request's file: its bytes in hand, or already in the inputs bucket. */
export type RequestFile = InlineFile | StagedFile;

export function isStaged(file: RequestFile): file is StagedFile {
  return 'key' in file;
}

export interface CreateJobRequest {
  readonly apiKeyId: string | undefined;
  /** Every non-file field of the request, `uploads` included; unknown ones are ignored. */
  readonly fields: RawFields;
  readonly files: readonly RequestFile[];
  readonly background?: RequestFile;
}

/** What the request asks for: its options, inline files or an uploads list, its background. */
export interface JobRequest {
  readonly options: ConvertOptions;
  /** Present in uploads mode; otherwise the request's inline files are the inputs. */
  readonly uploads: readonly UploadRequest[] | undefined;
  /** The kind of background the options need, if any. */
  readonly needed: JobKind | undefined;
  /** The request's background part when the options need one (always given then). */
  readonly background: RequestFile | undefined;
  /** `webhook_url` and `webhook_events`, when given. */
  readonly webhook: WebhookConfig | undefined;
  /** `image_url` inputs, after the file parts; the worker fetches them. */
  readonly imageUrls: readonly ImageUrlInput[];
}

/** Which background a set of options needs, if any. */
export function backgroundNeeded(options: ConvertOptions): JobKind | undefined {
  if (options.kind === 'image') return options.background.type === 'image' ? 'image' : undefined;
  if (options.format === 'video_over_image') return 'image';
  if (options.format === 'video_over_video') return 'video';
  return undefined;
}

/**
 * Parses the options (naming the field), decides inline files vs `uploads`, and checks the
 * file count and the background the options need.
 *
 * @throws CutoutError INVALID_REQUEST naming the field
 */
export function readJobRequest(
  request: CreateJobRequest,
  limits: JobLimits,
  knownModels: ReadonlySet<string> | undefined,
  imageUrlRules: OutboundUrlRules = { allowHttp: false },
): JobRequest {
  const options = parseConvertOptions(request.fields);
  const imageUrls = parseImageUrls(request.fields, imageUrlRules);
  const webhook = parseWebhookRequest(request.fields, imageUrlRules);
  if (knownModels && !knownModels.has(options.model)) {
    const known = [...knownModels].sort().join(', ');
    throw invalidField('model', `unknown model '${options.model}'; known: ${known}`);
  }
  const rawUploads = request.fields.uploads;
  const uploads =
    rawUploads === undefined || rawUploads === '' ? undefined : parseUploads(rawUploads);
  if (uploads && request.files.length > 0) {
    throw invalidField('uploads', 'send either files or an uploads list, not both');
  }
  if (imageUrls.length > 0) checkImageUrlsFit(options.kind, uploads !== undefined);
  const count = uploads ? uploads.length : request.files.length + imageUrls.length;
  if (count === 0) {
    throw invalidField(
      'files',
      'at least one file is required: multipart parts named files (or file[0], file[1], ...), an uploads list, or image_url',
    );
  }
  if (count > limits.maxFiles) {
    const field = uploads ? 'uploads' : imageUrls.length > 0 ? 'image_url' : 'files';
    const together = field === 'image_url' ? ' (file parts and image URLs together)' : '';
    throw invalidField(
      field,
      `at most ${limits.maxFiles} files per request${together}, got ${count}`,
    );
  }
  const needed = backgroundNeeded(options);
  const background = needed ? request.background : undefined;
  if (needed && !background) {
    throw invalidField(
      needed === 'image' ? 'bg_image' : 'bg_video',
      `a background ${needed} part is required for these options (also accepted as 'background')`,
    );
  }
  return { options, uploads, needed, background, webhook, imageUrls };
}
