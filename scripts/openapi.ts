import { writeFile } from 'node:fs/promises';
import { openApiDocument } from '../functions/shared/openapi-answer.ts';
import { OPENAPI_FILES, renderOpenApiFiles } from './openapi-files.ts';

/** `npm run docs:openapi`: writes docs/openapi.json and the client's types from the schemas. */
const files = renderOpenApiFiles(openApiDocument());
for (const [key, path] of Object.entries(OPENAPI_FILES)) {
  await writeFile(path, files[key as keyof typeof OPENAPI_FILES]);
  process.stdout.write(`wrote ${path}\n`);
}
