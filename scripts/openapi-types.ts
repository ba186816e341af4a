/**
 * TypeScript declarations for the client (client/src/api-types.ts) rendered from the API
 * document, so the client's types are the contract's. Handles the JSON Schema the document
 * uses: objects, arrays, enums, consts, oneOf/allOf and local $refs.
 */

type Json = Record<string, unknown>;

/** The document's component schemas the client names, in the order they are written. */
export const CLIENT_TYPES = [
  'ImageOptions',
  'VideoOptions',
  'Uploads',
  'UploadTarget',
  'ConvertAccepted',
  'JobResults',
  'FileStatus',
  'ErrorCode',
  'Error',
] as const;

const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
};

function typeOf(schema: Json, indent: string): string {
  if (typeof schema.$ref === 'string') return schema.$ref.replace('#/components/schemas/', 'Api');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(union)) {
    return (union as Json[]).map((s) => `(${typeOf(s, indent)})`).join(' | ');
  }
  if (Array.isArray(schema.allOf)) {
    return (schema.allOf as Json[]).map((s) => `(${typeOf(s, indent)})`).join(' & ');
  }
  if (schema.type === 'array') {
    return `readonly (${typeOf((schema.items as Json | undefined) ?? {}, indent)})[]`;
  }
  if (schema.type === 'object' || schema.properties !== undefined) {
    const properties = (schema.properties ?? {}) as Record<string, Json>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const inner = `${indent}  `;
    const lines = Object.entries(properties).map(([name, property]) => {
      const comment =
        typeof property.description === 'string'
          ? `${inner}/** ${property.description.replace(/\*\//g, '* /')} */\n`
          : '';
      const optional = required.has(name) ? '' : '?';
      return `${comment}${inner}readonly ${name}${optional}: ${typeOf(property, inner)};`;
    });
    const extra = schema.additionalProperties;
    if (typeof extra === 'object' && extra !== null && Object.keys(extra).length > 0) {
      lines.push(`${inner}readonly [key: string]: ${typeOf(extra as Json, inner)};`);
    }
    return lines.length === 0 ? 'Record<string, unknown>' : `{\n${lines.join('\n')}\n${indent}}`;
  }
  if (typeof schema.type === 'string') return PRIMITIVES[schema.type] ?? 'unknown';
  return 'unknown';
}

export function renderClientTypes(document: Json): string {
  const schemas = (document.components as Json).schemas as Record<string, Json>;
  const blocks = CLIENT_TYPES.map((name) => {
    const schema = schemas[name];
    if (schema === undefined) throw new Error(`the API document has no schema ${name}`);
    return `export type Api${name} = ${typeOf(schema, '')};\n`;
  });
  return [
    '// Generated from the API document by `npm run docs:openapi` (scripts/openapi.ts): do not edit.',
    '// test/unit/core/api/openapi-files.test.ts fails when this file is not current.',
    '',
    blocks.join('\n'),
  ].join('\n');
}
