import {
  modelRecordKey,
  ServingReportSchema,
  type ModelRef,
  type ServingReport,
} from '#fmnist';

/** How often a classifier repeats its report; three missed in a row and it counts as gone. */
export const SERVING_REPORT_INTERVAL_MS = 10_000;
const STALE_AFTER_MS = 3 * SERVING_REPORT_INTERVAL_MS;

/** How the classifiers that report stand towards one model version. */
export interface VersionServing {
  /** Classifiers answering with it by default. */
  serving: number;
  /** Classifiers holding it loaded (by default or because requests named it). */
  loaded: number;
  /** Classifiers that tried to load it and could not. */
  failed: number;
  /** Why it failed to load, as the last classifier to fail said. */
  error?: string;
}

/** The latest report of each classifier, read off `fashion-models.serving`. */
export class ServingReports {
  private readonly reports = new Map<string, ServingReport>();

  /** Takes one record of the topic: a report, or a tombstone for a classifier that stopped. */
  apply(classifier: string, value: unknown): void {
    if (value === null) {
      this.reports.delete(classifier);
      return;
    }
    this.reports.set(classifier, ServingReportSchema.parse(value));
  }

  /** The classifiers heard from lately, and how they stand towards `ref`. */
  of(ref: ModelRef, now = Date.now()): VersionServing {
    const key = modelRecordKey(ref);
    const same = (other?: ModelRef) =>
      other !== undefined && modelRecordKey(other) === key;
    const summary: VersionServing = { serving: 0, loaded: 0, failed: 0 };
    for (const report of this.current(now)) {
      if (same(report.serving)) summary.serving++;
      if (report.loaded.some(same)) summary.loaded++;
      const failure = report.failed.find((failed) => same(failed.model));
      if (failure) {
        summary.failed++;
        summary.error = failure.error;
      }
    }
    return summary;
  }

  /** The reports of the classifiers heard from lately. */
  current(now = Date.now()): ServingReport[] {
    return [...this.reports.values()].filter(
      (report) => now - Date.parse(report.reportedAt) < STALE_AFTER_MS,
    );
  }
}
