import type { MovCodec, VideoFormat, VideoOptions } from '../params/convert-params.ts';
import type { EncoderSpec, FrameLayout } from './video-codec.ts';

/** What each `video_format` produces and what it needs, decided once here. */
export interface VideoOutputSpec {
  readonly format: VideoFormat;
  readonly extension: string;
  readonly contentType: string;
  /** The frames the pipeline composes and hands to the encoder. */
  readonly layout: FrameLayout;
  /** What sits behind the subject: nothing (alpha kept), a colour, an image or a video. */
  readonly background: 'none' | 'color' | 'image' | 'video';
  /** Whose audio the output keeps. */
  readonly audioFrom: 'input' | 'background' | 'none';
  /** Output frame rate when the request sets none; undefined keeps the input's. */
  readonly defaultFrameRate: number | undefined;
  readonly encoder: EncoderSpec;
}

// yuv420p needs even sides; cropping one pixel row/column beats refusing odd-sized inputs.
const EVEN_SIZE = 'crop=trunc(iw/2)*2:trunc(ih/2)*2';

const AAC: Pick<EncoderSpec, 'audioCodec' | 'audioOptions'> = {
  audioCodec: 'aac',
  audioOptions: [['b:a', '192k']],
};

const H264: Omit<EncoderSpec, 'audioCodec' | 'audioOptions'> = {
  container: 'mp4',
  videoCodec: 'libx264',
  pixelFormat: 'yuv420p',
  videoOptions: [
    ['crf', '18'],
    ['preset', 'medium'],
    ['movflags', '+faststart'],
  ],
  videoFilter: EVEN_SIZE,
};

const PRORES_4444: EncoderSpec = {
  container: 'mov',
  videoCodec: 'prores_ks',
  pixelFormat: 'yuva444p10le',
  videoOptions: [
    ['profile:v', '4'],
    ['vendor', 'apl0'],
  ],
  videoFilter: undefined,
  ...AAC,
};

const QTRLE: EncoderSpec = {
  container: 'mov',
  videoCodec: 'qtrle',
  pixelFormat: 'argb',
  videoOptions: [],
  videoFilter: undefined,
  ...AAC,
};

const VP9_ALPHA: EncoderSpec = {
  container: 'webm',
  videoCodec: 'libvpx-vp9',
  pixelFormat: 'yuva420p',
  videoOptions: [
    ['crf', '30'],
    ['b:v', '0'],
    ['deadline', 'good'],
    ['cpu-used', '4'],
    ['row-mt', '1'],
  ],
  videoFilter: undefined,
  audioCodec: 'libopus',
  audioOptions: [['b:a', '128k']],
};

/**
 * A GIF pixel is opaque or transparent, nothing between: alpha at or above this is opaque (as
 * paletteuse's alpha_threshold decides).
 */
const GIF_ALPHA_THRESHOLD = 128;

/**
 * Before the palette of a transparent GIF: alpha cut to 0/255 at the threshold, and the colour
 * of every transparent pixel set to black (premultiplied). palettegen then counts the subject's
 * colours and one transparent entry, instead of the hidden background's colours (wasted palette
 * slots) and every colour once per alpha level it appears with (ffmpeg 5's histogram keys on the
 * alpha too, which made the palette 2.4 times slower to build than the whole opaque GIF). Which
 * pixels are transparent does not change.
 */
const GIF_BINARY_ALPHA = `format=rgba,lutrgb=a='if(gte(val,${GIF_ALPHA_THRESHOLD}),255,0)',premultiply=inplace=1,`;

/**
 * One palette per frame (stats_mode=single, new=1): a global palette would make ffmpeg hold
 * every frame until the end, and per-frame palettes also fit scene changes better.
 */
function gifEncoder(transparent: boolean): EncoderSpec {
  const reserve = transparent ? 1 : 0;
  return {
    container: 'gif',
    videoCodec: 'gif',
    pixelFormat: undefined,
    videoOptions: [['loop', '0']],
    videoFilter: `${transparent ? GIF_BINARY_ALPHA : ''}split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=${reserve}[p];[b][p]paletteuse=new=1:alpha_threshold=${GIF_ALPHA_THRESHOLD}`,
    audioCodec: undefined,
    audioOptions: [],
  };
}

// GIF delays are whole hundredths of a second: 10 fps is exact (and the reference's rate).
const GIF_DEFAULT_FPS = 10;

function movEncoder(codec: MovCodec): EncoderSpec {
  return codec === 'qtrle' ? QTRLE : PRORES_4444;
}

/** The output of `options.format`, with the colour underlay when `video_bg_color_enabled` is set. */
export function videoOutputSpec(options: VideoOptions): VideoOutputSpec {
  const colourUnder = options.bgColorEnabled;
  switch (options.format) {
    case 'mov':
      return {
        format: 'mov',
        extension: 'mov',
        contentType: 'video/quicktime',
        layout: 'rgba',
        background: colourUnder ? 'color' : 'none',
        audioFrom: 'input',
        defaultFrameRate: undefined,
        encoder: movEncoder(options.movCodec),
      };
    case 'webm':
      return {
        format: 'webm',
        extension: 'webm',
        contentType: 'video/webm',
        layout: 'rgba',
        background: colourUnder ? 'color' : 'none',
        audioFrom: 'input',
        defaultFrameRate: undefined,
        encoder: VP9_ALPHA,
      };
    case 'mattekey':
      return {
        format: 'mattekey',
        extension: 'mp4',
        contentType: 'video/mp4',
        layout: 'gray',
        background: 'none',
        audioFrom: 'input',
        defaultFrameRate: undefined,
        // A matte is keyed against later: spend bits to keep edges and flat areas clean.
        encoder: {
          ...H264,
          videoOptions: [['crf', '12'], ...H264.videoOptions.filter(([k]) => k !== 'crf')],
          ...AAC,
        },
      };
    case 'gif':
      return {
        format: 'gif',
        extension: 'gif',
        contentType: 'image/gif',
        layout: colourUnder ? 'rgb24' : 'rgba',
        background: colourUnder ? 'color' : 'none',
        audioFrom: 'none',
        defaultFrameRate: GIF_DEFAULT_FPS,
        encoder: gifEncoder(!colourUnder),
      };
    case 'gif_with_bg':
      return {
        format: 'gif_with_bg',
        extension: 'gif',
        contentType: 'image/gif',
        layout: 'rgb24',
        background: 'image',
        audioFrom: 'none',
        defaultFrameRate: GIF_DEFAULT_FPS,
        encoder: gifEncoder(false),
      };
    case 'mp4_with_color':
      return {
        format: 'mp4_with_color',
        extension: 'mp4',
        contentType: 'video/mp4',
        layout: 'rgb24',
        background: 'color',
        audioFrom: 'input',
        defaultFrameRate: undefined,
        encoder: { ...H264, ...AAC },
      };
    case 'video_over_image':
      return {
        format: 'video_over_image',
        extension: 'mp4',
        contentType: 'video/mp4',
        layout: 'rgb24',
        background: 'image',
        audioFrom: 'input',
        defaultFrameRate: undefined,
        encoder: { ...H264, ...AAC },
      };
    case 'video_over_video':
      return {
        format: 'video_over_video',
        extension: 'mp4',
        contentType: 'video/mp4',
        layout: 'rgb24',
        background: 'video',
        audioFrom: 'background',
        defaultFrameRate: undefined,
        encoder: { ...H264, ...AAC },
      };
  }
}
