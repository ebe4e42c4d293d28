import {
  Body,
  Controller,
  Delete,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyRequired } from '../api-key/api-key.openapi.js';
import { RolloutDto } from './dto/rollout.dto.js';
import { StartRolloutDto } from './dto/start-rollout.dto.js';
import { RolloutsService } from './rollouts.service.js';

@ApiTags('rollouts')
@Controller('v1')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  @Post('models/:name/versions/:version/rollout')
  @ApiKeyRequired()
  @ApiOperation({
    summary: 'Try a version on a share of live traffic (shadow or canary)',
    description:
      'Every classifier sends that share of the requests naming no version through the candidate too. ' +
      'Shadow: its answers are compared with the active model’s, never returned. Canary: it answers them ' +
      '(the active model when it fails). With autoRollback or autoPromote, the trainer ends the rollout or ' +
      'promotes the candidate as soon as the figures, added up over every classifier, say so.',
  })
  @ApiCreatedResponse({ type: RolloutDto })
  @ApiBadRequestResponse({
    description: 'An invalid setting; the message names the field',
  })
  @ApiNotFoundResponse({ description: 'No such model version' })
  @ApiConflictResponse({
    description: 'The version is the active one, or a rollout is running',
  })
  start(
    @Param('name') name: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() settings: StartRolloutDto,
  ): Promise<RolloutDto> {
    return this.rollouts.start({ name, version }, settings);
  }

  @Get('rollout')
  @ApiOperation({
    summary: 'The running rollout, or the last one and how it ended',
    description:
      'Its figures are added up over every classifier: requests compared, agreement with the active ' +
      'model overall and per class, the flip matrix, candidate errors and latency.',
  })
  @ApiOkResponse({ type: RolloutDto })
  @ApiNotFoundResponse({ description: 'No rollout was ever started' })
  get(): RolloutDto {
    const rollout = this.rollouts.current();
    if (!rollout) throw new NotFoundException('no rollout was ever started');
    return rollout;
  }

  @Delete('rollout')
  @ApiKeyRequired()
  @ApiOperation({
    summary: 'End the running rollout',
    description: 'Classifiers stop sending requests to the candidate.',
  })
  @ApiOkResponse({ type: RolloutDto, description: 'The rollout, ended' })
  @ApiNotFoundResponse({ description: 'No rollout is running' })
  end(): Promise<RolloutDto> {
    return this.rollouts.end();
  }
}
