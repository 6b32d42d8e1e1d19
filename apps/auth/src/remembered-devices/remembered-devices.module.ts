import { Module } from '@nestjs/common';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { RememberedDeviceRepository } from './remembered-device.repository';
import { RememberedDevicesController } from './remembered-devices.controller';
import { RememberedDevicesService } from './remembered-devices.service';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';

/** "Remember this device" and Profile → Remembered Devices; the repository forgets them with factor changes. */
@Module({
  imports: [CommonModule, AuditModule, ResellerPolicyModule],
  controllers: [RememberedDevicesController],
  providers: [RememberedDeviceRepository, RememberedDevicesService],
  exports: [RememberedDeviceRepository, RememberedDevicesService],
})
export class RememberedDevicesModule {}
