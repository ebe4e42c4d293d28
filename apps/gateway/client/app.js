// The page's entry: two modes in tabs, wired to the gateway's API and the trainer's through it.
import { api, trainerApiKey } from './api.js';
import { setUpEvaluation } from './evaluation.js';
import { setUpInference } from './inference.js';
import { setUpLists } from './lists.js';
import { setUpRollout } from './rollout.js';
import { setUpTraining } from './training.js';

const FALLBACK_LABELS = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
].map((name, index) => ({ index, name, slug: '' }));

function setUpTabs(onShow) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute('aria-controls')).hidden =
        !selected;
    }
    tab.focus();
    onShow(tab.id);
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) select(tabs[(index + step + tabs.length) % tabs.length]);
      if (event.key === 'Home') select(tabs[0]);
      if (event.key === 'End') select(tabs.at(-1));
    });
  });
}

function setUpApiKeyField() {
  const field = document.querySelector('#api-key');
  field.value = trainerApiKey.get();
  field.addEventListener('input', () => trainerApiKey.set(field.value.trim()));
}

async function main() {
  setUpApiKeyField();
  // The labels only name the confusion matrix's rows: the page still works without the call.
  const labels = await api('v1/labels').catch(() => FALLBACK_LABELS);
  const inference = setUpInference();

  let lists;
  const promoted = ({ name, version }) => {
    void lists.waitForModel(
      (model) =>
        model.name === name && model.version === version && model.active,
    );
    void inference.refreshModels();
  };
  const evaluation = setUpEvaluation({ labels, onPromoted: promoted });
  const training = setUpTraining({
    evaluation,
    onJobChanged: (job) => {
      void lists.refreshJobs();
      const published = job?.result?.model;
      if (published) {
        void lists
          .waitForModel(
            (model) =>
              model.name === published.name &&
              model.version === published.version,
          )
          .then(() => inference.refreshModels());
      }
    },
  });
  const rollout = setUpRollout({ onPromoted: promoted });
  lists = setUpLists({
    evaluation,
    follow: training.follow,
    onPromoted: promoted,
    onModels: rollout.offer,
  });

  setUpTabs((tab) => {
    if (tab === 'tab-inference') void inference.refreshModels();
    if (tab === 'tab-training')
      void Promise.all([
        lists.refreshModels(),
        lists.refreshJobs(),
        rollout.refresh(),
      ]);
  });

  void inference.refreshModels();
  const jobs = await lists.refreshJobs();
  void lists.refreshModels();
  void rollout.refresh();
  // A job already under way (the default model's, on a first start) is shown as it goes.
  const running = jobs.find(
    (job) => job.state === 'running' || job.state === 'queued',
  );
  if (running) training.follow(running);
}

void main();
