// The models the classifiers can serve (the active one marked) and the trainer's recent jobs.
import { api } from './api.js';
import { formatNumber, h, percent } from './dom.js';

const JOBS_SHOWN = 10;

export function setUpLists({ evaluation, follow, onPromoted, onModels }) {
  const modelRows = document.querySelector('#models-table tbody');
  const modelsStatus = document.querySelector('#models-status');
  const jobRows = document.querySelector('#jobs-table tbody');
  const jobsStatus = document.querySelector('#jobs-status');

  async function refreshModels() {
    try {
      const models = await api('v1/models');
      modelRows.replaceChildren(...models.map(modelRow));
      modelRows.parentElement.hidden = models.length === 0;
      modelsStatus.textContent =
        models.length === 0 ? 'No model has been published yet.' : '';
      onModels(models);
      return models;
    } catch (error) {
      modelsStatus.textContent = `The models could not be listed: ${error.message}`;
      return [];
    }
  }

  function modelRow(model) {
    const title = `${model.name} v${model.version}`;
    return h(
      'tr',
      {
        class: model.active ? 'active' : undefined,
        'data-model': `${model.name}:${model.version}`,
      },
      h('th', { scope: 'row', text: title }),
      h('td', { text: model.architecture }),
      h('td', { text: model.dataset }),
      h('td', { text: percent(model.metrics.accuracy) }),
      h('td', { text: new Date(model.createdAt).toLocaleString('en-GB') }),
      h(
        'td',
        {},
        model.active ? h('strong', { class: 'badge', text: 'Active' }) : '',
      ),
      h(
        'td',
        { class: 'actions' },
        h('button', {
          type: 'button',
          class: 'secondary',
          'aria-label': `Details of ${title}`,
          text: 'Details',
          onclick: () => void showDetails(model),
        }),
        model.active
          ? undefined
          : h('button', {
              type: 'button',
              'aria-label': `Promote ${title}`,
              text: 'Promote',
              onclick: (event) => void promote(model, event.currentTarget),
            }),
      ),
    );
  }

  async function showDetails(model) {
    try {
      const details = await api(
        `v1/models/${encodeURIComponent(model.name)}/versions/${model.version}`,
      );
      evaluation.show(model, details.metrics, model.active);
      document
        .querySelector('#evaluation')
        .scrollIntoView({ block: 'nearest' });
    } catch (error) {
      modelsStatus.textContent = `The details of ${model.name} v${model.version} could not be loaded: ${error.message}`;
    }
  }

  async function promote(model, button) {
    button.disabled = true;
    modelsStatus.textContent = `Promoting ${model.name} v${model.version}…`;
    try {
      await api(
        `v1/models/${encodeURIComponent(model.name)}/versions/${model.version}/promote`,
        { method: 'POST', withApiKey: true },
      );
      modelsStatus.textContent = `${model.name} v${model.version} is now the active model.`;
      onPromoted(model);
    } catch (error) {
      modelsStatus.textContent = `${model.name} v${model.version} could not be promoted: ${error.message}`;
      button.disabled = false;
    }
  }

  /** Refreshes until `expected` is listed: the gateway learns of new versions through Kafka. */
  async function waitForModel(expected, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const models = await refreshModels();
      if (models.some((model) => expected(model)) || Date.now() > deadline)
        return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function refreshJobs() {
    try {
      const jobs = await api('v1/training-jobs');
      jobRows.replaceChildren(...jobs.slice(0, JOBS_SHOWN).map(jobRow));
      jobRows.parentElement.hidden = jobs.length === 0;
      jobsStatus.textContent = jobs.length === 0 ? 'No training job yet.' : '';
      return jobs;
    } catch (error) {
      jobsStatus.textContent = `The training jobs could not be listed: ${error.message}`;
      return [];
    }
  }

  function jobRow(job) {
    const { parameters } = job;
    const images =
      parameters.dataset.kind === 'folder'
        ? `folder ${parameters.dataset.path}`
        : parameters.dataset.trainLimit
          ? `${formatNumber(parameters.dataset.trainLimit)} images`
          : 'all images';
    return h(
      'tr',
      {},
      h('th', {
        scope: 'row',
        text: new Date(job.startedAt ?? job.createdAt).toLocaleString('en-GB'),
      }),
      h('td', { class: `state ${job.state}`, text: job.state }),
      h('td', {
        text: `${parameters.architecture}, ${parameters.epochs} epoch${parameters.epochs === 1 ? '' : 's'}, ${images}`,
      }),
      h('td', {
        text: job.result
          ? `${job.result.model.name} v${job.result.model.version}`
          : '',
      }),
      h(
        'td',
        { class: 'actions' },
        h('button', {
          type: 'button',
          class: 'secondary',
          'aria-label': `Show job ${job.id.slice(0, 8)}`,
          text: 'Show',
          onclick: () => follow(job),
        }),
      ),
    );
  }

  return { refreshModels, refreshJobs, waitForModel };
}
