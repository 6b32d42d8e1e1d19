/** 2–40 of a-z, 0-9 and '-'. */
export const RESELLER_ID_PATTERN = /^[a-z0-9-]{2,40}$/;

export interface ResellerView {
  id: string;
  name: string;
  twoFactorEnabled: boolean;
  version: number;
  updatedAt: string;
}

export interface CreateResellerBody {
  id: string;
  name: string;
}
