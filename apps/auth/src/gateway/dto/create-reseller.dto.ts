import { TextLimits } from '@pbx2fa/contracts';
import { ResellerIdField, TextField } from '../../common/input-fields';

export class CreateResellerDto {
  @ResellerIdField('id', { doc: { example: 'acme' } })
  id: string;

  @TextField('name', 1, TextLimits.resellerName, { doc: { example: 'Acme Telecom' } })
  name: string;
}
