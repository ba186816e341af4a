import { DEFAULT_JOB_LIMITS } from '../jobs/job-limits.ts';
import { QUEUE_SETTINGS } from './resources.ts';

/** The reconciler's settings: environment names and defaults shared by the CDK app, the Lambda and the local stack. */

export const RECONCILER_ENV = {
  queuedAfterSeconds: 'RECONCILE_QUEUED_AFTER_SECONDS',
  uploadGraceSeconds: 'RECONCILE_UPLOAD_GRACE_SECONDS',
  abandonUploadAfterSeconds: 'RECONCILE_ABANDON_UPLOAD_AFTER_SECONDS',
  maxFiles: 'RECONCILE_MAX_FILES',
} as const;

export const RECONCILER_DEFAULTS = {
  /**
   * A queued file is sent again after this long without a worker taking it. Well past both
   * queues' visibility timeouts, so a message that is merely in flight or backed off is not
   * doubled; each further re-send waits twice as long (see reconcile-stranded.ts).
   */
  queuedAfterSeconds: 2 * QUEUE_SETTINGS.video.visibilityTimeoutSeconds,
  /** A waiting upload is first checked for its object this long after the job was created. */
  uploadGraceSeconds: 60,
  /** No object this long after creation: the upload URL expired an hour ago; the file fails. */
  abandonUploadAfterSeconds: DEFAULT_JOB_LIMITS.urlSeconds + 3600,
  /** Files examined per status per run (a run must end well inside the Lambda timeout). */
  maxFiles: 500,
  /** How often the schedule (and the local stack's timer) runs it. */
  intervalMinutes: 5,
} as const;
