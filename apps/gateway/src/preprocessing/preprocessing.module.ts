import { Module } from '@nestjs/common';
import { ImagePreprocessorService } from './image-preprocessor.service.js';

/** Decoding and reducing uploads to 28x28, shared by classification and the page's previews. */
@Module({
  providers: [ImagePreprocessorService],
  exports: [ImagePreprocessorService],
})
export class PreprocessingModule {}
