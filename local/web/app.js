// The cutout web page: plain browser JavaScript, no build step. It speaks the public /v1 API
// through the typed client (client/, bundled to /client.js), as any other script can.
import { CutoutClient } from '/client.js';

const POLL_MS = 700;
// On AWS a request's files must fit Lambda's 6 MB event once base64-encoded: the client sends
// bigger selections straight to S3 through presigned POSTs (`uploads`). `?upload=presigned`
// forces that path for any size.
const FORCE_PRESIGNED = new URLSearchParams(location.search).get('upload') === 'presigned';

const form = document.getElementById('convert-form');
const filesInput = document.getElementById('files-input');
const dropZone = document.getElementById('drop-zone');
const chosenList = document.getElementById('chosen-files');
const submitButton = document.getElementById('submit');
const formError = document.getElementById('form-error');
const statusLine = document.getElementById('status');
const overall = document.getElementById('overall-progress');
const resultList = document.getElementById('result-list');
const apiKeyInput = document.getElementById('api_key');
const imageUrlInput = document.getElementById('image_url');

/** Files picked by input or drop; kept here because a drop cannot be written into an input in every browser. */
let chosen = [];

const devKey = document.querySelector('meta[name="cutout-api-key"]')?.getAttribute('content') ?? '';
apiKeyInput.value = sessionStorage.getItem('cutout-api-key') || devKey;
apiKeyInput.addEventListener('change', () =>
  sessionStorage.setItem('cutout-api-key', apiKeyInput.value),
);

function kind() {
  return form.elements.convert_to.value === 'video-backgroundremover' ? 'video' : 'image';
}

/** The image URLs typed in, one per line (images only: the API refuses them for video). */
function imageUrls() {
  if (kind() !== 'image') return [];
  return imageUrlInput.value
    .split(/\s+/)
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

/** What a card shows for an image URL until the server names it: the URL's last segment. */
function urlFile(url, position) {
  let name = '';
  try {
    name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    name = '';
  }
  return { name: name || `image-${position}`, type: 'image/*', size: 0, sourceUrl: url };
}

function syncVisibility() {
  const video = kind() === 'video';
  for (const el of document.querySelectorAll('.image-only')) el.hidden = video;
  for (const el of document.querySelectorAll('.video-only')) el.hidden = !video;
  const bgType = form.elements.bg_type.value;
  document.querySelector('.when-bg-color').hidden = bgType !== 'color';
  document.querySelector('.when-bg-image').hidden = bgType !== 'image';
  document.querySelector('.matting').hidden = !form.elements.alpha_matting.checked;
}

function showChosen() {
  chosenList.replaceChildren(
    ...chosen.map((f) => {
      const li = document.createElement('li');
      li.textContent = `${f.name} (${Math.max(1, Math.round(f.size / 1024))} KB)`;
      return li;
    }),
  );
  if (chosen.length > 0 && chosen.every((f) => f.type.startsWith('video/'))) {
    form.elements.convert_to.value = 'video-backgroundremover';
    syncVisibility();
  } else if (chosen.length > 0 && chosen.every((f) => f.type.startsWith('image/'))) {
    form.elements.convert_to.value = 'image-backgroundremover';
    syncVisibility();
  }
}

filesInput.addEventListener('change', () => {
  chosen = [...filesInput.files];
  showChosen();
});

for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
}
for (const type of ['dragleave', 'drop']) {
  dropZone.addEventListener(type, () => dropZone.classList.remove('dragging'));
}
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  const dropped = [...(event.dataTransfer?.files ?? [])];
  if (dropped.length === 0) return;
  chosen = dropped;
  showChosen();
});

form.addEventListener('change', syncVisibility);

/**
 * The seed's fields for the chosen kind; booleans as "true"/"false" as the reference clients
 * send. With `inline` the files travel in the request, otherwise as an `uploads` list.
 */
