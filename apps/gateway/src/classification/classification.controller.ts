import {
  BadRequestException,
  Controller,
  HttpCode,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AdmissionControlService } from '../admission/admission-control.service.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { ClassificationService } from './classification.service.js';
import { ClassificationQueryDto } from './dto/classification-query.dto.js';
import { ClassificationResponseDto } from './dto/classification-result.dto.js';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { UploadLimitsInterceptor } from './upload-limits.interceptor.js';
import { imageUploadBody } from './upload-body.openapi.js';
import { refuseTextFields, type Upload } from './upload.js';

const FILE_FIELDS = ['file', 'files'];

@ApiTags('classifications')
@Controller('v1/classifications')
export class ClassificationController {
  constructor(
    private readonly classifications: ClassificationService,
    private readonly admission: AdmissionControlService,
  ) {}

  @Post()
  @HttpCode(200)
  @RateLimited()
  @UseInterceptors(UploadLimitsInterceptor, AnyFilesInterceptor())
  @ApiOperation({
    summary: 'Classify one or more images',
    description:
      'Send `multipart/form-data` with the image in field `file` (or several in `files`), or the ' +
      'image itself as the body with its `Content-Type: image/*`. PNG, JPEG, WebP, GIF (the ' +
      'first frame of an animation), TIFF and AVIF are decoded, turned to grayscale and fitted ' +
      'into 28x28; SVG and other formats are refused.',
    requestBody: imageUploadBody({ several: true }),
  })
  @ApiOkResponse({ type: ClassificationResponseDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      'No image, an empty one, too many, a malformed multipart body, or a bad parameter',
  })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'The requested model is unknown',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description:
      'An image over the size limit, or declaring more pixels than the decoder accepts',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description: 'Not an image, or a format that cannot be decoded',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'A corrupt or truncated image',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description:
      'The gateway is at capacity, or Kafka is unreachable (both with Retry-After), or no model has been trained yet',
  })
  @ApiGatewayTimeoutResponse({
    type: ErrorResponseDto,
    description: 'No classifier answered in time; retry',
  })
  async classify(
    @Req() request: Request,
    @Query() query: ClassificationQueryDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
  ): Promise<ClassificationResponseDto> {
    const receivedAt = this.admission.receivedAt(request);
    const images = await this.classifications.prepare(
      takeUploads(request, files ?? []),
      receivedAt,
    );
    return {
      results: await this.classifications.classify(
        images,
        // Set by the logger's genReqId (requestIdOf), which always gives a string.
        request.id as string,
        receivedAt,
        query.model,
      ),
    };
  }
}

/**
 * The request's uploads, taken out of it: the request lives until its answer is sent, and its
 * uploads' bytes should not live that long, only until each is reduced to 28x28.
 */
function takeUploads(request: Request, files: Express.Multer.File[]): Upload[] {
  const uploads = uploadsOf(request, files);
  // `files` is multer's `request.files` itself.
  files.length = 0;
  request.body = undefined;
  return uploads;
}

function uploadsOf(request: Request, files: Express.Multer.File[]): Upload[] {
  if (request.is('multipart/form-data')) {
    refuseTextFields(request);
    const unexpected = files.find(
      (file) => !FILE_FIELDS.includes(file.fieldname),
    );
    if (unexpected) {
      throw new BadRequestException(
        `unexpected file field '${unexpected.fieldname}': send the image as 'file' (or several as 'files')`,
      );
    }
    if (files.length === 0) {
      throw new BadRequestException(
        "no image: send it in the multipart field 'file' (or several in 'files')",
      );
    }
    return files.map((file) => ({
      source: file.originalname,
      bytes: file.buffer,
      declaredType: file.mimetype,
    }));
  }
  if (request.is('image/*')) {
    const body: unknown = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new BadRequestException(
        'the request body is empty: send the image bytes',
      );
    }
    return [
      {
        source: 'body',
        bytes: body,
        declaredType: request.get('content-type') ?? '',
      },
    ];
  }
  throw new UnsupportedMediaTypeException(
    `Content-Type ${request.get('content-type') ?? '(none)'} is not accepted: send multipart/form-data ` +
      "with the image in field 'file', or the image as the body with Content-Type image/*",
  );
}
