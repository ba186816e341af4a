// client/ bundled by `npm run docs:openapi` (scripts/openapi-files.ts): do not edit.

// client/src/errors.ts
var CutoutApiError = class extends Error {
  status;
  /** The API's stable code; undefined for answers that are not the API's (S3, a proxy). */
  code;
  /** Present on 5xx answers: quote it when reporting a problem. */
  requestId;
  constructor(message, status, code, requestId) {
    super(message);
    this.name = "CutoutApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
};
async function errorFrom(response, what) {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    if (typeof body.error === "string") {
      return new CutoutApiError(
        body.error,
        response.status,
        typeof body.code === "string" ? body.code : void 0,
        typeof body.request_id === "string" ? body.request_id : void 0
      );
    }
  } catch {
  }
  const detail = text.trim().slice(0, 300);
  return new CutoutApiError(
    `${what}: HTTP ${response.status}${detail === "" ? "" : ` ${detail}`}`,
    response.status,
    void 0
  );
}

// client/src/upload-targets.ts
async function sendToTarget(target, file, fetcher, options = {}) {
  const { signal } = options;
  if (target.method === "POST") {
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append("file", file, target.filename);
    const response2 = await fetcher(target.url, {
      method: "POST",
      body: form,
      signal,
      ...options.opaque ? { mode: "no-cors" } : {}
    });
    if (response2.type === "opaque") return;
    if (!response2.ok) throw await errorFrom(response2, `upload of ${target.filename}`);
    await response2.body?.cancel();
    return;
  }
  const etags = [];
  for (const part of target.parts) {
    const start = (part.part_number - 1) * target.part_size;
    const slice = file.slice(start, Math.min(file.size, start + target.part_size));
    const response2 = await fetcher(part.url, { method: "PUT", body: slice, signal });
    if (!response2.ok) {
      throw await errorFrom(response2, `part ${part.part_number} of ${target.filename}`);
    }
    await response2.body?.cancel();
    const etag = response2.headers.get("etag");
    if (etag === null) throw new Error(`part ${part.part_number} of ${target.filename}: no ETag`);
    etags.push(etag);
  }
  const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join("");
  const response = await fetcher(target.complete_url, {
    method: "POST",
    headers: { "content-type": "application/xml" },
    body: `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`,
    signal
  });
  const text = await response.text();
  if (!response.ok || text.includes("<Error>")) {
    throw new Error(`completing ${target.filename}: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
}

// client/src/client.ts
var DEFAULT_INLINE_LIMIT_BYTES = 4603904;
var FORM_OVERHEAD_BYTES = 64 * 1024;
function formValue(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}
function appendField(form, name, value) {
  if (value === void 0) return;
  if (Array.isArray(value)) for (const item of value) form.append(name, formValue(item));
  else form.append(name, formValue(value));
}
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
var CutoutClient = class {
  #base;
  #apiKey;
  #inlineLimit;
  #fetch;
  #opaqueUploads;
  constructor(options) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#inlineLimit = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#opaqueUploads = options.opaqueUploads ?? false;
  }
  #headers() {
    return this.#apiKey === void 0 ? {} : { authorization: this.#apiKey };
  }
  async #json(path, init, what) {
    const response = await this.#fetch(`${this.#base}${path}`, init);
    if (!response.ok) throw await errorFrom(response, what);
    return await response.json();
  }
  /** POST /v1/convert with the files inline (multipart). */
  convert(options, files, extra = {}) {
    const form = new FormData();
    for (const [name, value] of Object.entries(options)) {
      appendField(form, name, value);
    }
    for (const file of files) form.append("files", file, file.name);
    if (extra.background !== void 0) {
      const field = options.convert_to === "video-backgroundremover" ? "bg_video" : "bg_image";
      form.append(
        extra.background.type.startsWith("video/") ? "bg_video" : field,
        extra.background,
        extra.background.name
      );
    }
    return this.#json(
      "/v1/convert",
      { method: "POST", headers: this.#headers(), body: form, signal: extra.signal },
      "convert"
    );
  }
  /**
   * Creates a job and sends its files: inline when they fit the inline limit, else through the
   * presigned `uploads` flow (the request lists the files, then each goes straight to storage).
   * Resolves once every file is sent, with the job's uuid.
   */
  async upload(options, files, extra = {}) {
    const total = files.reduce((sum, f) => sum + f.size, 0) + (extra.background?.size ?? 0) + FORM_OVERHEAD_BYTES;
    const via = extra.via ?? (total <= this.#inlineLimit ? "inline" : "presigned");
    if (via === "inline") return { ...await this.convert(options, files, extra), via };
    const uploads = files.map((f) => ({
      filename: f.name,
      size: f.size,
      content_type: f.type === "" ? "application/octet-stream" : f.type
    }));
    let accepted;
    if (extra.background === void 0) {
      accepted = await this.#json(
        "/v1/convert",
        {
          method: "POST",
          headers: { ...this.#headers(), "content-type": "application/json" },
          body: JSON.stringify({ ...options, uploads }),
          signal: extra.signal
        },
        "convert"
      );
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(options)) {
        appendField(form, name, value);
      }
      form.append("uploads", JSON.stringify(uploads));
      const field = extra.background.type.startsWith("video/") ? "bg_video" : "bg_image";
      form.append(field, extra.background, extra.background.name);
      accepted = await this.#json(
        "/v1/convert",
        { method: "POST", headers: this.#headers(), body: form, signal: extra.signal },
        "convert"
      );
    }
    const targets = accepted.uploads ?? [];
    if (targets.length !== files.length) {
      throw new Error(
        `convert answered ${targets.length} upload targets for ${files.length} files`
      );
    }
    for (const [i, target] of targets.entries()) {
      const file = files[i];
      await sendToTarget(target, file, this.#fetch, {
        signal: extra.signal,
        opaque: this.#opaqueUploads
      });
    }
    return { ...accepted, via };
  }
  /** POST /v1/results: the job's state, results and download URLs. */
  results(uuid, signal) {
    return this.#json(
      "/v1/results",
      {
        method: "POST",
        headers: { ...this.#headers(), "content-type": "application/json" },
        body: JSON.stringify({ uuid }),
        signal
      },
      "results"
    );
  }
  /**
   * Polls /v1/results until the job is finished, pausing longer each time (back-off), and
   * resolves with the last answer. Failed files are in its `failed`; nothing here throws for them.
   */
  async wait(uuid, options = {}) {
    const started = Date.now();
    const webhook = options.webhook;
    const max = options.maxIntervalMs ?? (webhook ? 6e4 : 5e3);
    const backoff = options.backoff ?? 1.5;
    const pause = options.intervalMs ?? (webhook ? 5e3 : 500);
    const stop = new AbortController();
    const onAbort = () => stop.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const arrived = webhook?.waitFor(uuid, stop.signal).catch(() => new Promise(() => void 0));
    try {
      return await this.#poll(uuid, options, started, pause, max, backoff, arrived);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      stop.abort();
    }
  }
  async #poll(uuid, options, started, firstPause, max, backoff, arrival) {
    let pause = firstPause;
    let arrived = arrival;
    for (; ; ) {
      const results = await this.results(uuid, options.signal);
      if (results.finished) return results;
      options.onProgress?.(results);
      if (options.timeoutMs !== void 0 && Date.now() - started + pause > options.timeoutMs) {
        throw new CutoutApiError(
          `job ${uuid} not finished after ${options.timeoutMs} ms (progress ${Math.round(results.progress * 100)}%)`,
          0,
          "DEADLINE_EXCEEDED"
        );
      }
      if (arrived) {
        const woken = await Promise.race([
          sleep(pause, options.signal).then(() => false),
          arrived.then(() => true)
        ]);
        if (woken) arrived = void 0;
      } else {
        await sleep(pause, options.signal);
      }
      pause = Math.min(max, pause * backoff);
    }
  }
  /** A result's bytes, through the API's own `/v1/files` path (redirects are followed). */
  async download(file, signal) {
    const path = typeof file === "string" ? file : file.url;
    const url = /^https?:\/\//.test(path) ? path : `${this.#base}${path}`;
    const response = await this.#fetch(url, { headers: this.#headers(), signal });
    if (!response.ok) throw await errorFrom(response, `download of ${url}`);
    return await response.blob();
  }
};
export {
  CutoutApiError,
  CutoutClient,
  DEFAULT_INLINE_LIMIT_BYTES
};
