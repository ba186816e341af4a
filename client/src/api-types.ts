// Generated from the API document by `npm run docs:openapi` (scripts/openapi.ts): do not edit.
// test/unit/core/api/openapi-files.test.ts fails when this file is not current.

export type ApiImageOptions = {
  /** Case-insensitive; spaces, dashes and underscores are alike */
  readonly convert_to: "image-backgroundremover";
  /** Called (POST, JSON, signed with your key's signing secret: docs/webhooks.md) when the job finishes; https only on AWS */
  readonly webhook_url?: string;
  /** Comma-separated events for webhook_url: job.finished (every file done or failed) and/or file.finished (each file as it ends); also job, file */
  readonly webhook_events?: string;
  /** A model id from the deployment's manifest (an unknown one is MODEL_NOT_FOUND) */
  readonly model?: string;
  /** true or false (also 1/0, on/off, yes/no) */
  readonly alpha_matting?: boolean;
  readonly alpha_fg?: number;
  readonly alpha_bg?: number;
  readonly alpha_erode?: number;
  readonly alpha_base_size?: number;
  /** true or false (also 1/0, on/off, yes/no) */
  readonly only_mask?: boolean;
  /** Case-insensitive; spaces, dashes and underscores are alike. Also accepted: transparente, imagen */
  readonly bg_type?: "transparent" | "color" | "image";
  /** A hex colour: #rgb, #rgba, #rrggbb or #rrggbbaa (the # is optional), or a CSS colour name */
  readonly bg_color_value?: string;
  /** true or false (also 1/0, on/off, yes/no) */
  readonly post_process_mask?: boolean;
  /** Case-insensitive; spaces, dashes and underscores are alike. Also accepted: jpeg */
  readonly output_format?: "png" | "webp" | "jpg";
  /** true or false (also 1/0, on/off, yes/no) */
  readonly crop?: boolean;
  /** With crop=true: margin around the subject box, in pixels (20, 20px) or percent of the box (10%); clamped to the image */
  readonly crop_margin?: string;
  /** The subject box's size as a share of the canvas (1-100%, fitted inside it); implies position=center */
  readonly scale?: string;
  /** Where the subject box sits in the canvas: original, center, top, bottom, left, right, top-left, ... or x%,y% */
  readonly position?: string;
  /** Largest output: longest side in pixels (16-16384) or megapixels (e.g. 2mp); never upscales */
  readonly size?: string;
  /** Case-insensitive; spaces, dashes and underscores are alike */
  readonly channels?: "rgba" | "alpha";
  /** Grow (positive) or shrink (negative) the subject by this many pixels, after the model and matting */
  readonly mask_shift?: number;
  /** Soften the edge over about this many pixels (a Gaussian blur of the alpha, sigma = n/4), after mask_shift */
  readonly mask_feather?: number;
  /** Remove the removed background colour from partly transparent edge pixels (see docs/images.md) */
  readonly despill?: boolean;
  /** Refine the model mask: edges snapped to the image, certain foreground fully opaque and certain background fully transparent; on a video, each frame's mask after temporal smoothing (see docs/refine.md) */
  readonly refine?: boolean;
  /** An image to fetch instead of a file part; repeat the field for more (also image_url[]; in JSON, a list). Images only; https only on AWS. The worker fetches it through the outbound guard (public addresses only, no redirects, a 20 s timeout, the image size cap); a refused or failed fetch fails that file alone (docs/image-url.md) */
  readonly image_url?: string;
};

export type ApiVideoOptions = {
  /** Case-insensitive; spaces, dashes and underscores are alike */
  readonly convert_to: "video-backgroundremover";
  /** Called (POST, JSON, signed with your key's signing secret: docs/webhooks.md) when the job finishes; https only on AWS */
  readonly webhook_url?: string;
  /** Comma-separated events for webhook_url: job.finished (every file done or failed) and/or file.finished (each file as it ends); also job, file */
  readonly webhook_events?: string;
  /** A model id from the deployment's manifest (an unknown one is MODEL_NOT_FOUND) */
  readonly model?: string;
  /** true or false (also 1/0, on/off, yes/no) */
  readonly alpha_matting?: boolean;
  readonly alpha_fg?: number;
  readonly alpha_bg?: number;
  readonly alpha_erode?: number;
  readonly alpha_base_size?: number;
  /** Case-insensitive; spaces, dashes and underscores are alike. Also accepted: video_sobre_imagen, video_sobre_video, gif_con_bg, gif_con_fondo, mp4_con_color, mattekey_mp4 */
  readonly video_format?: "mov" | "mattekey" | "gif" | "video_over_image" | "video_over_video" | "gif_with_bg" | "mp4_with_color" | "webm";
  /** true or false (also 1/0, on/off, yes/no) */
  readonly video_bg_color_enabled?: boolean;
  /** A hex colour: #rgb, #rgba, #rrggbb or #rrggbbaa (the # is optional), or a CSS colour name */
  readonly video_bg_color?: string;
  readonly framerate?: number;
  readonly frame_limit?: number;
  /** Case-insensitive; spaces, dashes and underscores are alike */
  readonly mov_codec?: "prores" | "qtrle";
  /** Refine the model mask: edges snapped to the image, certain foreground fully opaque and certain background fully transparent; on a video, each frame's mask after temporal smoothing (see docs/refine.md) */
  readonly refine?: boolean;
};

