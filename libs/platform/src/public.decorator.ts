import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'pbx2fa:public';
/** A route anyone may call without a bearer token (the gateway's guard honours it). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
