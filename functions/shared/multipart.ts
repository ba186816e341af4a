import busboy from 'busboy';
import { CutoutError, invalidField } from '../../core/errors.ts';
import { addFormField } from '../../core/jobs/image-urls.ts';

export interface FilePart {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string | undefined;
  readonly data: Uint8Array;
}

export interface ParsedForm {
  /** Text fields; `image_url` repeated into a list (core/jobs/image-urls.ts addFormField). */
  readonly fields: Record<string, unknown>;
  readonly files: FilePart[];
}

export interface MultipartLimits {
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly maxFields: number;
}

/**
 * Parses a whole multipart/form-data body (API Gateway hands Lambda the body in one piece).
 * @throws CutoutError INVALID_REQUEST for a malformed body, INPUT_TOO_LARGE over the limits
 */
export function parseMultipart(
  body: Buffer,
  contentType: string,
  limits: MultipartLimits,
): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: {
          // busboy reports the limit when a file reaches it; one more byte lets a file of
          // exactly maxFileBytes through and stops only a larger one.
          fileSize: limits.maxFileBytes + 1,
          files: limits.maxFiles,
          fields: limits.maxFields,
          fieldSize: 1024 * 1024,
        },
        defParamCharset: 'utf8',
      });
    } catch (cause) {
      reject(
        new CutoutError('INVALID_REQUEST', 'Content-Type: multipart boundary missing', { cause }),
      );
      return;
    }
    const fields: Record<string, unknown> = {};
    const files: FilePart[] = [];
    let failure: CutoutError | undefined;
    parser.on('field', (name, value) => {
      addFormField(fields, name, value);
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure ??= new CutoutError(
          'INPUT_TOO_LARGE',
          `${field}: '${info.filename}' is over the ${limits.maxFileBytes}-byte inline limit; use uploads`,
          { field },
        );
      });
      stream.on('end', () => {
        files.push({
          field,
          filename: info.filename ?? field,
          contentType: info.mimeType,
          data: new Uint8Array(Buffer.concat(chunks)),
        });
      });
    });
    parser.on('filesLimit', () => {
      failure ??= invalidField('files', `at most ${limits.maxFiles} file parts per request`);
    });
    parser.on('error', (cause: unknown) => {
      reject(new CutoutError('INVALID_REQUEST', 'body: malformed multipart/form-data', { cause }));
    });
    parser.on('close', () => {
      if (failure) reject(failure);
      else resolve({ fields, files });
    });
    parser.end(body);
  });
}
