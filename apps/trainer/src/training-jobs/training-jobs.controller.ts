import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Sse,
  UseInterceptors,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { ApiKeyRequired } from '../api-key/api-key.openapi.js';
import { CreateTrainingJobDto } from './dto/create-training-job.dto.js';
import { TrainingJobDto } from './dto/training-job.dto.js';
import { JsonObjectBody } from './json-object-body.interceptor.js';
import { TrainingJobsService } from './training-jobs.service.js';

/** What a client can do with the job it created (Schemathesis follows these in its stateful phase). */
const JOB_LINKS = Object.fromEntries(
  (['get', 'events', 'cancel', 'remove'] as const).map((method) => [
    method,
    {
      operationId: `TrainingJobsController_${method}`,
      parameters: { id: '$response.body#/id' },
    },
  ]),
);

@ApiTags('training jobs')
@Controller('v1/training-jobs')
export class TrainingJobsController {
  constructor(private readonly jobs: TrainingJobsService) {}

  @Post()
  @ApiKeyRequired()
  @UseInterceptors(JsonObjectBody)
  @ApiOperation({
    summary: 'Queue a training job',
    description:
      'Every parameter has a default: `{}` trains default-cnn on the whole official training ' +
      'split. A finished job publishes the model as the next version of `modelName`.',
  })
  @ApiCreatedResponse({ type: TrainingJobDto, links: JOB_LINKS })
  @ApiBadRequestResponse({
    description: 'An invalid parameter; the message names the field',
  })
  @ApiNotFoundResponse({
    description: 'The dataset folder named does not exist',
  })
  @ApiUnsupportedMediaTypeResponse({
    description: 'A body that is not application/json',
  })
  @ApiServiceUnavailableResponse({
    description: 'As many jobs waiting as TRAINER_MAX_QUEUED_JOBS allows',
  })
  create(@Body() request: CreateTrainingJobDto): Promise<TrainingJobDto> {
    return this.jobs.submit(request);
  }

  @Get()
  @ApiOperation({ summary: 'Every job, newest first' })
  @ApiOkResponse({ type: [TrainingJobDto] })
  list(): TrainingJobDto[] {
    return this.jobs.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job: state, per-epoch metrics, timings, result' })
  @ApiOkResponse({ type: TrainingJobDto })
  @ApiNotFoundResponse({ description: 'No such job' })
  get(@Param('id') id: string): TrainingJobDto {
    return this.jobs.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiKeyRequired()
  @ApiOperation({
    summary: 'Cancel a queued or running job',
    description:
      'Answers once the worker is gone; a job already finished is returned as it is. A job ' +
      'whose model is being published (its `publishing` event sent) can no longer be ' +
      'cancelled: it ends `succeeded`. The record stays, `cancelled`.',
  })
  @ApiOkResponse({ type: TrainingJobDto })
  @ApiConflictResponse({
    description: 'The job is publishing its model',
  })
  @ApiNotFoundResponse({ description: 'No such job' })
  cancel(@Param('id') id: string): Promise<TrainingJobDto> {
    return this.jobs.cancel(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiKeyRequired()
  @ApiOperation({
    summary: "Remove a finished job's record",
    description:
      'Succeeded, failed or cancelled jobs only (retention removes them too, once old); a model ' +
      'the job published stays in the registry.',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiConflictResponse({
    description: 'The job is queued or running: cancel it first',
  })
  @ApiNotFoundResponse({ description: 'No such job' })
  remove(@Param('id') id: string): Promise<void> {
    return this.jobs.remove(id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Live progress as server-sent events',
    description:
      'One JSON object per event, `type` telling which: `state` (first the current one, then ' +
      'every change), `loaded` (dataset sizes), `batch` (at most every 250 ms), `epoch`, ' +
      '`evaluating`, `publishing` (from then on the job cannot be cancelled). The stream ends ' +
      'when the job does.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  @ApiNotFoundResponse({ description: 'No such job' })
  events(@Param('id') id: string): Observable<MessageEvent> {
    return this.jobs.eventsOf(id).pipe(map((event) => ({ data: event })));
  }
}
