import { ApiProperty } from '@nestjs/swagger';

export class LabelDto {
  @ApiProperty({
    example: 9,
    description: 'Index in the official Fashion-MNIST label files',
  })
  index!: number;

  @ApiProperty({ example: 'Ankle boot' })
  name!: string;

  @ApiProperty({
    example: 'ankle-boot',
    description: 'Stable identifier, also a folder name',
  })
  slug!: string;
}
