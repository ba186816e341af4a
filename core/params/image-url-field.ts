import { bad, field, ok, type Parsed } from './field-schemas.ts';

/**
 * `image_url` as the API document shows it. The request's URLs are read and checked by
 * core/jobs/image-urls.ts (the scheme rule is the deployment's); this entry only describes the
 * field and takes what a form or a JSON body can carry: one URL, or a list of them.
 */

function urlOrList(value: unknown): Parsed<string | readonly string[]> {
  if (typeof value === 'string') return ok(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return ok(value);
  return bad('must be a URL or a list of URLs (strings)');
}

export const imageUrlShape = {
  image_url: field(
    undefined,
    {
      type: 'string',
      description:
        'An image to fetch instead of a file part; repeat the field for more (also image_url[]; in JSON, a list). Images only; https only on AWS. The worker fetches it through the outbound guard (public addresses only, no redirects, a 20 s timeout, the image size cap); a refused or failed fetch fails that file alone (docs/image-url.md)',
      examples: ['https://example.com/photos/cat.jpg'],
    },
    urlOrList,
  ),
};
