/**
 * One job as a client runs it through the HTTP API: POST /v1/convert with one file, poll
 * /v1/results until finished, download each result. The heap test and `npm run bench:soak`
 * drive the local stack with it.
 */

export interface RoundTrip {
  readonly uuid: string;
  /** Result files downloaded (1 for a finished image job). */
  readonly files: number;
  readonly failed: number;
  readonly bytes: number;
  /** Submission to last byte of the last download, ms. */
  readonly ms: number;
}

export interface RoundTripOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly file: Uint8Array<ArrayBuffer>;
  readonly name: string;
  readonly type: string;
  readonly pollMs?: number;
  /** Give up after this long (ms). */
  readonly limitMs?: number;
}

interface ResultsBody {
  readonly finished: boolean;
  readonly files: readonly { url: string }[];
  readonly failed: readonly unknown[];
}

export async function roundTrip(options: RoundTripOptions): Promise<RoundTrip> {
  const started = performance.now();
  const form = new FormData();
  form.append('convert_to', 'image-backgroundremover');
  form.append('files', new Blob([options.file], { type: options.type }), options.name);
  const res = await fetch(`${options.url}/v1/convert/`, {
    method: 'POST',
    headers: { Authorization: options.apiKey },
    body: form,
  });
  if (res.status !== 200) throw new Error(`convert: HTTP ${res.status} ${await res.text()}`);
  const { uuid } = (await res.json()) as { uuid: string };
  const end = Date.now() + (options.limitMs ?? 120_000);
  for (;;) {
    const reply = await fetch(`${options.url}/v1/results/`, {
      method: 'POST',
      body: new URLSearchParams({ uuid }),
    });
    if (reply.status !== 200) throw new Error(`results ${uuid}: HTTP ${reply.status}`);
    const body = (await reply.json()) as ResultsBody;
    if (body.finished) {
      let bytes = 0;
      for (const file of body.files) {
        const download = await fetch(new URL(file.url, options.url));
        if (download.status !== 200) throw new Error(`download ${uuid}: HTTP ${download.status}`);
        bytes += (await download.arrayBuffer()).byteLength;
      }
      return {
        uuid,
        files: body.files.length,
        failed: body.failed.length,
        bytes,
        ms: performance.now() - started,
      };
    }
    if (Date.now() > end) throw new Error(`job ${uuid} not finished after ${options.limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}
