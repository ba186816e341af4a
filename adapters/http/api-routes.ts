import type { RouteMatch } from './proxy-event.ts';

/**
 * The REST API's routes as the CDK app declares them: resource template, method, the handler that
 * serves it and whether the API-key authorizer runs first.
 */

export type HandlerName = 'convert' | 'results' | 'files';

export interface ApiRoute {
  readonly method: string;
  readonly resource: string;
  readonly handler: HandlerName;
  readonly authorized: boolean;
}

/** Where both front doors serve the API document. */
export const OPENAPI_PATH = '/v1/openapi.json';

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', resource: '/v1/convert', handler: 'convert', authorized: true },
  { method: 'POST', resource: '/v1/results', handler: 'results', authorized: false },
  { method: 'GET', resource: '/v1/files/{uuid}/{name}', handler: 'files', authorized: false },
  // The API document rides with the results function (openapi-answer.ts): open, small, no state.
  { method: 'GET', resource: OPENAPI_PATH, handler: 'results', authorized: false },
];

function segments(path: string): string[] {
  // The seed's clients post to `/v1/convert/`: a trailing slash names the same resource.
  return path.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));
}

function matchResource(
  resource: string,
  path: string,
): Readonly<Record<string, string>> | null | undefined {
  const want = segments(resource);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const actual = got[i] ?? '';
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name !== undefined) {
      if (actual === '') return undefined;
      try {
        params[name] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (part !== actual) {
      return undefined;
    }
  }
  return Object.keys(params).length > 0 ? params : null;
}

export type RouteLookup =
  | { readonly kind: 'found'; readonly route: ApiRoute; readonly match: RouteMatch }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

export function findRoute(method: string, path: string): RouteLookup {
  const allowed: string[] = [];
  for (const route of API_ROUTES) {
    const params = matchResource(route.resource, path);
    if (params === undefined) continue;
    if (route.method === method) {
      return { kind: 'found', route, match: { resource: route.resource, pathParameters: params } };
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}
