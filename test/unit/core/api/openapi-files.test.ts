import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../../functions/shared/openapi-answer.ts';
import { OPENAPI_FILES, renderOpenApiFiles } from '../../../../scripts/openapi-files.ts';

/** docs/openapi.json and the client's types are generated; a stale copy fails here. */
describe('the generated contract files', () => {
  const current = renderOpenApiFiles(openApiDocument());
  for (const [key, path] of Object.entries(OPENAPI_FILES)) {
    it(`${key} is current (npm run docs:openapi rewrites it)`, async () => {
      expect(await readFile(path, 'utf8')).toBe(current[key as keyof typeof OPENAPI_FILES]);
    });
  }
});
