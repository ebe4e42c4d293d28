// The page's three charts as inline SVG: probabilities, training curves, confusion matrix.
import { percent, s } from './dom.js';

/** Horizontal bars, one per class, the `highlight`ed one (the prediction) in the accent colour. */
export function barChart(entries, highlight) {
  const rowHeight = 20;
  const labelWidth = 96;
  const barWidth = 170;
  const width = labelWidth + barWidth + 52;
  const height = entries.length * rowHeight;
  return s(
    'svg',
    {
      class: 'bar-chart',
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Probabilities: ${entries
        .map(({ label, value }) => `${label} ${percent(value)}`)
        .join(', ')}`,
    },
    ...entries.map(({ label, value }, index) => {
      const y = index * rowHeight;
      return s(
        'g',
        {
          class: index === highlight ? 'bar-row highlight' : 'bar-row',
          'aria-hidden': 'true',
        },
        s('text', {
          x: labelWidth - 6,
          y: y + 14,
          'text-anchor': 'end',
          text: label,
        }),
        s('rect', {
          class: 'track',
          x: labelWidth,
          y: y + 4,
          width: barWidth,
          height: 12,
          rx: 2,
        }),
        s('rect', {
          class: 'bar',
          x: labelWidth,
          y: y + 4,
          width: Math.max(value * barWidth, 0.5),
          height: 12,
          rx: 2,
        }),
        s('text', {
          x: labelWidth + barWidth + 6,
          y: y + 14,
          text: percent(value),
        }),
      );
    }),
  );
}

/**
 * Lines over epochs: `series` is `[{ name, className, points: [[x, y]], markers }]`, x in epochs
 * from 0 to `xMax`, y from 0 to the last of `yTicks`.
 */
export function lineChart({ series, xMax, yTicks, yFormat, label }) {
  const width = 320;
  const height = 180;
  const margin = { left: 44, right: 10, top: 10, bottom: 28 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (value) => margin.left + (value / xMax) * plotWidth;
  const yMax = yTicks.at(-1);
  const y = (value) =>
    margin.top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const xStep = Math.max(1, Math.ceil(xMax / 10));
  const xTicks = Array.from(
    { length: Math.floor(xMax / xStep) + 1 },
    (_, i) => i * xStep,
  );
  const latest = series
    .filter((line) => line.points.length > 0)
    .map((line) => `${line.name} ${yFormat(line.points.at(-1)[1])}`)
    .join(', ');

  return s(
    'svg',
    {
      class: 'line-chart',
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': latest
        ? `${label}: latest ${latest}`
        : `${label}: no data yet`,
    },
    ...yTicks.map((tick) =>
      s(
        'g',
        { class: 'tick' },
        s('line', {
          x1: margin.left,
          x2: width - margin.right,
          y1: y(tick),
          y2: y(tick),
        }),
        s('text', {
          x: margin.left - 4,
          y: y(tick) + 4,
          'text-anchor': 'end',
          text: yFormat(tick),
        }),
      ),
    ),
    ...xTicks.map((tick) =>
      s('text', {
        class: 'tick',
        x: x(tick),
        y: height - 12,
        'text-anchor': 'middle',
        text: String(tick),
      }),
    ),
    s('text', {
      class: 'axis-title',
      x: width - margin.right,
      y: height - 1,
      'text-anchor': 'end',
      text: 'epoch',
    }),
    ...series.map((line) =>
      s('polyline', {
        class: `series ${line.className}`,
        points: line.points
          .map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`)
          .join(' '),
      }),
    ),
    ...series.flatMap((line) =>
      line.points.length === 1 || line.markers
        ? line.points.map(([px, py]) =>
            s('circle', {
              class: `series ${line.className}`,
              cx: x(px),
              cy: y(py),
              r: 2.5,
            }),
          )
        : [],
    ),
    ...legend(series, margin.left + 8, margin.top + 4),
  );
}

function legend(series, left, top) {
  let x = left;
  return series.map((line) => {
    const entry = s(
      'g',
      {
        class: `legend ${line.className}`,
        transform: `translate(${x}, ${top})`,
      },
      s('rect', { width: 10, height: 3, y: 4 }),
      s('text', { x: 14, y: 9, text: line.name }),
    );
    x += 24 + line.name.length * 5.5;
    return entry;
  });
}

/** `matrix[actual][predicted]` as shaded cells with their counts; rows are normalised. */
export function heatMap(matrix, labels) {
  const cell = 30;
  const labelWidth = 88;
  const top = 84;
  const size = labels.length * cell;
  return s(
    'svg',
    {
      class: 'heat-map',
      viewBox: `0 0 ${labelWidth + size + 40} ${top + size + 4}`,
      role: 'img',
      'aria-label': `Confusion matrix; correct per class: ${labels
        .map((label, i) => `${label} ${matrix[i][i]} of ${sum(matrix[i])}`)
        .join(', ')}`,
    },
    ...labels.map((label, i) =>
      s('text', {
        class: 'axis-label',
        x: labelWidth - 6,
        y: top + i * cell + cell / 2 + 4,
        'text-anchor': 'end',
        text: label,
      }),
    ),
    ...labels.map((label, j) =>
      s('text', {
        class: 'axis-label',
        transform: `translate(${labelWidth + j * cell + cell / 2 + 4}, ${top - 6}) rotate(-60)`,
        text: label,
      }),
    ),
    ...matrix.flatMap((row, i) => {
      const total = sum(row) || 1;
      return row.map((count, j) => {
        const share = count / total;
        return s(
          'g',
          {},
          s('rect', {
            class: i === j ? 'cell diagonal' : 'cell',
            x: labelWidth + j * cell,
            y: top + i * cell,
            width: cell - 1,
            height: cell - 1,
            'fill-opacity': (0.06 + 0.94 * share).toFixed(3),
          }),
          s('text', {
            class: share > 0.5 ? 'count dark' : 'count',
            x: labelWidth + j * cell + cell / 2,
            y: top + i * cell + cell / 2 + 4,
            'text-anchor': 'middle',
            text: count > 0 ? String(count) : '',
          }),
        );
      });
    }),
  );
}

function sum(values) {
  return values.reduce((total, value) => total + value, 0);
}
