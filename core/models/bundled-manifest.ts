import manifestJson from '../../models/manifest.json' with { type: 'json' };
import { type ModelManifest, manifestSchema } from './manifest.schema.ts';

/** `models/manifest.json`, validated at import so a bad edit fails at start-up, not mid-job. */
export const MODEL_MANIFEST: ModelManifest = manifestSchema.parse(manifestJson);
