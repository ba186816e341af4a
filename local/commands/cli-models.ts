import { modelSettingsFromEnv } from '../../adapters/models/model-env.ts';
import {
  createSegmenterProvider,
  isModelPath,
  type OnnxSegmenterProvider,
} from '../../adapters/onnx/segmenter-provider.ts';
import {
  applyModelDefaults,
  fallbackLine,
  type ModelDefaultsOptions,
  namingReadyModels,
} from '../model-defaults.ts';

/**
 * The models of one `cutout remove` or `cutout video` run, under the rules `npm start` follows:
 * the offline fallback when CUTOUT_MODEL_ALIASES is unset (said in one line when it serves the
 * requested model), and MODEL_UNAVAILABLE errors that name the models ready here.
 */
export async function openCliModels(
  env: Record<string, string | undefined>,
  log: (line: string) => void,
  options: ModelDefaultsOptions = {},
): Promise<Pick<OnnxSegmenterProvider, 'get' | 'close'>> {
  const { settings, replaced } = await applyModelDefaults(modelSettingsFromEnv(env), env, options);
  const provider = createSegmenterProvider(settings, {
    log,
    ...(options.manifest ? { manifest: options.manifest } : {}),
  });
  return {
    async get(requested) {
      if (!isModelPath(requested) && replaced.includes(requested)) {
        log(`cutout: ${fallbackLine([requested], settings)}`);
      }
      try {
        return await provider.get(requested);
      } catch (error) {
        throw await namingReadyModels(error, settings, options);
      }
    },
    close: () => provider.close(),
  };
}
