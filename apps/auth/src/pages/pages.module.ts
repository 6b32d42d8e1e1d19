import { Module } from '@nestjs/common';
import { PageFiles } from './page-files';
import { PagesController } from './pages.controller';

/** Serves the static pages of apps/auth/public: no build step, no server-side rendering. */
@Module({
  controllers: [PagesController],
  providers: [PageFiles],
})
export class PagesModule {}
