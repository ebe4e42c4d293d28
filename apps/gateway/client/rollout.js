// The rollout of a candidate version: start one, follow its figures, end it.
import { api } from './api.js';
import { formatNumber, h, percent } from './dom.js';

const REFRESH_MS = 2_000;

export function setUpRollout({ onPromoted }) {
  const form = document.querySelector('#rollout-form');
  const candidate = document.querySelector('#rollout-candidate');
  const status = document.querySelector('#rollout-status');
  const figuresBox = document.querySelector('#rollout-figures');
  const summary = document.querySelector('#rollout-summary');
  const classRows = document.querySelector('#rollout-classes tbody');
  const history = document.querySelector('#rollout-history');
  const endButton = document.querySelector('#rollout-end');
  let timer;
  let lastState;

  /** The versions a rollout can try: every one but the active one. */
  function offer(models) {
    const chosen = candidate.value;
    candidate.replaceChildren(
      ...models
        .filter((model) => !model.active)
        .map((model) =>
          h('option', {
            value: `${model.name}:${model.version}`,
            text: `${model.name} v${model.version}`,
          }),
        ),
    );
    if (chosen) candidate.value = chosen;
    form.querySelector('button').disabled = candidate.options.length === 0;
  }

  async function refresh() {
    clearTimeout(timer);
    let rollout;
    try {
      rollout = await api('v1/rollout');
    } catch (error) {
      figuresBox.hidden = true;
      status.textContent = /error 404/.test(error.message)
        ? 'No rollout yet.'
        : `The rollout could not be read: ${error.message}`;
      return;
    }
    show(rollout);
    if (rollout.state === 'running') timer = setTimeout(refresh, REFRESH_MS);
  }

  function show(rollout) {
    const { figures } = rollout;
    const title = `${rollout.candidate.name} v${rollout.candidate.version}`;
    status.textContent = `${rollout.mode === 'shadow' ? 'Shadow' : 'Canary'} of ${title} on ${rollout.percent}% of the requests: ${rollout.state}.`;
    const latency = figures.candidateLatency;
    summary.textContent =
      `${formatNumber(figures.requests)} requests from ${figures.classifiers} classifier${figures.classifiers === 1 ? '' : 's'}; ` +
      `agreement ${percent(figures.agreement)} over ${formatNumber(figures.compared)} images; ` +
      `candidate errors ${formatNumber(figures.candidateErrors)} (${percent(figures.errorRate)})` +
      (latency.p50Ms === null
        ? '.'
        : `; candidate latency p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms.`);
    classRows.replaceChildren(
      ...figures.perClass
        .filter((entry) => entry.compared > 0)
        .map((entry) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row', text: entry.label }),
            h('td', { text: formatNumber(entry.compared) }),
            h('td', { text: percent(entry.agreement) }),
          ),
        ),
    );
    history.replaceChildren(
      ...rollout.history.map((event) =>
        h('li', {
          text: `${new Date(event.at).toLocaleString('en-GB')}: ${event.event}, ${event.reason}`,
        }),
      ),
    );
    endButton.hidden = rollout.state !== 'running';
    figuresBox.hidden = false;
    if (rollout.state === 'promoted' && lastState === 'running') {
      onPromoted(rollout.candidate);
    }
    lastState = rollout.state;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const [name, version] = candidate.value.split(/:(?=\d+$)/);
    void (async () => {
      try {
        show(
          await api(
            `v1/models/${encodeURIComponent(name)}/versions/${version}/rollout`,
            {
              method: 'POST',
              withApiKey: true,
              json: {
                mode: form.elements.mode.value,
                percent: Number(form.elements.percent.value),
              },
            },
          ),
        );
        timer = setTimeout(refresh, REFRESH_MS);
      } catch (error) {
        status.textContent = `The rollout could not be started: ${error.message}`;
      }
    })();
  });

  endButton.addEventListener('click', () => {
    void (async () => {
      try {
        show(await api('v1/rollout', { method: 'DELETE', withApiKey: true }));
      } catch (error) {
        status.textContent = `The rollout could not be ended: ${error.message}`;
      }
    })();
  });

  return { offer, refresh };
}