function buildForm(inline) {
  const data = new FormData();
  const el = form.elements;
  data.append('lang', 'en');
  data.append('convert_to', el.convert_to.value);
  data.append('model', el.model.value);
  // A webhook serves either kind; the per-file box adds file.finished to the job's event.
  if (el.webhook_url.value.trim() !== '') {
    data.append('webhook_url', el.webhook_url.value.trim());
    if (el.webhook_per_file.checked) data.append('webhook_events', 'job.finished,file.finished');
  }
  data.append('alpha_matting', String(el.alpha_matting.checked));
  if (el.alpha_matting.checked) {
    for (const name of ['alpha_fg', 'alpha_bg', 'alpha_erode', 'alpha_base_size']) {
      if (el[name].value !== '') data.append(name, el[name].value);
    }
  }
  if (kind() === 'image') {
    data.append('only_mask', String(el.only_mask.checked));
    data.append('bg_type', el.bg_type.value);
    if (el.bg_type.value === 'color') data.append('bg_color_value', el.bg_color_value.value);
    if (el.bg_type.value === 'image' && el.bg_image.files[0]) {
      data.append('bg_image', el.bg_image.files[0]);
    }
    // The output controls, under the API's own names; blank ones keep the server's defaults.
    data.append('output_format', el.output_format.value);
    data.append('channels', el.channels.value);
    data.append('crop', String(el.crop.checked));
    for (const name of ['crop_margin', 'scale', 'position', 'size']) {
      if (el[name].value.trim() !== '') data.append(name, el[name].value.trim());
    }
    // Mask refinement: blank keeps 0, an unchecked despill is not sent (video jobs refuse these).
    for (const name of ['mask_shift', 'mask_feather']) {
      if (el[name].value.trim() !== '') data.append(name, el[name].value.trim());
    }
    if (el.despill.checked) data.append('despill', 'true');
    if (el.refine.checked) data.append('refine', 'true');
    for (const url of imageUrls()) data.append('image_url', url);
  } else {
    data.append('video_format', el.video_format.value);
    data.append('video_bg_color_enabled', String(el.video_bg_color_enabled.checked));
    data.append('video_bg_color', el.video_bg_color.value);
    if (el.framerate.value !== '') data.append('framerate', el.framerate.value);
    if (el.frame_limit.value !== '') data.append('frame_limit', el.frame_limit.value);
    // The API's one `refine` field; the page has a box per kind, only the shown one is sent.
    if (el.video_refine.checked) data.append('refine', 'true');
    if (el.video_background.files[0]) data.append('background', el.video_background.files[0]);
  }
  if (inline) {
    for (const file of chosen) data.append('files', file, file.name);
  } else {
    const uploads = chosen.map((f) => ({
      filename: f.name,
      size: f.size,
      content_type: f.type || 'application/octet-stream',
    }));
    data.append('uploads', JSON.stringify(uploads));
  }
  return data;
}

/**
 * The form's options for the client (text fields) and the background file, if any; the files
 * themselves are the client's to send, inline or presigned.
 */
function requestFields() {
  const options = {};
  let background;
  for (const [name, value] of buildForm(false).entries()) {
    if (name === 'uploads') continue;
    // image_url repeats: the client sends a list as the field repeated.
    if (name === 'image_url') options.image_url = [...(options.image_url ?? []), value];
    else if (typeof value === 'string') options[name] = value;
    else background ??= value;
  }
  return { options, background };
}

/** A client with the key in the form; presigned POSTs go opaque (the bucket may set no CORS). */
function apiClient() {
  return new CutoutClient({
    baseUrl: location.origin,
    apiKey: apiKeyInput.value,
    opaqueUploads: true,
  });
}

