// Training: the job form, a job's live progress from its event stream, and cancelling it.
import { api } from './api.js';
import { lineChart } from './charts.js';
import { formatNumber, percent } from './dom.js';

const FINISHED = ['succeeded', 'failed', 'cancelled'];

export function setUpTraining({ evaluation, onJobChanged }) {
  const form = document.querySelector('#job-form');
  const formError = document.querySelector('#form-error');
  const datasetKind = document.querySelector('#dataset-kind');
  const section = document.querySelector('#job');
  const heading = document.querySelector('#job-heading');
  const state = document.querySelector('#job-state');
  const progress = document.querySelector('#job-progress');
  const progressText = document.querySelector('#job-progress-text');
  const numbers = document.querySelector('#job-numbers');
  const lossChart = document.querySelector('#loss-chart');
  const accuracyChart = document.querySelector('#accuracy-chart');
  const jobError = document.querySelector('#job-error');
  const cancelButton = document.querySelector('#cancel-button');
  let followed;

  datasetKind.addEventListener('change', () => {
    for (const field of form.querySelectorAll('[data-dataset]')) {
      field.hidden = field.dataset.dataset !== datasetKind.value;
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    const invalid = [...form.elements].find(
      (element) => element.willValidate && !element.checkValidity(),
    );
    if (invalid) {
      const label = form
        .querySelector(`label[for="${invalid.id}"]`)
        ?.textContent.trim();
      formError.textContent = `${label}: ${invalid.validationMessage}`;
      invalid.focus();
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const job = await api('v1/training-jobs', {
        method: 'POST',
        json: jobRequest(form),
        withApiKey: true,
      });
      follow(job);
      onJobChanged();
    } catch (error) {
      formError.textContent = `The job could not be started: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });

  cancelButton.addEventListener('click', async () => {
    cancelButton.disabled = true;
    state.textContent = 'Cancelling…';
    try {
      followed.update({
        type: 'state',
        ...(await api(`v1/training-jobs/${followed.id}`, {
          method: 'DELETE',
          withApiKey: true,
        })),
      });
    } catch (error) {
      jobError.textContent = `The job could not be cancelled: ${error.message}`;
      cancelButton.disabled = false;
    }
  });

  /** Shows `job` and, until it ends, follows its event stream. */
  function follow(job) {
    followed?.close();
    followed = new FollowedJob(job);
    section.hidden = false;
    evaluation.hide();
    jobError.textContent = '';
    followed.render();
    if (!FINISHED.includes(job.state)) followed.listen();
    section.scrollIntoView({ block: 'nearest' });
  }

  class FollowedJob {
    constructor(job) {
      this.id = job.id;
      this.job = job;
      // Per batch (what the latest batches gave, while an epoch runs), per epoch, and validation.
      this.batches = { loss: [], accuracy: [] };
      this.train = { loss: [], accuracy: [] };
      this.validation = { loss: [], accuracy: [] };
      for (const epoch of job.epochs) this.addEpoch(epoch);
      this.done =
        job.state === 'succeeded'
          ? 1
          : job.epochs.length / job.parameters.epochs;
    }

    listen() {
      this.source = new EventSource(`v1/training-jobs/${this.id}/events`);
      this.source.addEventListener('message', (message) =>
        this.update(JSON.parse(message.data)),
      );
      this.source.addEventListener('error', () => void this.lost());
    }

    close() {
      this.source?.close();
    }

    /** The stream broke: the browser retries by itself unless the answer was not a stream. */
    async lost() {
      if (this.source.readyState !== EventSource.CLOSED) return;
      try {
        const job = await api(`v1/training-jobs/${this.id}`);
        this.update({ type: 'state', ...job });
        if (!FINISHED.includes(job.state)) this.listen();
      } catch (error) {
        jobError.textContent = `The job's progress cannot be followed: ${error.message}`;
      }
    }

    update(event) {
      const epochs = this.job.parameters.epochs;
      switch (event.type) {
        case 'state':
          Object.assign(this.job, event);
          if (event.state === 'succeeded') this.done = 1;
          if (FINISHED.includes(event.state)) {
            this.close();
            onJobChanged(this.job);
          }
          break;
        case 'loaded':
          this.job.dataset = event;
          break;
        case 'batch':
          this.job.progress = event;
          this.done = (event.epoch - 1 + event.batch / event.batches) / epochs;
          this.batches.loss.push([
            event.epoch - 1 + event.batch / event.batches,
            event.loss,
          ]);
          this.batches.accuracy.push([
            event.epoch - 1 + event.batch / event.batches,
            event.accuracy,
          ]);
          break;
        case 'epoch':
          this.done = event.epoch / epochs;
          this.addEpoch(event);
          break;
        case 'evaluating':
          this.evaluating = true;
          break;
      }
      this.render();
    }

    addEpoch(epoch) {
      this.train.loss.push([epoch.epoch, epoch.loss]);
      this.train.accuracy.push([epoch.epoch, epoch.accuracy]);
      if (epoch.valLoss !== undefined)
        this.validation.loss.push([epoch.epoch, epoch.valLoss]);
      if (epoch.valAccuracy !== undefined) {
        this.validation.accuracy.push([epoch.epoch, epoch.valAccuracy]);
      }
    }

    render() {
      const { job } = this;
      const { parameters } = job;
      heading.textContent = `Training job ${job.id.slice(0, 8)}`;
      state.textContent = describeState(job, this.evaluating);
      const shown = Math.floor(this.done * 100);
      progress.value = shown;
      progressText.textContent = `${shown}%`;
      numbers.textContent = describeNumbers(job);
      cancelButton.hidden = FINISHED.includes(job.state);
      cancelButton.disabled = false;
      if (job.state === 'failed')
        jobError.textContent = `The job failed: ${job.error ?? 'no reason given'}.`;

      const curves = (metric) => [
        { name: 'batches', className: 'batches', points: this.batches[metric] },
        {
          name: 'training',
          className: 'training',
          points: this.train[metric],
          markers: true,
        },
        {
          name: 'validation',
          className: 'validation',
          points: this.validation[metric],
          markers: true,
        },
      ];
      const losses = [
        ...this.batches.loss,
        ...this.train.loss,
        ...this.validation.loss,
      ];
      const maxLoss =
        Math.ceil(Math.max(1, ...losses.map(([, loss]) => loss)) * 2) / 2;
      const lossStep = maxLoss <= 2 ? 0.25 : 0.5;
      lossChart.replaceChildren(
        lineChart({
          label: 'Loss',
          series: curves('loss'),
          xMax: parameters.epochs,
          yTicks: Array.from(
            { length: maxLoss / lossStep + 1 },
            (_, i) => i * lossStep,
          ),
          yFormat: (value) => value.toFixed(2),
        }),
      );
      accuracyChart.replaceChildren(
        lineChart({
          label: 'Accuracy',
          series: curves('accuracy'),
          xMax: parameters.epochs,
          yTicks: [0, 0.25, 0.5, 0.75, 1],
          yFormat: (value) => percent(value, 0),
        }),
      );
      if (job.state === 'succeeded' && job.result) {
        evaluation.show(
          job.result.model,
          job.result.metrics,
          job.result.promoted,
        );
      }
    }
  }

  return { follow };
}

function describeState(job, evaluating) {
  switch (job.state) {
    case 'queued':
      return 'Queued: waiting for a free trainer.';
    case 'running':
      if (evaluating) return 'Evaluating on the test split…';
      return job.dataset ? 'Training…' : 'Loading the data…';
    case 'succeeded':
      return job.result
        ? `Done: published ${job.result.model.name} v${job.result.model.version}${job.result.promoted ? ', now the active model' : ''}.`
        : 'Done.';
    case 'failed':
      return 'Failed.';
    case 'cancelled':
      return 'Cancelled.';
    default:
      return job.state;
  }
}

function describeNumbers(job) {
  const parts = [];
  if (job.dataset) {
    parts.push(
      `${formatNumber(job.dataset.trainImages)} training, ${formatNumber(job.dataset.validationImages)} validation, ` +
        `${formatNumber(job.dataset.testImages)} test images`,
    );
  }
  const latest = job.progress;
  if (latest && job.state === 'running') {
    parts.push(
      `epoch ${latest.epoch} of ${job.parameters.epochs}, batch ${latest.batch} of ${latest.batches}`,
      `loss ${latest.loss.toFixed(3)}, accuracy ${percent(latest.accuracy)}`,
    );
  }
  return parts.join(' · ');
}

/** The form as the trainer's CreateTrainingJobDto; empty optional fields leave the trainer's default. */
function jobRequest(form) {
  const value = (name) => form.elements[name].value.trim();
  const number = (name) =>
    value(name) === '' ? undefined : Number(value(name));
  const dataset =
    value('datasetKind') === 'folder'
      ? {
          kind: 'folder',
          path: value('folderPath'),
          testSplit: number('testSplit'),
        }
      : { kind: 'fmnist', trainLimit: number('trainLimit') };
  return {
    dataset,
    architecture: value('architecture'),
    epochs: number('epochs'),
    batchSize: number('batchSize'),
    learningRate: number('learningRate'),
    validationSplit: number('validationSplit'),
    earlyStopping:
      number('patience') === undefined
        ? undefined
        : { patience: number('patience') },
    seed: number('seed'),
    modelName: value('modelName') || undefined,
    promote: form.elements.promote.checked,
  };
}
