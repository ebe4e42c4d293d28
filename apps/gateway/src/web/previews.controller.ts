import {
  BadRequestException,
  Controller,
  HttpCode,
  Post,
  Req,
  UnsupportedMediaTypeException,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { IMAGE_SIZE } from '#fmnist';
import { ErrorResponseDto } from '../classification/dto/error-response.dto.js';
import { imageUploadBody } from '../classification/upload-body.openapi.js';
import { refuseTextFields } from '../classification/upload.js';
import { UploadLimitsInterceptor } from '../classification/upload-limits.interceptor.js';
import { ImagePreprocessorService } from '../preprocessing/image-preprocessor.service.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { PreviewDto } from './dto/preview.dto.js';

@ApiTags('web page')
@Controller('v1/previews')
export class PreviewsController {
  constructor(private readonly preprocessor: ImagePreprocessorService) {}

  @Post()
  @HttpCode(200)
  @RateLimited()
  @UseInterceptors(UploadLimitsInterceptor, FileInterceptor('file'))
  @ApiOperation({
    summary: 'The 28x28 image the model would see for an upload',
    description:
      'Runs the same preprocessing as a classification (trim, fit, centre, invert) and nothing else.',
    requestBody: imageUploadBody({ several: false }),
  })
  @ApiOkResponse({ type: PreviewDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'No image' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description: 'Not an image',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'A corrupt or truncated image',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description:
      'The gateway is at capacity (MAX_REQUESTS_IN_FLIGHT, MAX_BYTES_IN_FLIGHT), with Retry-After',
  })
  async preview(
    @Req() request: Request,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<PreviewDto> {
    if (!request.is('multipart/form-data')) {
      throw new UnsupportedMediaTypeException(
        "send multipart/form-data with the image in field 'file'",
      );
    }
    refuseTextFields(request);
    if (!file) {
      throw new BadRequestException(
        "no image: send it in the multipart field 'file'",
      );
    }
    const [pixels] = await this.preprocessor.preprocess([
      {
        source: file.originalname,
        bytes: file.buffer,
        declaredType: file.mimetype,
      },
    ]);
    return {
      width: IMAGE_SIZE,
      height: IMAGE_SIZE,
      pixels: Buffer.from(pixels).toString('base64'),
    };
  }
}
