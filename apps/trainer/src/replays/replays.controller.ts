import {
  Body,
  Controller,
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
  ApiCreatedResponse,
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
import { JsonObjectBody } from '../training-jobs/json-object-body.interceptor.js';
import { CreateReplayDto } from './dto/create-replay.dto.js';
import { ReplayDto } from './dto/replay.dto.js';
import { ReplaysService } from './replays.service.js';

@ApiTags('replays')
@Controller('v1/replays')
export class ReplaysController {
  constructor(private readonly replays: ReplaysService) {}

  @Post()
  @ApiKeyRequired()
  @UseInterceptors(JsonObjectBody)
  @ApiOperation({
    summary: 'Replay recorded requests through a model version',
    description:
      'Reads the requests of fashion-images in the range (the last N, or from/to) with what ' +
      'was answered on fashion-images.reply, classifies them again with the version in a ' +
      'low-priority worker, and reports the agreement, the flip matrix, per-class changes and ' +
      'latencies. Replays run one at a time.',
  })
  @ApiCreatedResponse({ type: ReplayDto })
  @ApiBadRequestResponse({
    description: 'An invalid field; the message names it',
  })
  @ApiNotFoundResponse({ description: 'No such model version' })
  @ApiUnsupportedMediaTypeResponse({
    description: 'A body that is not application/json',
  })
  @ApiServiceUnavailableResponse({ description: 'Too many replays waiting' })
  create(@Body() request: CreateReplayDto): ReplayDto {
    return this.replays.submit(request);
  }

  @Get()
  @ApiOperation({ summary: 'Every replay remembered, newest first' })
  @ApiOkResponse({ type: [ReplayDto] })
  list(): ReplayDto[] {
    return this.replays.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'A replay: state, progress, report' })
  @ApiOkResponse({ type: ReplayDto })
  @ApiNotFoundResponse({ description: 'No such replay' })
  get(@Param('id') id: string): ReplayDto {
    return this.replays.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiKeyRequired()
  @ApiOperation({
    summary: 'Cancel a queued or running replay',
    description: 'A finished replay is returned as it is.',
  })
  @ApiOkResponse({ type: ReplayDto })
  @ApiNotFoundResponse({ description: 'No such replay' })
  cancel(@Param('id') id: string): Promise<ReplayDto> {
    return this.replays.cancel(id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Live progress as server-sent events',
    description:
      'One JSON object per event: `state` (first the current one, then every change; the ' +
      'last carries the report) and `progress` (at most every 250 ms). The stream ends when ' +
      'the replay does.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  @ApiNotFoundResponse({ description: 'No such replay' })
  events(@Param('id') id: string): Observable<MessageEvent> {
    return this.replays.eventsOf(id).pipe(map((event) => ({ data: event })));
  }
}