function stem(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function mediaElement(url, type) {
  if (type.startsWith('video/') || /\.(mov|mp4|webm)$/i.test(url)) {
    const video = document.createElement('video');
    video.src = url;
    video.controls = true;
    video.muted = true;
    video.loop = true;
    return video;
  }
  const img = document.createElement('img');
  img.src = url;
  img.decoding = 'async';
  return img;
}

/** One card per input (a file, or an image URL): name, state, before/after and the download link once done. */
function createCard(file) {
  const li = document.createElement('li');
  li.className = 'result';
  const title = document.createElement('h3');
  title.textContent = file.name;
  const state = document.createElement('p');
  state.className = 'state';
  state.textContent = 'Queued';
  const progress = document.createElement('progress');
  progress.max = 100;
  progress.setAttribute('aria-label', `Progress for ${file.name}`);
  const compare = document.createElement('div');
  compare.className = 'compare';
  const before = document.createElement('figure');
  before.append(mediaElement(file.sourceUrl ?? URL.createObjectURL(file), file.type));
  const beforeCaption = document.createElement('figcaption');
  beforeCaption.textContent = 'Before';
  before.append(beforeCaption);
  compare.append(before);
  li.append(title, state, progress, compare);
  resultList.append(li);
  return { li, title, state, progress, compare, done: false, file };
}

function markDone(card, entry) {
  card.done = true;
  card.state.textContent = `Done: ${entry.filename}`;
  card.state.className = 'state done';
  card.progress.value = 100;
  const after = document.createElement('figure');
  const media = mediaElement(entry.url, '');
  media.classList.add('checker', 'result-media');
  media.alt = `${card.file.name} with the background removed`;
  const caption = document.createElement('figcaption');
  caption.textContent = 'After';
  after.append(media, caption);
  card.compare.append(after);
  const link = document.createElement('a');
  link.className = 'download';
  link.href = entry.url;
  link.download = entry.filename;
  link.textContent = `Download ${entry.filename}`;
  card.li.append(link);
}

function markFailed(card, error) {
  card.done = true;
  card.state.textContent = `Failed: ${error}`;
  card.state.className = 'state failed';
  card.progress.hidden = true;
}

function findCard(cards, filename) {
  return (
    cards.find((c) => !c.done && c.file.name === filename) ??
    cards.find((c) => !c.done && stem(c.file.name) === stem(filename))
  );
}

/** The cutout API's extra `items` list: every file with its status and 0-1 progress. */
function itemFor(data, card) {
  const items = Array.isArray(data.items) ? data.items : [];
  return (
    items.find((item) => item.input === card.file.name) ??
    items.find((item) => stem(item.input ?? '') === stem(card.file.name))
  );
}

const STATUS_TEXT = {
  waiting_upload: 'Uploading',
  queued: 'Queued',
  running: 'Working',
};

/** An image URL's card takes the name the server gave its input (`items[].source_url`). */
function nameUrlCards(data, cards) {
  const items = Array.isArray(data.items) ? data.items : [];
  for (const card of cards) {
    if (card.file.sourceUrl === undefined || card.named) continue;
    const href = URL.canParse(card.file.sourceUrl) ? new URL(card.file.sourceUrl).href : '';
    const item = items.find((i) => i.source_url === href);
    if (!item) continue;
    card.file.name = item.input;
    card.title.textContent = item.input;
    card.named = true;
  }
}

/** Shows one /v1/results answer on the cards. */
function render(data, cards) {
  nameUrlCards(data, cards);
  for (const entry of data.files ?? []) {
    const card = findCard(cards, entry.filename);
    if (card) markDone(card, entry);
  }
  for (const entry of data.failed ?? []) {
    const card = findCard(cards, entry.filename);
    if (card) markFailed(card, entry.error);
  }
  for (const card of cards) {
    if (card.done) continue;
    const item = itemFor(data, card);
    const percent = Math.round(100 * (item?.progress ?? 0));
    card.progress.value = percent;
    const text = STATUS_TEXT[item?.status] ?? 'Queued';
    card.state.textContent = item?.status === 'running' ? `${text}: ${percent}%` : text;
  }
  const finished = cards.filter((c) => c.done).length;
  overall.value = Math.round((100 * finished) / cards.length);
  statusLine.textContent = data.finished
    ? `Finished: ${(data.files ?? []).length} done, ${(data.failed ?? []).length} failed.`
    : `Working: ${finished} of ${cards.length} files finished.`;
}

/** Polls through the client (with back-off up to a few seconds) until the job finishes. */
async function poll(client, uuid, cards) {
  const data = await client.wait(uuid, {
    intervalMs: POLL_MS,
    maxIntervalMs: POLL_MS * 4,
    onProgress: (answer) => render(answer, cards),
  });
  render(data, cards);
  return data;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  const urls = imageUrls();
  if (chosen.length === 0 && urls.length === 0) {
    formError.textContent = 'Choose at least one file, or give an image URL.';
    filesInput.focus();
    return;
  }
  submitButton.disabled = true;
  resultList.replaceChildren();
  overall.hidden = false;
  overall.value = 0;
  statusLine.textContent = `Uploading ${chosen.length} file(s)…`;
  const cards = [...chosen, ...urls.map((url, i) => urlFile(url, i + 1))].map(createCard);
  try {
    const client = apiClient();
    const { options, background } = requestFields();
    // Image URLs go in the convert request itself, so their files travel inline beside them.
    const data =
      urls.length > 0
        ? await client.convert(options, chosen, background ? { background } : {})
        : await client.upload(options, chosen, {
            ...(background ? { background } : {}),
            ...(FORCE_PRESIGNED ? { via: 'presigned' } : {}),
          });
    statusLine.textContent = 'Uploaded; waiting for a worker…';
    await poll(client, data.uuid, cards);
  } catch (error) {
    formError.textContent = error instanceof Error ? error.message : String(error);
    statusLine.textContent = 'Stopped: see the error above.';
    for (const card of cards) if (!card.done) markFailed(card, 'not finished');
  } finally {
    submitButton.disabled = false;
    document.getElementById('results-heading').focus();
  }
});

syncVisibility();
