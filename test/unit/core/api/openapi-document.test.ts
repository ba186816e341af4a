import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildOpenApiDocument } from '../../../../core/api/openapi-document.ts';
import { DEFAULT_INLINE_LIMIT_BYTES } from '../../../../core/config/inline-limit.ts';
import { ERROR_CODES } from '../../../../core/errors.ts';
import {
  jobResultsSchema,
  resultFileSchema,
  resultItemSchema,
} from '../../../../core/jobs/results-schema.ts';
import { uploadsSchema } from '../../../../core/jobs/uploads.ts';
import { CONVERT_SHAPES } from '../../../../core/params/convert-params.ts';
import { HTTP_STATUS } from '../../../../functions/shared/http.ts';

/**
 * The API document against the parsers it is generated from: every field of every shape is
 * documented, and each documented default, enum, range, pattern and example is what the parser
 * does. A field whose helper carries no FieldDoc, or a doc that says other than its parser,
 * fails here.
 */

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as the plain JSON it is
type Json = Record<string, any>;
const doc = buildOpenApiDocument({
  httpStatus: HTTP_STATUS,
  inlineLimitBytes: DEFAULT_INLINE_LIMIT_BYTES,
}) as Json;
const schemas = doc.components.schemas as Record<string, Json>;

const KINDS = [
  ['image', 'ImageOptions'],
  ['video', 'VideoOptions'],
] as const;

function parses(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}

describe('the convert options in the document', () => {
  for (const [kind, component] of KINDS) {
    const shape: Record<string, z.ZodType> = { ...CONVERT_SHAPES.common, ...CONVERT_SHAPES[kind] };
    const properties = schemas[component]?.properties as Record<string, Json>;

    it(`${component} lists exactly the ${kind} parser's fields`, () => {
      expect(Object.keys(properties).sort()).toEqual(Object.keys(shape).sort());
    });

    for (const [name, schema] of Object.entries(shape)) {
      describe(`${kind}: ${name}`, () => {
        const entry = properties[name] ?? {};

        it('has a documented type', () => {
          expect(['boolean', 'integer', 'number', 'string']).toContain(entry.type);
        });

        it('documents the default the parser gives a blank value', () => {
          const blank = schema.parse(undefined);
          if (entry.default === undefined) expect(blank).toBeUndefined();
          else expect(schema.parse(entry.default)).toEqual(blank);
          expect(schema.parse('')).toEqual(blank);
        });

        it('documents values the parser takes, and the parser refuses others', () => {
          if (entry.type === 'boolean') {
            expect(schema.parse('true')).toBe(true);
            expect(schema.parse(false)).toBe(false);
            expect(parses(schema, 'maybe')).toBe(false);
          }
          if (entry.type === 'integer') {
            expect(typeof entry.minimum).toBe('number');
            expect(typeof entry.maximum).toBe('number');
            expect(schema.parse(entry.minimum)).toBe(entry.minimum);
            expect(schema.parse(String(entry.maximum))).toBe(entry.maximum);
            expect(parses(schema, entry.minimum - 1)).toBe(false);
            expect(parses(schema, entry.maximum + 1)).toBe(false);
            expect(parses(schema, entry.minimum + 0.5)).toBe(false);
          }
          if (entry.enum !== undefined) {
            for (const value of entry.enum) expect(schema.parse(value)).toBe(value);
            expect(parses(schema, 'no-such-value-xyz')).toBe(false);
          }
          if (entry.pattern !== undefined) {
            const pattern = new RegExp(entry.pattern);
            if (entry.default !== undefined) expect(pattern.test(String(entry.default))).toBe(true);
            expect(parses(schema, '!!')).toBe(pattern.test('!!'));
          }
          for (const example of entry.examples ?? []) expect(parses(schema, example)).toBe(true);
        });
      });
    }
  }

  it('fixes convert_to per kind and requires it', () => {
    expect(schemas.ImageOptions?.properties.convert_to.const).toBe('image-backgroundremover');
    expect(schemas.VideoOptions?.properties.convert_to.const).toBe('video-backgroundremover');
    expect(schemas.ImageOptions?.required).toEqual(['convert_to']);
  });
});

describe('the uploads list in the document', () => {
  it('has the fields and bounds of uploadsSchema', () => {
    const item = schemas.Uploads?.items as Json;
    expect(Object.keys(item.properties).sort()).toEqual(
      Object.keys(uploadsSchema.element.shape).sort(),
    );
    expect(item.required.sort()).toEqual(['content_type', 'filename', 'size']);
    expect(schemas.Uploads?.minItems).toBe(1);
    expect(doc.paths['/v1/convert'].post.description).toMatch(/method: multipart/);
  });
});

describe('the results answer in the document', () => {
  it('has every field of the schema the handler answers through', () => {
    const results = schemas.JobResults as Json;
    expect(Object.keys(results.properties).sort()).toEqual(
      Object.keys(jobResultsSchema.shape).sort(),
    );
    expect(Object.keys(results.properties.files.items.properties).sort()).toEqual(
      Object.keys(resultFileSchema.shape).sort(),
    );
    expect(Object.keys(results.properties.items.items.properties).sort()).toEqual(
      Object.keys(resultItemSchema.shape).sort(),
    );
  });

  it('has an example the results schema accepts', () => {
    const example =
      doc.paths['/v1/results'].post.responses['200'].content['application/json'].example;
    expect(jobResultsSchema.safeParse(example).error).toBeUndefined();
  });
});

describe('the error codes in the document', () => {
  it('lists every code with its HTTP status from the one table', () => {
    expect(schemas.ErrorCode?.enum).toEqual([...ERROR_CODES]);
    for (const code of ERROR_CODES) {
      expect(schemas.ErrorCode?.['x-http-status'][code]).toBe(HTTP_STATUS[code]);
    }
  });

  it('gives every operation an answer for every error status', () => {
    const statuses = [...new Set(Object.values(HTTP_STATUS))].map(String);
    for (const path of ['/v1/convert', '/v1/results', '/v1/files/{uuid}/{name}']) {
      const operation = Object.values(doc.paths[path] as Json)[0] as Json;
      for (const status of statuses) {
        expect(operation.responses[status]?.description, `${path} ${status}`).toMatch(/^Error: /);
      }
      for (const code of ERROR_CODES) {
        expect(operation.responses[String(HTTP_STATUS[code])].description).toContain(code);
      }
    }
  });
});
