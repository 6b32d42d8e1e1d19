import { TextLimits } from '@pbx2fa/contracts';
import { TextField } from '../../common/input-fields';

export class ResellerSearchQueryDto {
  @TextField('q', 0, TextLimits.search, {
    optional: true,
    doc: { description: 'words in the name or id; empty lists the first resellers' },
  })
  q?: string;
}
