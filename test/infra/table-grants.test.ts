import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JOB_REPOSITORY_ACTIONS,
  JOB_TABLE_ACCESS,
  KEY_STORE_ACTIONS,
  KEY_TABLE_ACCESS,
} from '../../infra/constructs/table-grants.ts';
import { REPO_ROOT } from './support/test-app.ts';

/**
 * The DynamoDB grants are written by hand (least privilege), so they are only right while they
 * match the code. These checks read the code: which SDK commands each adapter method sends, and
 * which repository methods each entry point can reach through its imports.
 */

const source = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** SDK command class -> IAM action (`PutCommand` -> `dynamodb:PutItem`). */
function action(command: string): string {
  const name = command.replace(/Command$/, '');
  const items: Record<string, string> = {
    Put: 'PutItem',
    Get: 'GetItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
  };
  return `dynamodb:${items[name] ?? name}`;
}

/** exported function -> the DynamoDB commands its body sends, for the sibling modules `path` imports. */
function importedHelpers(path: string, text: string): Map<string, string[]> {
  const helpers = new Map<string, string[]>();
  for (const m of text.matchAll(/import \{([^}]+)\} from '(\.\/[^']+\.ts)'/g)) {
    const sibling = source(join(dirname(path), m[2] as string));
    const names = (m[1] as string).split(',').map((n) => n.replace(/^\s*type\s+/, '').trim());
    for (const name of names) {
      const at = sibling.search(new RegExp(`^export (?:async )?function ${name}\\b`, 'm'));
      if (at < 0) continue;
      const next = sibling.slice(at + 1).search(/^export /m);
      const body = sibling.slice(at, next < 0 ? undefined : at + 1 + next);
      helpers.set(
        name,
        [...body.matchAll(/new (\w+Command)\(/g)].map((c) => action(c[1] as string)),
      );
    }
  }
  return helpers;
}

/**
 * method -> the DynamoDB actions its body sends, following calls to `this.#helpers` and to
 * functions imported from sibling adapter modules.
 */
function adapterActions(path: string): Map<string, string[]> {
  const text = source(path);
  const imported = importedHelpers(path, text);
  const starts = [...text.matchAll(/^ {2}(?:async )?(#?\w+)\(/gm)];
  const bodies = new Map<string, string>();
  for (const [i, match] of starts.entries()) {
    bodies.set(match[1] as string, text.slice(match.index, starts[i + 1]?.index ?? text.length));
  }
  const actionsOf = (name: string, seen: Set<string>): string[] => {
    if (seen.has(name)) return [];
    seen.add(name);
    const body = bodies.get(name) ?? '';
    const direct = [...body.matchAll(/new (\w+Command)\(/g)].map((m) => action(m[1] as string));
    const helpers = [...body.matchAll(/this\.(#\w+)\(/g)].flatMap((m) =>
      actionsOf(m[1] as string, seen),
    );
    const modules = [...body.matchAll(/\b(\w+)\(/g)].flatMap(
      (m) => imported.get(m[1] as string) ?? [],
    );
    return [...new Set([...direct, ...helpers, ...modules])].sort();
  };
  return new Map([...bodies.keys()].map((name) => [name, actionsOf(name, new Set())]));
}

/** Every repository method name called as `repo.<m>(` in the files `entry` imports, transitively. */
function reachedMethods(entry: string, methods: readonly string[], receiver: RegExp): string[] {
  const seen = new Set<string>();
  const found = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    // Comments hold examples (`repo.updateFile(...)` in ports.ts) that call nothing.
    const text = source(path).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const m of text.matchAll(receiver)) {
      if (methods.includes(m[1] as string)) found.add(m[1] as string);
    }
    for (const m of text.matchAll(/from '(\.[^']+\.ts)'/g)) {
      const next = relative(REPO_ROOT, normalize(join(REPO_ROOT, dirname(path), m[1] as string)));
      // Adapters implement the ports; what they call on the SDK is checked above.
      if (!next.startsWith('adapters/')) visit(next);
    }
  };
  visit(entry);
  return [...found].sort();
}

describe('DynamoDB grants', () => {
  it('name the actions each JobRepository method of the adapter sends', () => {
    const sent = adapterActions('adapters/aws/dynamo-job-repository.ts');
    for (const [method, granted] of Object.entries(JOB_REPOSITORY_ACTIONS)) {
      expect(sent.get(method), method).toEqual([...granted].sort());
    }
  });

  it('name the actions each KeyStore method of the adapter sends', () => {
    const sent = adapterActions('adapters/aws/dynamo-key-store.ts');
    for (const [method, granted] of Object.entries(KEY_STORE_ACTIONS)) {
      expect(sent.get(method), method).toEqual([...granted].sort());
    }
  });

  const ENTRIES: Record<keyof typeof JOB_TABLE_ACCESS, string> = {
    convert: 'functions/convert/handler.ts',
    results: 'functions/results/handler.ts',
    files: 'functions/files/handler.ts',
    'on-upload': 'functions/on-upload/handler.ts',
    'on-dead-letter': 'functions/on-dead-letter/handler.ts',
    worker: 'containers/worker/main.ts',
    ingest: 'containers/ingest/main.ts',
  };

  it('give each entry point exactly the job-table methods its code reaches', () => {
    const methods = Object.keys(JOB_REPOSITORY_ACTIONS);
    for (const [role, entry] of Object.entries(ENTRIES)) {
      const granted = [...JOB_TABLE_ACCESS[role as keyof typeof JOB_TABLE_ACCESS]].sort();
      expect(reachedMethods(entry, methods, /\brepo\.(\w+)\(/g), role).toEqual(granted);
    }
  });

  it('let only the authorizer read keys, and only by hash', () => {
    // The authorizer's one key-store call is verifyApiKey's (api-keys.ts also holds the CLI's
    // createApiKey, so the check reads that function rather than the whole module).
    expect(source('functions/authorizer/create-handler.ts')).toMatch(/verifyApiKey\(/);
    const apiKeys = source('core/jobs/api-keys.ts');
    const verify = apiKeys.slice(apiKeys.indexOf('export async function verifyApiKey('));
    const body = verify.slice(0, verify.indexOf('\n}\n') + 2);
    const calls = [...body.matchAll(/\bkeys\.(\w+)\(/g)].map((m) => m[1]);
    expect(calls).toEqual([...KEY_TABLE_ACCESS.authorizer]);
  });
});
