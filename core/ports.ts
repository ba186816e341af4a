/**
 * The ports `core/` needs from the outside world. Adapters implement them; tests use fakes.
 * Job-system ports (object store, queue, repository) live with the job model in core/jobs/.
 */

/** How a model wants its input prepared, taken from the model manifest. */
export interface ModelSpec {
  /** The manifest id of the weights that actually run (after aliasing). */
  readonly id: string;
  /** Square input side in pixels (320 for the u2net family, 1024 for ISNet). */
  readonly inputSize: number;
  /** Per-channel RGB mean and std applied to the scaled values (see `divideByMax`). */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /**
   * The kernel that stretches the image to inputSize x inputSize. Default `lanczos3` (rembg, the
   * u2net family); weights trained behind a bilinear resize want `bilinear`, or imgly's own
   * corner-aligned sampling (`bilinear-corner`, imgly's ISNet).
   */
  readonly resizeKernel?: ResizeKernel;
  /**
   * Whether values are divided by the image's own maximum (rembg; default true) or by 255 (imgly's
   * ISNet, whose weights never saw a brightened image).
   */
  readonly divideByMax?: boolean;
  /**
   * Whether each output map is min-max stretched to 0..1 (rembg; default true) or only clamped
   * (imgly's ISNet, whose sigmoid output is used as it is).
   */
  readonly maskMinMax?: boolean;
  /** The kernel that brings the mask back to the image size. Default `lanczos3` (rembg). */
  readonly maskKernel?: MaskKernel;
  /** Which session output holds the mask (default 0). */
  readonly outputIndex?: number;
  /**
   * Whether the output is logits the pipeline puts through a sigmoid before min-max (BiRefNet's
   * ONNX exports end without one; default false).
   */
  readonly outputSigmoid?: boolean;
}

export type ResizeKernel = 'lanczos3' | 'bilinear' | 'bilinear-corner';

/** `bilinear-corner`: imgly's resize, pixel corners aligned (x * src / dst), rounded to 8 bits. */
export type MaskKernel = 'lanczos3' | 'bilinear-corner';

/**
 * A loaded segmentation model. One instance per model per process; safe to call concurrently.
 *
 * @example
 * const out = await segmenter.infer(nchw, 1); // nchw: Float32Array of 1*3*S*S
 */
export interface Segmenter {
  readonly spec: ModelSpec;
  /** Largest batch one `infer` call accepts (1 when the model's batch axis is fixed). */
  readonly maxBatch: number;
  /**
   * Runs the model on `batch` images, NCHW float32 of batch*3*S*S, and returns the first
   * output, batch*S*S float32 (one map per image, unnormalised).
   * @throws CutoutError MODEL_UNAVAILABLE when the session fails
   */
  infer(input: Float32Array, batch: number): Promise<Float32Array>;
}

/** Resolves a requested model id (or alias) to a loaded segmenter. */
export interface SegmenterProvider {
  /** @throws CutoutError MODEL_NOT_FOUND for an unknown id, MODEL_UNAVAILABLE when weights are missing */
  get(modelId: string): Promise<Segmenter>;
}
