// Inference: images from files, drops, pastes or the test split, each classified on its own so
// one bad file fails alone.
import { api } from './api.js';
import { barChart } from './charts.js';
import { h, percent } from './dom.js';

export function setUpInference() {
  const input = document.querySelector('#file-input');
  const dropzone = document.querySelector('#dropzone');
  const modelSelect = document.querySelector('#model-select');
  const samples = document.querySelector('#samples');
  const sampleList = document.querySelector('#sample-list');
  const samplesButton = document.querySelector('#samples-button');
  const status = document.querySelector('#inference-status');
  const results = document.querySelector('#results');

  async function classifyAll(items) {
    if (items.length === 0) return;
    const noun = items.length === 1 ? 'image' : 'images';
    status.textContent = `Classifying ${items.length} ${noun}…`;
    const outcomes = await Promise.all(
      items.map((item) => classify(item, modelSelect.value, results)),
    );
    const failed = outcomes.filter((ok) => !ok).length;
    status.textContent =
      failed === 0
        ? `${items.length} ${noun} classified.`
        : `${items.length - failed} of ${items.length} ${noun} classified; ${failed} failed, see below.`;
  }

  input.addEventListener('change', () => {
    void classifyAll([...input.files].map((file) => ({ file })));
    input.value = '';
  });

  for (const type of ['dragenter', 'dragover']) {
    dropzone.addEventListener(type, (event) => {
      event.preventDefault();
      dropzone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    dropzone.addEventListener(type, () =>
      dropzone.classList.remove('dragging'),
    );
  }
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    void classifyAll([...event.dataTransfer.files].map((file) => ({ file })));
  });

  document.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    void classifyAll(
      files.map((file, index) => ({ file: named(file, index) })),
    );
  });

  samplesButton.addEventListener('click', async () => {
    samplesButton.disabled = true;
    status.textContent = 'Loading test images…';
    try {
      const picked = await api('v1/samples?count=12');
      sampleList.replaceChildren(
        ...picked.map((sample) => sampleButton(sample)),
      );
      samples.hidden = false;
      samplesButton.textContent = 'Other test images';
      status.textContent = `${picked.length} test images loaded: pick one to classify it.`;
    } catch (error) {
      status.textContent = `The test images could not be loaded: ${error.message}`;
    } finally {
      samplesButton.disabled = false;
    }
  });

  function sampleButton(sample) {
    const source = `test image #${sample.index}`;
    return h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'sample',
          title: `${source}: ${sample.label}`,
          onclick: () =>
            void classifyAll([
              { file: sampleFile(sample), truth: sample.label },
            ]),
        },
        h('img', {
          src: `data:image/png;base64,${sample.png}`,
          alt: `Classify ${source}, a ${sample.label}`,
          width: 56,
          height: 56,
        }),
      ),
    );
  }

  document.querySelector('#clear-button').addEventListener('click', () => {
    for (const image of results.querySelectorAll('img.thumb'))
      URL.revokeObjectURL(image.src);
    results.replaceChildren();
    status.textContent = 'Results cleared.';
  });

  return { refreshModels: () => refreshModelChoices(modelSelect) };
}

/** Classifies one image into a new result card; resolves whether it worked. */
async function classify({ file, truth }, model, results) {
  const card = resultCard(file, truth);
  results.prepend(card.element);
  const query = model ? `?model=${encodeURIComponent(model)}` : '';
  const [classification, preview] = await Promise.allSettled([
    api(`v1/classifications${query}`, { method: 'POST', form: formWith(file) }),
    api('v1/previews', { method: 'POST', form: formWith(file) }),
  ]);
  card.element.removeAttribute('aria-busy');
  if (preview.status === 'fulfilled') card.showSeen(preview.value);
  if (classification.status === 'rejected') {
    // The gateway names the file in its message; the card already does.
    const reason = classification.reason.message.replace(`${file.name}: `, '');
    card.showError(`${file.name} could not be classified: ${reason}`);
    return false;
  }
  card.showResult(classification.value.results[0]);
  return true;
}

