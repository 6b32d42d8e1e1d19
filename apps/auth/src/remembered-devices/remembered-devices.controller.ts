import { Controller, Delete, Get, HttpCode, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';
import { clientInfo } from '../common/correlation-id';
import { UuidIdPipe } from '../common/uuid-id.pipe';
import { ApiErrors } from '../docs/api-errors.decorator';
import { RememberedDeviceListResponse } from '../docs/responses';
import { CurrentActor } from '../common/current-actor.decorator';
import { RememberedDevicesService } from './remembered-devices.service';

@ApiTags('account security')
@ApiBearerAuth('bearer')
@Controller('auth/devices')
export class RememberedDevicesController {
  constructor(private readonly devices: RememberedDevicesService) {}

  @ApiOperation({
    summary: "The caller's remembered devices: each skips the second factor at a password sign-in until expiresAt",
  })
  @ApiOkResponse({ type: RememberedDeviceListResponse })
  @ApiErrors()
  @Get()
  list(@CurrentActor() actor: Actor) {
    return this.devices.list(actor);
  }

  @ApiOperation({
    summary: "Forget one of the caller's remembered devices: it is asked for a second factor again",
  })
  @ApiNoContentResponse()
  @ApiErrors([400, 'invalid_id'], [404, 'not_found'])
  @Delete(':id')
  @HttpCode(204)
  async forget(
    @CurrentActor() actor: Actor,
    @Param('id', new UuidIdPipe('remembered device')) id: string,
    @Req() request: Request,
  ): Promise<void> {
    await this.devices.forget(actor, id, clientInfo(request));
  }
}
