// A model version's test metrics: confusion matrix heat map, per-class table, promote button.
import { api } from './api.js';
import { heatMap } from './charts.js';
import { formatNumber, h, percent } from './dom.js';

export function setUpEvaluation({ labels, onPromoted }) {
  const section = document.querySelector('#evaluation');
  const heading = document.querySelector('#evaluation-heading');
  const summary = document.querySelector('#evaluation-summary');
  const matrix = document.querySelector('#confusion-matrix');
  const perClass = document.querySelector('#class-metrics');
  const promoteButton = document.querySelector('#promote-button');
  const promoteStatus = document.querySelector('#promote-status');
  let shown;

  promoteButton.addEventListener('click', async () => {
    const { name, version } = shown;
    promoteButton.disabled = true;
    promoteStatus.textContent = `Promoting ${name} v${version}…`;
    try {
      await api(
        `v1/models/${encodeURIComponent(name)}/versions/${version}/promote`,
        { method: 'POST', withApiKey: true },
      );
      promoteStatus.textContent = `${name} v${version} is now the active model.`;
      promoteButton.hidden = true;
      onPromoted({ name, version });
    } catch (error) {
      promoteStatus.textContent = `${name} v${version} could not be promoted: ${error.message}`;
      promoteButton.disabled = false;
    }
  });

  const nameOf = (slugOrName) =>
    labels.find(
      (label) => label.slug === slugOrName || label.name === slugOrName,
    )?.name ?? slugOrName;

  return {
    /** Shows `metrics` (TestMetrics) of the model version `model`; `active` hides promote. */
    show(model, metrics, active) {
      shown = model;
      section.hidden = false;
      heading.textContent = `Evaluation of ${model.name} v${model.version}`;
      const tested = metrics.confusionMatrix
        ? metrics.confusionMatrix
            .flat()
            .reduce((total, count) => total + count, 0)
        : undefined;
      summary.textContent =
        `Test accuracy ${percent(metrics.accuracy)}` +
        (metrics.evaluatedOn ? ` on ${metrics.evaluatedOn}` : '') +
        (tested ? ` (${formatNumber(tested)} images)` : '') +
        (metrics.loss === undefined
          ? '.'
          : `, loss ${metrics.loss.toFixed(3)}.`);
      const names = labels.map((label) => label.name);
      matrix.replaceChildren(
        metrics.confusionMatrix
          ? heatMap(metrics.confusionMatrix, names)
          : h('p', {
              class: 'hint',
              text: 'No confusion matrix was recorded for this model.',
            }),
      );
      perClass.replaceChildren(
        metrics.perClass ? classTable(metrics.perClass, names, nameOf) : '',
      );
      promoteButton.hidden = active;
      promoteButton.disabled = false;
      promoteButton.textContent = `Promote ${model.name} v${model.version}`;
      promoteStatus.textContent = active
        ? `${model.name} v${model.version} is the active model.`
        : '';
    },
    hide() {
      section.hidden = true;
    },
  };
}

function classTable(perClass, names, nameOf) {
  return h(
    'table',
    { class: 'data-table metrics-table' },
    h('caption', { text: 'Per class, on the test images' }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Class', 'Precision', 'Recall', 'F1'].map((title) =>
          h('th', { scope: 'col', text: title }),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...perClass.map((row, index) =>
        h(
          'tr',
          {},
          h('th', {
            scope: 'row',
            text: row.label ? nameOf(row.label) : names[index],
          }),
          h('td', { text: percent(row.precision) }),
          h('td', { text: percent(row.recall) }),
          h('td', { text: row.f1 === undefined ? '–' : percent(row.f1) }),
        ),
      ),
    ),
  );
}
