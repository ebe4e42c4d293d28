import { ApiProperty } from '@nestjs/swagger';

/** Every error answer of the apps' HTTP sides (HttpErrorFilter shapes them all so). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({
    description:
      'What was wrong; a request that failed validation has one line per problem',
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' }, minItems: 1 },
    ],
    example: 'the upload is empty',
  })
  message!: string | string[];

  @ApiProperty({ example: 'Bad Request' })
  error!: string;
}
