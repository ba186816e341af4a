import type { ProxyHandler } from '../adapters/http/proxy-event.ts';
import { errorResponse } from '../functions/shared/http.ts';

/**
 * The Lambda door's convert with the local server's admission check (the disk budget) in
 * front: a refused request gets the coded answer the handler itself would give, and the
 * handler, which writes the job, never runs.
 */
export function admittedConvert(convert: ProxyHandler, admit: () => Promise<void>): ProxyHandler {
  return async (event, context) => {
    try {
      await admit();
    } catch (error) {
      return errorResponse(error, context.awsRequestId);
    }
    return convert(event, context);
  };
}
