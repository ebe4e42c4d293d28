import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { JOB_STATES } from './training-job.js';
import { TrainingJobsService } from './training-jobs.service.js';

/** `trainer_jobs{state}`: how many jobs are in each state, counted when Prometheus scrapes. */
@Injectable()
export class JobStatesMetric implements OnModuleInit {
  constructor(private readonly jobs: TrainingJobsService) {}

  onModuleInit(): void {
    const { jobs } = this;
    new Gauge({
      name: 'trainer_jobs',
      help: 'Training jobs known to this trainer, by state',
      labelNames: ['state'],
      registers: [register],
      collect() {
        const counts = new Map<string, number>(
          JOB_STATES.map((state) => [state, 0]),
        );
        for (const job of jobs.list()) {
          counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
        }
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
  }
}
