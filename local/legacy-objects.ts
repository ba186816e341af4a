import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Data folders written before S3 objects were kept as files hold them as blobs in fauxqs's
 * SQLite database (`fauxqs/fauxqs.db`, table `s3_objects`), which the file store does not read.
 * Each is moved through the S3 API into the file store, one at a time (one body in memory),
 * and its row deleted, so a crash midway loses nothing and the next start finishes the move.
 * Abandoned multipart uploads there are dropped. Runs once the emulators serve and before
 * upload events are hooked, so a moved input is not taken for a new upload.
 *
 * A moved object's LastModified is the move's time: its expiry by the job TTL starts again.
 */

interface Row {
  readonly bucket: string;
  readonly key: string;
}

interface Body {
  readonly body: Uint8Array;
  readonly content_type: string | null;
  readonly metadata: string | null;
}

/** @returns how many objects were moved */
export async function moveLegacyObjects(databasePath: string, s3: S3Client): Promise<number> {
  if (!existsSync(databasePath)) return 0;
  const db = new DatabaseSync(databasePath);
  try {
    const table = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 's3_objects'")
      .get();
    if (!table) return 0;
    const rows = db.prepare('SELECT bucket, key FROM s3_objects').all() as unknown as Row[];
    if (rows.length === 0) return 0;
    const read = db.prepare(
      'SELECT body, content_type, metadata FROM s3_objects WHERE bucket = ? AND key = ?',
    );
    const remove = db.prepare('DELETE FROM s3_objects WHERE bucket = ? AND key = ?');
    for (const { bucket, key } of rows) {
      const row = read.get(bucket, key) as unknown as Body | undefined;
      if (!row) continue;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: row.body,
          ...(row.content_type ? { ContentType: row.content_type } : {}),
          Metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, string>) : {},
        }),
      );
      remove.run(bucket, key);
    }
    db.exec('DELETE FROM s3_multipart_parts');
    db.exec('DELETE FROM s3_multipart_uploads');
    // Gives the blobs' pages back to the disk; a busy database keeps them for reuse instead.
    try {
      db.exec('VACUUM');
    } catch {}
    return rows.length;
  } finally {
    db.close();
  }
}
