import type {
  ApiConvertAccepted,
  ApiImageOptions,
  ApiJobResults,
  ApiVideoOptions,
} from './api-types.ts';
import { CutoutApiError, errorFrom } from './errors.ts';
import { sendToTarget } from './upload-targets.ts';

/**
 * A convert request's options: image or video, by `convert_to`. `image_url` may be a list: it
 * is sent as the field repeated.
 */
export type ConvertOptions =
  | (Omit<ApiImageOptions, 'image_url'> & { readonly image_url?: string | readonly string[] })
  | ApiVideoOptions;
export type JobResults = ApiJobResults;
export type ConvertAccepted = ApiConvertAccepted;
export type ResultFile = ApiJobResults['files'][number];

/** A file to send: a File, or a Blob with the name the API should know it by. */
export type InputFile = Blob & { readonly name: string };

/** The most a request may carry inline behind the default AWS front door (INLINE_LIMIT_BYTES). */
export const DEFAULT_INLINE_LIMIT_BYTES = 4_603_904;

/** Room left in an inline request for its form fields and multipart boundaries. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export interface CutoutClientOptions {
  /** The API's origin, e.g. `http://localhost:3000` or the stage URL without `/v1`. */
  readonly baseUrl: string;
  /** Sent as the Authorization header on /v1/convert. */
  readonly apiKey?: string;
  /** The deployment's inline limit; larger requests go the presigned `uploads` way. */
  readonly inlineLimitBytes?: number;
  /** Replaces the global fetch (tests, proxies). */
  readonly fetch?: typeof fetch;
  /**
   * Browsers only, for buckets without CORS rules: send presigned POSTs as `no-cors`. Their
   * answers cannot be read, so a refused upload shows as a file that stays `waiting_upload`.
   */
  readonly opaqueUploads?: boolean;
}

export interface UploadOptions {
  /** The background image or video a background option needs. */
  readonly background?: InputFile;
  /** `inline` or `presigned` forces a way; default: inline when the files fit the limit. */
  readonly via?: 'inline' | 'presigned';
  readonly signal?: AbortSignal;
}

export interface WaitOptions {
  /** First pause between polls. Default 500 ms. */
  readonly intervalMs?: number;
  /** Longest pause between polls. Default 5 s. */
  readonly maxIntervalMs?: number;
  /** Each pause is the last one times this. Default 1.5. */
  readonly backoff?: number;
  /** Give up (rejecting) after this long. Default: never. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called with every answer before the job finishes. */
  readonly onProgress?: (results: JobResults) => void;
  /**
   * Where the job's job.finished webhook arrives (`createWebhookReceiver` from
   * `@cutout/client/webhooks`): each pause ends as soon as it does, so polling becomes the
   * fallback (the pauses then default to 5 s growing to 60 s).
   */
  readonly webhook?: WebhookSource;
}

/** Something that resolves once a job's job.finished webhook has arrived. */
export interface WebhookSource {
  waitFor(uuid: string, signal?: AbortSignal): Promise<void>;
}

function formValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One form field; a list (several `image_url`s) is the field repeated, as forms repeat it. */
function appendField(form: FormData, name: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) for (const item of value) form.append(name, formValue(item));
  else form.append(name, formValue(value));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The cutout API: create jobs, upload their files, poll them and fetch their results. */
export class CutoutClient {
  readonly #base: string;
  readonly #apiKey: string | undefined;
  readonly #inlineLimit: number;
  readonly #fetch: typeof fetch;
  readonly #opaqueUploads: boolean;

  constructor(options: CutoutClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#inlineLimit = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#opaqueUploads = options.opaqueUploads ?? false;
  }

