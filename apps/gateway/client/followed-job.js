// A training job followed on the page: its state, progress, numbers and curves, from its event stream.
import { api } from './api.js';
import { lineChart } from './charts.js';
import { formatNumber, percent } from './dom.js';

export const FINISHED = ['succeeded', 'failed', 'cancelled'];

export class FollowedJob {
  /**
   * `view`: the job section's elements; `evaluation` shows a finished model's metrics;
   * `onJobChanged` is told when the job ends.
   */
  constructor(job, { view, evaluation, onJobChanged }) {
    this.view = view;
    this.evaluation = evaluation;
    this.onJobChanged = onJobChanged;
    this.id = job.id;
    this.job = job;
    // Per batch (what the latest batches gave, while an epoch runs), per epoch, and validation.
    this.batches = { loss: [], accuracy: [] };
    this.train = { loss: [], accuracy: [] };
    this.validation = { loss: [], accuracy: [] };
    for (const epoch of job.epochs) this.addEpoch(epoch);
    this.done =
      job.state === 'succeeded' ? 1 : job.epochs.length / job.parameters.epochs;
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
      this.view.jobError.textContent = `The job's progress cannot be followed: ${error.message}`;
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
          this.onJobChanged(this.job);
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
    this.view.heading.textContent = `Training job ${job.id.slice(0, 8)}`;
    this.view.state.textContent = describeState(job, this.evaluating);
    const shown = Math.floor(this.done * 100);
    this.view.progress.value = shown;
    this.view.progressText.textContent = `${shown}%`;
    this.view.numbers.textContent = describeNumbers(job);
    this.view.cancelButton.hidden = FINISHED.includes(job.state);
    this.view.cancelButton.disabled = false;
    if (job.state === 'failed')
      this.view.jobError.textContent = `The job failed: ${job.error ?? 'no reason given'}.`;

    this.renderCharts(parameters.epochs);
    if (job.state === 'succeeded' && job.result) {
      this.evaluation.show(
        job.result.model,
        job.result.metrics,
        job.result.promoted,
      );
    }
  }

  /** Loss and accuracy curves: per batch, per epoch, and on the validation part. */
  renderCharts(epochs) {
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
    this.view.lossChart.replaceChildren(
      lineChart({
        label: 'Loss',
        series: curves('loss'),
        xMax: epochs,
        yTicks: Array.from(
          { length: maxLoss / lossStep + 1 },
          (_, i) => i * lossStep,
        ),
        yFormat: (value) => value.toFixed(2),
      }),
    );
    this.view.accuracyChart.replaceChildren(
      lineChart({
        label: 'Accuracy',
        series: curves('accuracy'),
        xMax: epochs,
        yTicks: [0, 0.25, 0.5, 0.75, 1],
        yFormat: (value) => percent(value, 0),
      }),
    );
  }
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
