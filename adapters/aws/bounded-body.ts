import { objectTooLarge } from '../../core/jobs/job-limits.ts';

/**
 * An upload's body as it is read: counted against `maxBytes` and stopped by `signal` even while
 * waiting for the next chunk (a client that stalls mid-part must not hold an upload open).
 * Whatever ends the read is kept in `failure`, so the uploader can tell the body's own error
 * from the store's.
 */
export class BoundedBody {
  size = 0;
  failure: unknown;
  readonly #source: AsyncIterable<Uint8Array>;
  readonly #key: string;
  readonly #maxBytes: number;
  readonly #signal: AbortSignal | undefined;

  constructor(
    source: AsyncIterable<Uint8Array>,
    key: string,
    options: { readonly maxBytes?: number; readonly signal?: AbortSignal },
  ) {
    this.#source = source;
    this.#key = key;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#signal = options.signal;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    const iterator = this.#source[Symbol.asyncIterator]();
    try {
      while (true) {
        const next = await this.#nextOrAbort(iterator);
        if (next.done) break;
        this.size += next.value.byteLength;
        if (this.size > this.#maxBytes) {
          throw objectTooLarge(this.#key, undefined, this.#maxBytes);
        }
        yield next.value;
      }
      this.#signal?.throwIfAborted();
    } catch (error) {
      this.failure ??= error;
      throw error;
    } finally {
      // Stops the source (a file part's stream) whether this ended by error or by the reader.
      void iterator.return?.()?.catch(() => undefined);
    }
  }

  #nextOrAbort(iterator: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    const signal = this.#signal;
    if (!signal) return iterator.next();
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      iterator.next().then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