  #headers(): Record<string, string> {
    return this.#apiKey === undefined ? {} : { authorization: this.#apiKey };
  }

  async #json<T>(path: string, init: RequestInit, what: string): Promise<T> {
    const response = await this.#fetch(`${this.#base}${path}`, init);
    if (!response.ok) throw await errorFrom(response, what);
    return (await response.json()) as T;
  }

  /** POST /v1/convert with the files inline (multipart). */
  convert(
    options: ConvertOptions,
    files: readonly InputFile[],
    extra: { readonly background?: InputFile; readonly signal?: AbortSignal } = {},
  ): Promise<ConvertAccepted> {
    const form = new FormData();
    for (const [name, value] of Object.entries(options)) {
      appendField(form, name, value);
    }
    for (const file of files) form.append('files', file, file.name);
    if (extra.background !== undefined) {
      const field = options.convert_to === 'video-backgroundremover' ? 'bg_video' : 'bg_image';
      form.append(
        extra.background.type.startsWith('video/') ? 'bg_video' : field,
        extra.background,
        extra.background.name,
      );
    }
    return this.#json<ConvertAccepted>(
      '/v1/convert',
      { method: 'POST', headers: this.#headers(), body: form, signal: extra.signal },
      'convert',
    );
  }

  /**
   * Creates a job and sends its files: inline when they fit the inline limit, else through the
   * presigned `uploads` flow (the request lists the files, then each goes straight to storage).
   * Resolves once every file is sent, with the job's uuid.
   */
  async upload(
    options: ConvertOptions,
    files: readonly InputFile[],
    extra: UploadOptions = {},
  ): Promise<ConvertAccepted & { readonly via: 'inline' | 'presigned' }> {
    const total =
      files.reduce((sum, f) => sum + f.size, 0) +
      (extra.background?.size ?? 0) +
      FORM_OVERHEAD_BYTES;
    const via = extra.via ?? (total <= this.#inlineLimit ? 'inline' : 'presigned');
    if (via === 'inline') return { ...(await this.convert(options, files, extra)), via };

    const uploads = files.map((f) => ({
      filename: f.name,
      size: f.size,
      content_type: f.type === '' ? 'application/octet-stream' : f.type,
    }));
    let accepted: ConvertAccepted;
    if (extra.background === undefined) {
      accepted = await this.#json<ConvertAccepted>(
        '/v1/convert',
        {
          method: 'POST',
          headers: { ...this.#headers(), 'content-type': 'application/json' },
          body: JSON.stringify({ ...options, uploads }),
          signal: extra.signal,
        },
        'convert',
      );
    } else {
      // The background still travels inline, beside the list of uploads.
      const form = new FormData();
      for (const [name, value] of Object.entries(options)) {
        appendField(form, name, value);
      }
      form.append('uploads', JSON.stringify(uploads));
      const field = extra.background.type.startsWith('video/') ? 'bg_video' : 'bg_image';
      form.append(field, extra.background, extra.background.name);
      accepted = await this.#json<ConvertAccepted>(
        '/v1/convert',
        { method: 'POST', headers: this.#headers(), body: form, signal: extra.signal },
        'convert',
      );
    }
    const targets = accepted.uploads ?? [];
    if (targets.length !== files.length) {
      throw new Error(
        `convert answered ${targets.length} upload targets for ${files.length} files`,
      );
    }
    for (const [i, target] of targets.entries()) {
      const file = files[i] as InputFile;
      await sendToTarget(target, file, this.#fetch, {
        signal: extra.signal,
        opaque: this.#opaqueUploads,
      });
    }
    return { ...accepted, via };
  }

  /** POST /v1/results: the job's state, results and download URLs. */
  results(uuid: string, signal?: AbortSignal): Promise<JobResults> {
    return this.#json<JobResults>(
      '/v1/results',
      {
        method: 'POST',
        headers: { ...this.#headers(), 'content-type': 'application/json' },
        body: JSON.stringify({ uuid }),
        signal,
      },
      'results',
    );
  }

  /**
   * Polls /v1/results until the job is finished, pausing longer each time (back-off), and
   * resolves with the last answer. Failed files are in its `failed`; nothing here throws for them.
   */
  async wait(uuid: string, options: WaitOptions = {}): Promise<JobResults> {
    const started = Date.now();
    const webhook = options.webhook;
    const max = options.maxIntervalMs ?? (webhook ? 60_000 : 5_000);
    const backoff = options.backoff ?? 1.5;
    const pause = options.intervalMs ?? (webhook ? 5_000 : 500);
    const stop = new AbortController();
    const onAbort = () => stop.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A receiver that fails leaves plain polling (never a tight loop).
    const arrived = webhook
      ?.waitFor(uuid, stop.signal)
      .catch(() => new Promise<void>(() => undefined));
    try {
      return await this.#poll(uuid, options, started, pause, max, backoff, arrived);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  async #poll(
    uuid: string,
    options: WaitOptions,
    started: number,
    firstPause: number,
    max: number,
    backoff: number,
    arrival: Promise<void> | undefined,
  ): Promise<JobResults> {
    let pause = firstPause;
    let arrived = arrival;
    for (;;) {
      const results = await this.results(uuid, options.signal);
      if (results.finished) return results;
      options.onProgress?.(results);
      if (options.timeoutMs !== undefined && Date.now() - started + pause > options.timeoutMs) {
        throw new CutoutApiError(
          `job ${uuid} not finished after ${options.timeoutMs} ms (progress ${Math.round(results.progress * 100)}%)`,
          0,
          'DEADLINE_EXCEEDED',
        );
      }
      // The webhook's arrival ends the pause at once; the poll that follows reads the answer.
      if (arrived) {
        const woken = await Promise.race([
          sleep(pause, options.signal).then(() => false),
          arrived.then(() => true),
        ]);
        // Once: should the answer not say finished yet, the pauses go on as usual.
        if (woken) arrived = undefined;
      } else {
        await sleep(pause, options.signal);
      }
      pause = Math.min(max, pause * backoff);
    }
  }

  /** A result's bytes, through the API's own `/v1/files` path (redirects are followed). */
  async download(file: ResultFile | string, signal?: AbortSignal): Promise<Blob> {
    const path = typeof file === 'string' ? file : file.url;
    const url = /^https?:\/\//.test(path) ? path : `${this.#base}${path}`;
    const response = await this.#fetch(url, { headers: this.#headers(), signal });
    if (!response.ok) throw await errorFrom(response, `download of ${url}`);
    return await response.blob();
  }
}
