/**
 * Whether a visitor is on this machine: the web page carries the development key only for them.
 * Both the peer address and the Host header must be loopback, so a page fetched through a proxy
 * or a tunnel (loopback peer, public Host) gets no key.
 */

function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '::1';
}

export function isLoopbackVisitor(remoteAddress: string | undefined, host: string | undefined) {
  return isLoopbackAddress(remoteAddress) && isLoopbackHost(host);
}
