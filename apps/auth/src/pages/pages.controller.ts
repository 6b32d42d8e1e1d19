import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@pbx2fa/platform';
import { PageFiles } from './page-files';

/** The dashboard (`/`) and the agents' desk (`/desk`); their scripts and styles under `/assets/`, @simplewebauthn/browser under `/assets/simplewebauthn/`. */
@ApiExcludeController()
@Public()
@Controller()
export class PagesController {
  constructor(private readonly files: PageFiles) {}

  @Get()
  dashboard(@Res() response: Response): void {
    this.files.page(response, 'index.html');
  }

  @Get('desk')
  desk(@Res() response: Response): void {
    this.files.page(response, 'desk.html');
  }

  /** Express 5 hands a `*path` wildcard over as its segments. */
  @Get('assets/simplewebauthn/*path')
  webauthnScript(@Param('path') path: string[] | string, @Res() response: Response): void {
    this.files.webauthnScript(response, Array.isArray(path) ? path.join('/') : path);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    this.files.asset(response, name);
  }
}
