import { describe, expect, it } from 'vitest';
import {
  createOutboundClient,
  type OutboundPolicy,
  type Resolver,
} from '../../../../adapters/http/outbound-client.ts';
import { outboundPolicyFromEnv } from '../../../../adapters/http/outbound-env.ts';
import { CutoutError } from '../../../../core/errors.ts';

const AWS: OutboundPolicy = { allowHttp: false, allowedCidrs: [] };

/** A resolver that answers `addresses` for every host and counts its calls. */
function fakeResolver(...addresses: string[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    return addresses.map(
      (address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const,
    );
  };
  return Object.assign(resolve, { calls });
}

async function failure(promise: Promise<unknown>): Promise<CutoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CutoutError);
  return error as CutoutError;
}

const get = (url: string) =>
  ({ url, method: 'GET', timeoutMs: 2_000, maxResponseBytes: 1024 }) as const;

describe('createOutboundClient: addresses after DNS', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.7', 'private'],
    ['172.20.1.1', 'private'],
    ['192.168.0.10', 'private'],
    ['169.254.10.10', 'link-local'],
    ['fe80::abcd', 'link-local'],
    ['fd12::1', 'unique-local'],
    ['100.64.1.1', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['ff05::2', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.1.2.3', 'reserved'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['64:ff9b::7f00:1', 'loopback'],
  ])('refuses a host resolving to %s (%s), without naming the address', async (address, kind) => {
    const resolver = fakeResolver(address);
    const error = await failure(
      createOutboundClient(AWS, resolver).send(get('https://images.example.com/cat.png')),
    );
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toBe(`images.example.com resolves to a ${kind} address`);
    expect(error.message).not.toContain(address);
    expect(resolver.calls).toEqual(['images.example.com']);
  });

  it('refuses when any one of several answers is not public', async () => {
    const error = await failure(
      createOutboundClient(AWS, fakeResolver('93.184.216.34', '10.0.0.1')).send(
        get('https://mixed.example.com/'),
      ),
    );
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toContain('private');
  });

  it.each([
    ['https://2130706433/', '127.0.0.1', 'loopback'],
    ['https://0x7f.1/', '127.0.0.1', 'loopback'],
    ['https://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://127.1/', '127.0.0.1', 'loopback'],
    ['https://[::1]/', '::1', 'loopback'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['https://[::ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe', 'cloud metadata'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', 'cloud metadata'],
    ['https://[fd00:ec2::254]/', 'fd00:ec2::254', 'cloud metadata'],
    ['https://0/', '0.0.0.0', 'unspecified'],
  ])(
    'refuses the literal %s as the address the URL parser reads (%s) without DNS',
    async (url, address, kind) => {
      const resolver = fakeResolver('93.184.216.34');
      const error = await failure(createOutboundClient(AWS, resolver).send(get(url)));
      expect(error.code).toBe('OUTBOUND_REFUSED');
      expect(error.message).toBe(`${address} is a ${kind} address`);
      expect(resolver.calls).toEqual([]);
    },
  );
});

describe('createOutboundClient: the URL', () => {
  it.each([
    ['http://images.example.com/a.png', AWS, 'uses http; only https URLs are allowed'],
    ['ftp://images.example.com/a.png', AWS, 'uses ftp; only https URLs are allowed'],
    [
      'file:///etc/passwd',
      { allowHttp: true, allowedCidrs: [] },
      'uses file; only https and http URLs are allowed',
    ],
    ['gopher://x/', AWS, 'uses gopher; only https URLs are allowed'],
    ['https://user:pw@images.example.com/', AWS, 'carries a user name or password'],
    ['https://user@images.example.com/', AWS, 'carries a user name or password'],
    ['images.example.com/a.png', AWS, 'is not an absolute URL'],
  ])('refuses %s before any DNS', async (url, policy, problem) => {
    const resolver = fakeResolver('93.184.216.34');
    const error = await failure(createOutboundClient(policy, resolver).send(get(url)));
    expect(error.code).toBe('OUTBOUND_REFUSED');
    expect(error.message).toContain(problem);
    expect(resolver.calls).toEqual([]);
  });

  it('says host not found when the resolver fails or answers nothing', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const none: Resolver = async () => [];
    for (const resolver of [failing, none]) {
      const error = await failure(
        createOutboundClient(AWS, resolver).send(get('https://nowhere.example/')),
      );
      expect(error.code).toBe('OUTBOUND_FAILED');
      expect(error.message).toBe('nowhere.example: host not found');
    }
  });

  it('counts DNS inside the timeout', async () => {
    const hanging: Resolver = () => new Promise(() => undefined);
    const error = await failure(
      createOutboundClient(AWS, hanging).send({
        ...get('https://slow-dns.example/'),
        timeoutMs: 50,
      }),
    );
    expect(error.code).toBe('OUTBOUND_TIMEOUT');
    expect(error.message).toContain('slow-dns.example');
  });
});

describe('outboundPolicyFromEnv', () => {
  it('defaults to the deployment default and no exceptions', () => {
    expect(outboundPolicyFromEnv({}, { allowHttp: false })).toEqual(AWS);
    expect(outboundPolicyFromEnv({}, { allowHttp: true })).toEqual({
      allowHttp: true,
      allowedCidrs: [],
    });
  });

  it('reads the variables', () => {
    expect(
      outboundPolicyFromEnv(
        {
          CUTOUT_OUTBOUND_ALLOW_HTTP: 'true',
          CUTOUT_OUTBOUND_ALLOW_CIDRS: '127.0.0.1/32, ::1/128',
        },
        { allowHttp: false },
      ),
    ).toEqual({ allowHttp: true, allowedCidrs: ['127.0.0.1/32', '::1/128'] });
  });

  it('names a bad variable', () => {
    expect(() =>
      outboundPolicyFromEnv({ CUTOUT_OUTBOUND_ALLOW_CIDRS: '127.0.0.1/99' }, { allowHttp: false }),
    ).toThrow(/CUTOUT_OUTBOUND_ALLOW_CIDRS: "127.0.0.1\/99" is not valid/);
    expect(() =>
      outboundPolicyFromEnv({ CUTOUT_OUTBOUND_ALLOW_HTTP: 'maybe' }, { allowHttp: false }),
    ).toThrow(/CUTOUT_OUTBOUND_ALLOW_HTTP/);
  });
});
