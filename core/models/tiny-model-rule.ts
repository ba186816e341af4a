/**
 * The rule the generated tiny model computes, so tests can predict its masks exactly.
 *
 * The model is one 1x1 convolution and a sigmoid. On an RGB pixel (r, g, b) in 0..1, i.e. after
 * the pipeline divides by the image maximum and before the ImageNet mean/std the pipeline
 * applies (the weights undo it), output 0 is
 *
 *   p = sigmoid(GAIN * (r - (g + b) / 2))
 *
 * "foreground where red dominates the mean of green and blue": pure red gives ~1, grey gives 0.5,
 * green, blue, black-on-white backgrounds give well below 0.5. Output 1 is the raw logit, so a
 * test can tell that a segmenter reads output 0 and not some other output.
 */

export const TINY_MODEL = {
  inputName: 'input.1',
  outputName: 'd0',
  logitOutputName: 'logit',
  inputSize: 320,
  gain: 8,
  /** The normalisation the weights expect the pipeline to apply (ImageNet, as u2net). */
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
} as const;

/** The foreground probability the tiny model gives one pixel, channels in 0..1. */
export function tinyModelForeground(r: number, g: number, b: number): number {
  return 1 / (1 + Math.exp(-tinyModelLogit(r, g, b)));
}

export function tinyModelLogit(r: number, g: number, b: number): number {
  return TINY_MODEL.gain * (r - (g + b) / 2);
}

/**
 * The 1x1 convolution's weights and bias on the normalised input x_c = (v_c - mean_c) / std_c:
 * substituting v_c = x_c * std_c + mean_c into GAIN * (v_r - v_g/2 - v_b/2).
 */
export function tinyModelConvolution(): { weights: [number, number, number]; bias: number } {
  const { gain, mean, std } = TINY_MODEL;
  return {
    weights: [gain * std[0], (-gain * std[1]) / 2, (-gain * std[2]) / 2],
    bias: gain * (mean[0] - mean[1] / 2 - mean[2] / 2),
  };
}