function formWith(file) {
  const form = new FormData();
  form.append('file', file, file.name);
  return form;
}

function resultCard(file, truth) {
  const thumbnail = h('img', {
    class: 'thumb',
    src: URL.createObjectURL(file),
    alt: `Uploaded image ${file.name}`,
  });
  thumbnail.addEventListener('error', () =>
    thumbnail.replaceWith(
      h('div', { class: 'thumb no-thumb', text: 'Not viewable' }),
    ),
  );
  const seen = h('canvas', {
    class: 'seen',
    width: 28,
    height: 28,
    role: 'img',
  });
  const body = h(
    'div',
    { class: 'card-body' },
    h('h3', { class: 'source', text: file.name }),
  );
  const element = h(
    'li',
    { class: 'card', 'aria-busy': 'true' },
    h(
      'div',
      { class: 'card-images' },
      h('figure', {}, thumbnail, h('figcaption', { text: 'Uploaded' })),
      h(
        'figure',
        { hidden: true },
        seen,
        h('figcaption', { text: 'Seen by the model (28×28)' }),
      ),
    ),
    body,
  );

  return {
    element,
    showSeen({ width, height, pixels }) {
      const grey = Uint8Array.from(atob(pixels), (char) => char.charCodeAt(0));
      const image = seen.getContext('2d').createImageData(width, height);
      grey.forEach((value, index) =>
        image.data.set([value, value, value, 255], index * 4),
      );
      seen.getContext('2d').putImageData(image, 0, 0);
      seen.parentElement.hidden = false;
      seen.setAttribute(
        'aria-label',
        `The ${width} by ${height} grey image the model was given for ${file.name}`,
      );
    },
    showResult(result) {
      const entries = Object.entries(result.probabilities).map(
        ([label, value]) => ({
          label,
          value,
        }),
      );
      const confidence = result.probabilities[result.label];
      const parts = [
        h(
          'p',
          { class: 'prediction' },
          h('span', { class: 'predicted-label', text: result.label }),
          h('span', { class: 'confidence', text: ` ${percent(confidence)}` }),
        ),
        truth === undefined
          ? undefined
          : h('p', {
              class: truth === result.label ? 'truth right' : 'truth wrong',
              text:
                truth === result.label
                  ? `Right: the test image is a ${truth}.`
                  : `Wrong: the test image is a ${truth}.`,
            }),
        barChart(entries, result.labelIndex),
        h('p', {
          class: 'meta',
          text:
            `Model ${result.model.name} v${result.model.version} · ` +
            `${result.timings.totalMs.toFixed(1)} ms in the gateway, ` +
            `${result.timings.inferenceMs.toFixed(1)} ms inference`,
        }),
      ];
      body.append(...parts.filter(Boolean));
    },
    showError(message) {
      element.classList.add('failed');
      body.append(h('p', { class: 'error', role: 'alert', text: message }));
    },
  };
}

/** A pasted image is called image.png by every browser: number them apart. */
function named(file, index) {
  const stamp = new Date().toLocaleTimeString('en-GB');
  return new File(
    [file],
    `pasted ${stamp}${index ? ` (${index + 1})` : ''} ${file.name}`,
    {
      type: file.type,
    },
  );
}

function sampleFile(sample) {
  const bytes = Uint8Array.from(atob(sample.png), (char) => char.charCodeAt(0));
  return new File([bytes], `test-${sample.index}.png`, { type: 'image/png' });
}

async function refreshModelChoices(select) {
  try {
    const models = await api('v1/models');
    const chosen = select.value;
    select.replaceChildren(
      h('option', { value: '', text: 'The active model' }),
      ...models.map((model) =>
        h('option', {
          value: `${model.name}:${model.version}`,
          text: `${model.name} v${model.version}${model.active ? ' (active)' : ''}`,
        }),
      ),
    );
    select.value = [...select.options].some((option) => option.value === chosen)
      ? chosen
      : '';
  } catch {
    // The list stays as it was; classifying with the active model still works.
  }
}