export type ApiUploads = readonly ({
  readonly filename: string;
  readonly size: number;
  readonly content_type: string;
})[];

export type ApiUploadTarget = ({
  readonly filename: string;
  readonly method: "POST";
  readonly url: string;
  readonly fields: {
    readonly [key: string]: string;
  };
}) | ({
  readonly filename: string;
  readonly method: "multipart";
  readonly upload_id: string;
  readonly part_size: number;
  readonly parts: readonly ({
    readonly part_number: number;
    readonly url: string;
  })[];
  readonly complete_url: string;
});

export type ApiConvertAccepted = {
  readonly uuid: string;
  /** Uploads mode only: one target per requested upload, in order */
  readonly uploads?: readonly (({
    readonly filename: string;
    readonly method: "POST";
    readonly url: string;
    readonly fields: {
      readonly [key: string]: string;
    };
  }) | ({
    readonly filename: string;
    readonly method: "multipart";
    readonly upload_id: string;
    readonly part_size: number;
    readonly parts: readonly ({
      readonly part_number: number;
      readonly url: string;
    })[];
    readonly complete_url: string;
  }))[];
};

export type ApiJobResults = {
  /** Finished results */
  readonly files: readonly ({
    /** Path on the API's own host: prepend the host */
    readonly url: string;
    readonly filename: string;
    /** Absolute, short-lived presigned S3 URL */
    readonly download_url: string;
    readonly progress: number;
    /** The model that made this result */
    readonly model?: string;
    /** SPDX id of that model's licence (models/manifest.json); absent for a model outside the manifest */
    readonly licence?: string;
    readonly warnings: readonly (string)[];
    /** Images: the result's width in pixels */
    readonly width?: number;
    /** Images: the result's height in pixels */
    readonly height?: number;
    /** Images: the subject's bounding box in the result's pixels (alpha >= 32 of 255); null when no subject was found */
    readonly bbox?: ({
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
    }) | (null);
  })[];
  readonly failed: readonly ({
    readonly filename: string;
    readonly error: string;
  })[];
  /** Every file is done or failed */
  readonly finished: boolean;
  /** Files not started yet */
  readonly queue_count: number;
  readonly errors: readonly (string)[];
  readonly uuid: string;
  readonly status: "waiting_upload" | "queued" | "running" | "done" | "failed";
  /** Mean progress of the job's files */
  readonly progress: number;
  /** Every file with its state, in order */
  readonly items: readonly ({
    /** The output name */
    readonly filename: string;
    /** The input file name as sent */
    readonly input: string;
    /** An image_url input: the URL the worker fetched it from */
    readonly source_url?: string;
    readonly status: "waiting_upload" | "queued" | "running" | "done" | "failed";
    readonly progress: number;
    readonly attempts: number;
    readonly error?: string;
  })[];
  /** The job.finished webhook, when the job has one (docs/webhooks.md) */
  readonly webhook?: {
    /** The receiver's host (the URL is not echoed) */
    readonly host: string;
    readonly events: readonly ("job.finished" | "file.finished")[];
    /** pending until the job has finished and its event is first tried; retrying after a failed attempt; delivered (a 2xx answer) and failed (retries exhausted, or the address refused) are final */
    readonly state: "pending" | "retrying" | "delivered" | "failed";
    readonly attempts: number;
    /** The receiver's last HTTP status */
    readonly last_status?: number;
    /** Why the last attempt failed */
    readonly last_error?: string;
    /** ISO time of the next attempt */
    readonly next_attempt_at?: string;
    readonly delivered_at?: string;
  };
};

export type ApiFileStatus = "waiting_upload" | "queued" | "running" | "done" | "failed";

export type ApiErrorCode = "INVALID_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "RATE_LIMITED" | "REQUEST_TIMEOUT" | "UNSUPPORTED_MEDIA" | "INPUT_TOO_LARGE" | "INPUT_NOT_FOUND" | "JOB_NOT_FOUND" | "JOB_CONFLICT" | "DECODE_FAILED" | "MODEL_NOT_FOUND" | "MODEL_UNAVAILABLE" | "PROCESSING_FAILED" | "DEADLINE_EXCEEDED" | "UPSTREAM_THROTTLED" | "INSUFFICIENT_STORAGE" | "CONFIGURATION" | "OUTBOUND_REFUSED" | "OUTBOUND_TIMEOUT" | "OUTBOUND_FAILED" | "INTERNAL";

export type ApiError = {
  /** For people: names the field or file */
  readonly error: string;
  readonly code: ApiErrorCode;
  /** 5xx only */
  readonly request_id?: string;
};
