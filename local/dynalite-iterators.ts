import { createRequire } from 'node:module';

/**
 * dynalite 4 reads every Query and Scan through a stream over an abstract-level iterator and,
 * when the stream ends or is destroyed, releases it with `iterator.return()`: the async-generator
 * protocol, which abstract-level 3 iterators do not have (theirs is `close()`). So no iterator was
 * ever closed: each stayed attached to its database, and on disk (classic-level) each pinned a
 * LevelDB snapshot and its memtables. A local stack polled for results grew by about 1 MB a job
 * in native memory and a few hundred bytes of heap per Query until the process died.
 *
 * `return()` is given to abstract-level's iterator classes as an alias of `close()`, once, before
 * dynalite starts. Resolved through dynalite's own dependencies, so it is the copy dynalite uses.
 * Remove once dynalite closes its iterators itself.
 */

interface IteratorClass {
  prototype: { close(): Promise<void>; return?: () => Promise<{ done: true; value: undefined }> };
}

const ITERATOR_CLASSES = ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator'];

let patched = false;

export function closeDynaliteIterators(): void {
  if (patched) return;
  patched = true;
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const abstractLevel = fromDynalite('abstract-level') as Record<string, IteratorClass>;
  for (const name of ITERATOR_CLASSES) {
    const prototype = abstractLevel[name]?.prototype;
    if (!prototype || typeof prototype.return === 'function') continue;
    prototype.return = async function closeOnReturn(this: { close(): Promise<void> }) {
      await this.close();
      return { done: true, value: undefined };
    };
  }
}

/** abstract-level's iterator classes (tests count their live instances). */
export function abstractLevelIteratorClasses(): readonly (abstract new (
  ...args: never[]
) => object)[] {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const abstractLevel = fromDynalite('abstract-level') as Record<
    string,
    abstract new (
      ...args: never[]
    ) => object
  >;
  return ITERATOR_CLASSES.map((name) => abstractLevel[name]).filter((c) => c !== undefined);
}
