import { ApiProperty } from '@nestjs/swagger';

export class PreviewDto {
  @ApiProperty({ example: 28 })
  width!: number;

  @ApiProperty({ example: 28 })
  height!: number;

  @ApiProperty({
    description:
      'Base64 of width x height 8-bit grey levels, row by row: exactly what the model is given',
  })
  pixels!: string;
}
