import { CutoutError } from '../errors.ts';

/** What an outbound URL may look like: which schemes; addresses are judged after DNS. */
export interface OutboundUrlRules {
  /** Plain http as well as https (the local stack); AWS deployments send https only. */
  readonly allowHttp: boolean;
}

function refused(problem: string): CutoutError {
  return new CutoutError('OUTBOUND_REFUSED', problem, { subject: null });
}

/**
 * `text` parsed as a URL the guard may request, before any DNS: http(s) only, https only unless
 * `allowHttp`, no user name or password. Odd host spellings (`2130706433`, `0x7f.1`, `0177.1`)
 * come back as the dotted address the URL parser reads them as, so the address rules see them.
 * @throws CutoutError OUTBOUND_REFUSED naming what is wrong
 */
export function outboundUrl(text: string, rules: OutboundUrlRules): URL {
  const url = URL.parse(text.trim());
  if (url === null) return refusedUrl('is not an absolute URL');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refusedUrl(
      `uses ${url.protocol.slice(0, -1)}; only https${rules.allowHttp ? ' and http' : ''} URLs are allowed`,
    );
  }
  if (url.protocol === 'http:' && !rules.allowHttp) {
    return refusedUrl('uses http; only https URLs are allowed');
  }
  if (url.username !== '' || url.password !== '') {
    return refusedUrl('carries a user name or password; credentials in URLs are not allowed');
  }
  if (url.hostname === '') return refusedUrl('has no host');
  return url;
}

function refusedUrl(problem: string): never {
  throw refused(`the URL ${problem}`);
}

/** The host as a socket takes it: an IPv6 literal without its brackets. */
export function socketHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
