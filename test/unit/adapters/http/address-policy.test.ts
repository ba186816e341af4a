import { describe, expect, it } from 'vitest';
import {
  addressJudge,
  normalisedAddress,
  parseCidr,
  refusedKind,
} from '../../../../adapters/http/address-policy.ts';

describe('refusedKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.5', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['fec0::1', 'reserved'],
    // Outside 2000::/3 nothing is allocated for the internet.
    ['4000::1', 'reserved'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    // IPv4 carried inside IPv6 is judged as the IPv4 address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['64:ff9b:1::1', 'reserved'],
    ['not-an-address', 'reserved'],
  ])('%s is refused as %s', (address, kind) => {
    expect(refusedKind(address)).toBe(kind);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('%s is public', (address) => {
    expect(refusedKind(address)).toBeUndefined();
  });
});

describe('normalisedAddress', () => {
  it('reads the IPv4 address out of mapped, NAT64 and 6to4 forms and leaves others alone', () => {
    expect(normalisedAddress('::ffff:1.2.3.4')).toEqual({ address: '1.2.3.4', family: 'ipv4' });
    expect(normalisedAddress('64:ff9b::102:304')).toEqual({ address: '1.2.3.4', family: 'ipv4' });
    expect(normalisedAddress('2002:102:304::1')).toEqual({ address: '1.2.3.4', family: 'ipv4' });
    expect(normalisedAddress('2606:4700::1')).toEqual({ address: '2606:4700::1', family: 'ipv6' });
  });
});

describe('parseCidr', () => {
  it('reads networks and bare addresses and refuses anything else', () => {
    expect(parseCidr('127.0.0.1/32')).toEqual({ network: '127.0.0.1', prefix: 32, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ network: '::1', prefix: 128, family: 'ipv6' });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/x')).toBeUndefined();
    expect(parseCidr('localhost/8')).toBeUndefined();
    expect(parseCidr('1.2.3.4/8/9')).toBeUndefined();
  });
});

describe('addressJudge', () => {
  it('lets the allowed CIDRs through, in mapped form too, and refuses the rest as usual', () => {
    const judge = addressJudge(['127.0.0.1/32', 'fd00::/8']);
    expect(judge('127.0.0.1')).toBeUndefined();
    expect(judge('::ffff:127.0.0.1')).toBeUndefined();
    expect(judge('fd00::5')).toBeUndefined();
    expect(judge('127.0.0.2')).toBe('loopback');
    expect(judge('::1')).toBe('loopback');
    expect(judge('169.254.169.254')).toBe('cloud metadata');
    expect(judge('8.8.8.8')).toBeUndefined();
  });

  it('throws on a malformed CIDR', () => {
    expect(() => addressJudge(['127.0.0.1/40'])).toThrow(/not a CIDR/);
  });
});
