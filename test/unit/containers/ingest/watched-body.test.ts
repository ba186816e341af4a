import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { watchBody } from '../../../../containers/ingest/watched-body.ts';

/** The idle clock runs only while the reader waits for the client. */

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchBody', () => {
  it('passes the bytes through, counts them, and knows when the body is complete', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    const watched = watchBody(source, {
      idleMs: 1_000,
      onIdle: () => undefined,
      signal: controller.signal,
    });
    source.write(Buffer.from('abc'));
    source.end(Buffer.from('de'));
    const chunks: Buffer[] = [];
    for await (const chunk of watched.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abcde');
    expect(watched.bytes()).toBe(5);
    expect(watched.complete()).toBe(true);
    watched.dispose();
  });

  it('calls onIdle when the client sends nothing while the reader waits', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    let idle = 0;
    const watched = watchBody(source, {
      idleMs: 30,
      onIdle: () => {
        idle += 1;
        controller.abort(new Error('idle'));
      },
      signal: controller.signal,
    });
    const failed = new Promise((resolve) => watched.body.once('error', resolve));
    watched.body.resume();
    source.write(Buffer.from('x'));
    await tick(150);
    expect(idle).toBe(1);
    expect(await failed).toMatchObject({ message: 'idle' });
    watched.dispose();
  });

  it('does not time the client while the reader is not reading (back-pressure)', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    let idle = 0;
    const watched = watchBody(source, {
      idleMs: 30,
      onIdle: () => {
        idle += 1;
      },
      signal: controller.signal,
    });
    // One read asks for data (the clock starts); then nobody reads: the body's buffer fills,
    // the request is paused and the clock stays stopped however long S3 takes.
    watched.body.read(0);
    source.write(Buffer.alloc(64 * 1024));
    source.write(Buffer.alloc(64 * 1024));
    await tick(150);
    expect(idle).toBe(0);
    watched.dispose();
  });

  it('ends the body with the signal reason when aborted', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    const watched = watchBody(source, {
      idleMs: 1_000,
      onIdle: () => undefined,
      signal: controller.signal,
    });
    const reason = new Error('client gone');
    const read = (async () => {
      for await (const _ of watched.body) {
        // keep reading
      }
    })();
    controller.abort(reason);
    await expect(read).rejects.toBe(reason);
    watched.dispose();
  });
});
