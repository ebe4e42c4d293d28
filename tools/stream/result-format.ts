import { LABELS, type StreamPrediction } from '#fmnist';

export type ResultFormat = 'csv' | 'json';

export interface ResultRow {
  source: string;
  prediction?: StreamPrediction;
  error?: string;
}

const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The CSV header: the file, the label, its index, each class's probability, model, error. */
export function csvHeader(): string {
  return [
    'source',
    'label',
    'labelIndex',
    ...LABELS.map((label) => label.slug),
    'model',
    'error',
  ].join(',');
}

/** One result as a CSV line or a JSON line. */
export function formatResult(row: ResultRow, format: ResultFormat): string {
  if (format === 'json') return JSON.stringify(row);
  const { prediction } = row;
  return [
    row.source,
    prediction?.label ?? '',
    prediction?.labelIndex ?? '',
    ...LABELS.map((label) =>
      prediction ? prediction.probabilities[label.name].toFixed(4) : '',
    ),
    prediction ? `${prediction.model.name}:${prediction.model.version}` : '',
    row.error ?? '',
  ]
    .map(csvField)
    .join(',');
}
