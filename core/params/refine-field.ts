import { booleanField, fieldDocs } from './field-schemas.ts';

const refine = booleanField(false);
{
  const doc = fieldDocs.get(refine);
  if (doc !== undefined) {
    fieldDocs.add(refine, {
      ...doc,
      description:
        "Refine the model mask: edges snapped to the image, certain foreground fully opaque and certain background fully transparent; on a video, each frame's mask after temporal smoothing (see docs/refine.md)",
    });
  }
}

/** The `refine` request field (images and video). */
export const refineShape = { refine };
