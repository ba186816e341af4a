import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskProtection } from '../../../../containers/worker/task-protection.ts';

interface Call {
  method: string;
  url: string;
  body: unknown;
}

let server: Server | undefined;

async function fakeAgent(status = 200): Promise<{ uri: string; calls: Call[] }> {
  const calls: Call[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { uri: `http://127.0.0.1:${port}/v1`, calls };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('ECS task scale-in protection', () => {
  it('switches on with the first file in progress and off with the last', async () => {
    const agent = await fakeAgent();
    const protection = createTaskProtection({ agentUri: agent.uri, expiresInMinutes: 30 });
    await protection.acquire();
    await protection.acquire();
    await protection.release();
    expect(agent.calls).toEqual([
      {
        method: 'PUT',
        url: '/v1/task-protection/v1/state',
        body: { ProtectionEnabled: true, ExpiresInMinutes: 30 },
      },
    ]);
    await protection.release();
    expect(agent.calls.map((c) => c.body)).toEqual([
      { ProtectionEnabled: true, ExpiresInMinutes: 30 },
      { ProtectionEnabled: false },
    ]);
    await protection.close();
  });

  it('is a no-op without ECS_AGENT_URI', async () => {
    let called = false;
    const protection = createTaskProtection({
      agentUri: undefined,
      fetch: async () => {
        called = true;
        return new Response('{}');
      },
    });
    await protection.acquire();
    await protection.release();
    await protection.close();
    expect(called).toBe(false);
  });

  it('reports an agent refusal without failing the file', async () => {
    const agent = await fakeAgent(400);
    const errors: unknown[] = [];
    const protection = createTaskProtection({
      agentUri: agent.uri,
      onError: (e) => errors.push(e),
    });
    await expect(protection.acquire()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('400');
    await protection.close();
    expect(agent.calls.at(-1)?.body).toEqual({ ProtectionEnabled: false });
  });
});
