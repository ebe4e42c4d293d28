// Training: the job form, a job's live progress from its event stream, and cancelling it.
import { api } from './api.js';
import { h } from './dom.js';
import { FINISHED, FollowedJob } from './followed-job.js';

export function setUpTraining({ evaluation, onJobChanged }) {
  const form = document.querySelector('#job-form');
  const formError = document.querySelector('#form-error');
  const datasetKind = document.querySelector('#dataset-kind');
  const section = document.querySelector('#job');
  const view = {
    heading: document.querySelector('#job-heading'),
    state: document.querySelector('#job-state'),
    progress: document.querySelector('#job-progress'),
    progressText: document.querySelector('#job-progress-text'),
    numbers: document.querySelector('#job-numbers'),
    lossChart: document.querySelector('#loss-chart'),
    accuracyChart: document.querySelector('#accuracy-chart'),
    jobError: document.querySelector('#job-error'),
    cancelButton: document.querySelector('#cancel-button'),
  };
  const { state, jobError, cancelButton } = view;
  let followed;

  offerArchitectures(form, formError);

  datasetKind.addEventListener('change', () => {
    for (const field of form.querySelectorAll('[data-dataset]')) {
      field.hidden = field.dataset.dataset !== datasetKind.value;
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const job = await startJob(form, formError);
    if (!job) return;
    follow(job);
    onJobChanged();
  });

  cancelButton.addEventListener('click', async () => {
    cancelButton.disabled = true;
    state.textContent = 'Cancelling…';
    try {
      followed.update({
        type: 'state',
        ...(await api(`v1/training-jobs/${followed.id}/cancel`, {
          method: 'POST',
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
    followed = new FollowedJob(job, { view, evaluation, onJobChanged });
    section.hidden = false;
    evaluation.hide();
    jobError.textContent = '';
    followed.render();
    if (!FINISHED.includes(job.state)) followed.listen();
    section.scrollIntoView({ block: 'nearest' });
  }

  return { follow };
}

/**
 * The architectures the trainer can build, with its defaults for each: the first is chosen, and
 * choosing another puts its defaults in the form.
 */
async function offerArchitectures(form, formError) {
  const select = form.elements.architecture;
  const hint = form.querySelector('#architecture-hint');
  let architectures;
  try {
    architectures = await api('v1/architectures');
  } catch (error) {
    formError.textContent = `The architectures could not be read: ${error.message}`;
    return;
  }
  select.replaceChildren(
    ...architectures.map(({ name }) =>
      h('option', { value: name, text: name }),
    ),
  );
  // At load, what the user may already have typed stays; choosing an architecture sets them all.
  const choose = ({ keepTyped }) => {
    const { description, training } = architectures.find(
      ({ name }) => name === select.value,
    );
    hint.textContent = description;
    for (const field of [
      'epochs',
      'batchSize',
      'learningRate',
      'validationSplit',
      'labelSmoothing',
    ]) {
      const input = form.elements[field];
      if (!keepTyped || input.value === '') input.value = training[field];
    }
  };
  select.addEventListener('change', () => choose({ keepTyped: false }));
  choose({ keepTyped: true });
}

/** Checks the form and starts its job: the job, or undefined with the reason shown in `formError`. */
async function startJob(form, formError) {
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
    return undefined;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    return await api('v1/training-jobs', {
      method: 'POST',
      json: jobRequest(form),
      withApiKey: true,
    });
  } catch (error) {
    formError.textContent = `The job could not be started: ${error.message}`;
    return undefined;
  } finally {
    button.disabled = false;
  }
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
    labelSmoothing: number('labelSmoothing'),
    earlyStopping:
      number('patience') === undefined
        ? undefined
        : { patience: number('patience') },
    seed: number('seed'),
    modelName: value('modelName') || undefined,
    promote: form.elements.promote.checked,
  };
}
