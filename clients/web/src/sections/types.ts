// The shapes of a page section as the shop builder stores it (settings, blocks) and as shopPage resolves it
// (`data`, the renderer's fast path: README "Rendering: shopPage"). The API types them as JSON.

export type Settings = Record<string, any>;

export interface Block {
  id: string;
  type: string;
  settings: Settings;
}

export interface PageProductItem {
  ref: string | null;
  available: boolean;
  reason: string | null;
  id?: string;
  title?: string;
  image?: string | null;
  price?: number;
  stock?: number;
  badges?: { kind: 'GROUP_BUY' | 'BARGAIN'; price: number; teamSize?: number; helpersNeeded?: number }[];
}

export interface PageCouponItem {
  ref: string | null;
  available: boolean;
  reason: string | null;
  id?: string;
  title?: string;
  discount?: number;
  minSpend?: number;
  validUntil?: string;
  remaining?: number;
  claimed?: boolean;
  claimable?: boolean;
}

export interface PageLiveRoomItem {
  ref: string | null;
  available: boolean;
  reason: string | null;
  id?: string;
  title?: string;
  status?: string;
  viewerCount?: number;
}

export interface PageNote {
  id: string;
  title: string;
  image: string | null;
  likeCount: number;
  author: { id: string; nickname: string; avatarUrl: string | null };
}

export interface PageShop {
  id: string;
  name: string;
  logoUrl: string | null;
  followerCount: number;
  viewerFollows: boolean;
}

export interface SectionData {
  products?: PageProductItem[];
  coupons?: PageCouponItem[];
  liveRoom?: PageLiveRoomItem;
  notes?: PageNote[];
  shop?: PageShop;
  campaign?: { kind: string; available: boolean; reason: string | null; coupon?: PageCouponItem; product?: PageProductItem; liveRoom?: PageLiveRoomItem };
}

/** One section to draw: the document's section, with the server's data when it has been resolved. */
export interface SectionView {
  id: string;
  type: string;
  settings: Settings;
  blocks: Block[];
  data?: SectionData | null;
  available?: boolean;
  reason?: string | null;
}

export interface PageTheme {
  background: string;
  text: string;
  accent: string;
  button: string;
  buttonText: string;
  radius: number;
  fontScale: number;
}
