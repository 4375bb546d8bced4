/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What the actor of an activity did. */
export type ActivityVerb =
  /** Bought `product`. */
  | 'BOUGHT'
  /** Commented on `post`. */
  | 'COMMENTED'
  /** Favorited `product`, `shop` or `post`. */
  | 'FAVORITED'
  /** Joined the group-buy `team`. */
  | 'JOINED_TEAM'
  /** Liked `post`. */
  | 'LIKED'
  /** Posted `post`. */
  | 'POSTED'
  /** Reviewed `product` (`review`). */
  | 'REVIEWED'
  /** Started the group-buy `team`. */
  | 'STARTED_TEAM'
  /** Started broadcasting `liveRoom`. */
  | 'WENT_LIVE';

/** The input of `addToCart`. */
export type AddToCartInput = {
  /** Added to the SKU's line if there is one; 1 to 999. */
  quantity: number;
  /** The SKU to add. */
  skuId: string | number;
};

/** The input of `createAddress`. */
export type AddressInput = {
  /** GB/T 2260, in that province. */
  cityCode: string;
  /** Street, building and room, 1 to 120 characters. */
  detail: string;
  /** GB/T 2260 (or a town's 9-digit code), in that city. */
  districtCode: string;
  /** Make it the default (false changes nothing). */
  isDefault?: boolean;
  /** A mainland mobile number (11 digits, 13x-19x). */
  phone: string;
  /** 6 digits. */
  postcode?: string | null | undefined;
  /** GB/T 2260, e.g. 440000. */
  provinceCode: string;
  /** Who receives the parcel, 1 to 25 characters. */
  recipient: string;
};

/** The input of `approveAfterSale`, `cancelAfterSale`, `confirmReturnReceived`. */
export type AfterSaleIdInput = {
  /** The after-sale request. */
  afterSaleId: string | number;
};

/** What the buyer asks for. */
export type AfterSaleKind =
  /** Money back; the buyer keeps the goods. */
  | 'REFUND_ONLY'
  /** The buyer sends the goods back, then gets the money. */
  | 'RETURN_AND_REFUND';

/** Units of one order line to ask money back for. */
export type AfterSaleLineInput = {
  /** The line's index in the order's `lines`, from 0. */
  lineIndex: number;
  /** Units of that line, at most what is left to ask for. */
  quantity: number;
};

/** Where an after-sale request is. */
export type AfterSaleStatus =
  /** Approved; moves on at once (to REFUNDING or AWAITING_RETURN). */
  | 'APPROVED'
  /** Approved: the buyer sends the goods back (shipReturn). */
  | 'AWAITING_RETURN'
  /** Final: the buyer withdrew it (or kept the goods). */
  | 'CANCELLED'
  /** Final: the money is back (`refundedAmount`). */
  | 'REFUNDED'
  /** The money is on its way back. */
  | 'REFUNDING'
  /** Final: the shop said no (`rejectReason`). */
  | 'REJECTED'
  /** Waiting for the shop; approved by the platform at `respondBy` if it does not answer. */
  | 'REQUESTED'
  /** The shop has the goods; the refund follows at once. */
  | 'RETURN_RECEIVED'
  /** The goods are on their way back to the shop. */
  | 'RETURN_SHIPPED';

/** The input of `applyTemplate`. */
export type ApplyTemplateInput = {
  /** The shop's global id. */
  shopId: string | number;
  /** A key of pageTemplates, e.g. beauty (美妆). */
  template: string;
  /** Also make the vertical's preset the shop's theme. */
  withTheme?: boolean;
};

/** A product's bargain offer. */
export type BargainOfferInput = {
  /** How long a bargain stays open: 5 to 10080 minutes. */
  durationMinutes: number;
  /** Fen, at least 1 and below every SKU's price. */
  floorPrice: number;
  /** 1 to 100; each must be able to cut at least 1 fen. */
  helpersNeeded: number;
};

/** Where a bargain is. */
export type BargainStatus =
  /** Helpers may cut its price until `expiresAt`. */
  | 'ACTIVE'
  /** Time ran out before it was bought. */
  | 'EXPIRED'
  /** Bought at its current price. */
  | 'PURCHASED'
  /** Every needed helper cut: buy it at the floor price. */
  | 'REACHED_FLOOR';

/** How a cart line stands now; the first that holds, in this order of the values below. */
export type CartLineAvailability =
  /** Enough, but fewer than 10 units left. */
  | 'LOW_STOCK'
  /** The SKU or its product is gone. */
  | 'OFF_SHELF'
  /** Buyable as it is. */
  | 'OK'
  /** Fewer units in stock than the line's quantity. */
  | 'OUT_OF_STOCK'
  /** The price moved (up or down) since the line was added. */
  | 'PRICE_CHANGED';

/** The input of `checkout`. */
export type CheckoutInput = {
  /** Buy at today's prices lines whose price changed since they were added. */
  acceptPriceChanges?: boolean;
  /** One of the viewer's addresses to ship to. */
  addressId: string | number;
  /** The viewer's cart lines to buy. */
  cartLineIds: Array<string | number>;
  /** At most one per shop. */
  couponIds?: Array<string | number>;
  /** 1 to 64 characters: a retry with the same key returns the first checkout. */
  idempotencyKey: string;
  /** Points to pay with (POINTS_PER_YUAN a yuan, at most POINTS_MAX_SHARE of each order), spread over the shop orders as checkoutPreview shows; INSUFFICIENT_POINTS past the balance. */
  points?: number | null | undefined;
  /** The share token of the link that led to this purchase (attribution, commission). */
  shareToken?: string | null | undefined;
};

/** What checkoutPreview prices: the lines, address, coupons and points checkout would take. */
export type CheckoutPreviewInput = {
  /** Price lines whose price changed at today's price instead of reporting them. */
  acceptPriceChanges?: boolean;
  /** One of the viewer's addresses to ship to. */
  addressId: string | number;
  /** The viewer's cart lines to buy. */
  cartLineIds: Array<string | number>;
  /** At most one shop coupon per shop, and platform coupons (each goes to the first shop order it applies to that has none; the shop coupon applies first). */
  couponIds?: Array<string | number>;
  /** Points to pay with (priced here, spent by `checkout` with the same value): at most the viewer's balance and POINTS_MAX_SHARE of what the orders cost before points, POINTS_PER_YUAN points a yuan. */
  points?: number | null | undefined;
};

/** From its orders: PENDING_PAYMENT while one waits; PAID once one was; else CANCELLED. */
export type CheckoutStatus =
  /** None is left to pay and none was paid. */
  | 'CANCELLED'
  /** Its orders were paid (whatever happened to them since). */
  | 'PAID'
  /** One of its orders waits for payment. */
  | 'PENDING_PAYMENT';

/** The input of `claimCoupon`. */
export type CouponIdInput = {
  /** The coupon. */
  couponId: string | number;
};

/** The input of `createCoupon`. */
export type CreateCouponInput = {
  /** Fen off, 1 to 10,000,000. */
  discount: number;
  /** Fen the order must reach; more than the discount. */
  minSpend: number;
  /** Copies, 1 to 1,000,000; one per user. */
  quantity: number;
  /** The shop's global id. */
  shopId: string | number;
  /** 1 to 40 characters. */
  title: string;
  /** In the future: claimed copies are usable until then. */
  validUntil: string;
};

/** The input of `createLiveRoom`. */
export type CreateLiveRoomInput = {
  /** Up to 50 of the viewer's products to sell. */
  productIds?: Array<string | number> | null | undefined;
  /** 1 to 60 characters. */
  title: string;
};

/** The input of `createPagePreview`. */
export type CreatePagePreviewInput = {
  /** Which page. */
  kind: PageKind;
  /** The draft when not given. */
  revisionId?: string | null | undefined;
  /** The shop's global id. */
  shopId: string | number;
  /** Only for LANDING pages: its slug. */
  slug?: string | null | undefined;
};

/** The input of `createPost`. */
export type CreatePostInput = {
  /** 1 to 2000 characters; line breaks allowed. */
  body: string;
  /** Up to 9 http(s) URLs. */
  images?: Array<string> | null | undefined;
  /** Note or video. */
  kind: PostKind;
  /** Up to 10 products to tag. */
  productIds?: Array<string | number> | null | undefined;
  /** 1 to 40 characters. */
  title: string;
  /** Up to 5 topics, without the #. */
  topics?: Array<string> | null | undefined;
  /** From uploadVideo; required for VIDEO. */
  videoId?: string | number | null | undefined;
};

/** The input of `createProduct`. */
export type CreateProductInput = {
  /** Let buyers bargain it down too. */
  bargain?: BargainOfferInput | null | undefined;
  /** Up to 20 characters. */
  category?: string | null | undefined;
  /** Up to 5000 characters; line breaks allowed. */
  description: string;
  /** Sell it in group buys too. */
  groupBuy?: GroupBuyOfferInput | null | undefined;
  /** Up to 9 http(s) URLs; the first is the cover. */
  images: Array<string>;
  /** One of the shop's shipping templates; without one the product ships free. */
  shippingTemplateId?: string | number | null | undefined;
  /** The shop that sells it. */
  shopId: string | number;
  /** 1 to 100 SKUs. */
  skus: Array<SkuInput>;
  /** 1 to 60 characters. */
  title: string;
};

/** The input of `createShop`. */
export type CreateShopInput = {
  /** An http(s) URL. */
  logoUrl?: string | null | undefined;
  /** 1 to 30 characters. */
  name: string;
};

/** How long each bucket of a dashboard's series is. */
export type DashboardGranularity =
  /** A local day of the shop's time zone. */
  | 'DAY'
  /** An hour (a range of at most 7 days). */
  | 'HOUR'
  /** A local calendar month. */
  | 'MONTH'
  /** A local week, from Monday. */
  | 'WEEK';

/** Why a mutation was refused: `UserError.code`, for the client to act on. */
export type ErrorCode =
  /** The thing to create exists already (one per user or per name). */
  | 'ALREADY_EXISTS'
  /** The viewer has already cut this bargain's price. */
  | 'ALREADY_HELPED'
  /** The viewer is in this team already. */
  | 'ALREADY_JOINED'
  /** Account deletion: the commission balance is not empty; withdraw it (and wait for what is frozen). */
  | 'BALANCE_NOT_EMPTY'
  /** The bargain is over. */
  | 'BARGAIN_CLOSED'
  /** One of the two users has blocked the other. */
  | 'BLOCKED'
  /** Something changed meanwhile, or an idempotency key was reused for other input; retry (with a new key if it says so). */
  | 'CONFLICT'
  /** The text or image breaks the community rules; `message` says why. */
  | 'CONTENT_REJECTED'
  /** The coupon cannot be claimed or used here. */
  | 'COUPON_UNAVAILABLE'
  /** The viewer reached today's limit for this action (days in China time). */
  | 'DAILY_LIMIT'
  /** The viewer is signed in but may not do this (not the owner, not staff in the right role, not an operator). */
  | 'FORBIDDEN'
  /** The balance is below the amount asked. */
  | 'INSUFFICIENT_FUNDS'
  /** The viewer has fewer points than this needs. */
  | 'INSUFFICIENT_POINTS'
  /** An input field is malformed or out of its limits; `field` names it. */
  | 'INVALID_INPUT'
  /** The object is not in a state that allows this (e.g. refunding an unpaid order). */
  | 'INVALID_STATE'
  /** The viewer reached how many times this may be done (e.g. a reward's per-member redemptions). */
  | 'LIMIT_REACHED'
  /** The shop does not ship this line to the address chosen. */
  | 'NOT_DELIVERABLE'
  /** Only approved distributors may do this. */
  | 'NOT_DISTRIBUTOR'
  /** What the input names does not exist, or the viewer may not see it. */
  | 'NOT_FOUND'
  /** Account deletion: after-sale requests are still open. */
  | 'OPEN_AFTER_SALES'
  /** Account deletion: orders are not finished (unpaid, paid, shipping, or with a refund on its way). */
  | 'OPEN_ORDERS'
  /** Account deletion: withdrawals are still being paid out. */
  | 'OPEN_WITHDRAWALS'
  /** Not enough stock left for the quantity asked. */
  | 'OUT_OF_STOCK'
  /** Account deletion: the viewer owns a shop. */
  | 'OWNS_SHOP'
  /** The flash-sale path token is missing, expired or for another slot; fetch a new one. */
  | 'PATH_TOKEN_INVALID'
  /** WeChat Pay refused or failed the payment. */
  | 'PAYMENT_FAILED'
  /** A price moved since the preview; preview again and confirm the new total. */
  | 'PRICE_CHANGED'
  /** The viewer bought the most this flash sale allows per person. */
  | 'PURCHASE_LIMIT'
  /** The viewer made too many such calls in the last minute; retry later. */
  | 'RATE_LIMITED'
  /** The live room is not broadcasting now. */
  | 'ROOM_NOT_LIVE'
  /** No slot of the flash sale is running now, or the sale is over. */
  | 'SECKILL_CLOSED'
  /** The viewer cannot do this to themselves (follow, help their own bargain, ...). */
  | 'SELF_ACTION'
  /** The group-buy team is no longer open (completed, expired or failed). */
  | 'TEAM_CLOSED'
  /** The group-buy team has all its members. */
  | 'TEAM_FULL'
  /** The address book is full; delete an address first. */
  | 'TOO_MANY_ADDRESSES'
  /** The WebSocket holds the most subscriptions it may (in all, or to this one topic); end one first. */
  | 'TOO_MANY_SUBSCRIPTIONS'
  /** The buyer holds too many unpaid orders; pay or cancel one first. */
  | 'TOO_MANY_UNPAID'
  /** The call needs a signed-in user (an access token) and has none, or an expired one. */
  | 'UNAUTHENTICATED';

/** Which feed to read. */
export type FeedKind =
  /** Ranked posts for discovery: quality, engagement, social proximity and freshness. */
  | 'DISCOVER'
  /** Posts of the people the viewer follows, newest first. */
  | 'FOLLOWING'
  /** What the viewer's friends bought, liked, reviewed, favorited and posted, as their privacy allows. */
  | 'FRIENDS';

/** A product's group-buy offer. */
export type GroupBuyOfferInput = {
  /** How long a team stays open: 5 to 10080 minutes. */
  durationMinutes: number;
  /** 1 to 5 tiers, ascending by size. */
  tiers: Array<GroupBuyTierInput>;
};

/** A group-buy tier: teams of at least `size` members pay `price`. */
export type GroupBuyTierInput = {
  /** Fen, below every SKU's price, lower for a larger team. */
  price: number;
  /** Members, 2 to 100; tiers ascend by size. */
  size: number;
};

/** Where a live room is. */
export type LiveStatus =
  /** Over. */
  | 'ENDED'
  /** Broadcasting now. */
  | 'LIVE'
  /** Created, not broadcasting yet. */
  | 'SCHEDULED';

/** Where a post or review stands with moderation. */
export type ModerationStatus =
  /** Public (except across a block). */
  | 'APPROVED'
  /** Held for an operator: only its author (and operators) see it. */
  | 'PENDING'
  /** An operator refused it: only its author (and operators) see it. */
  | 'REJECTED'
  /** Its author deleted their account. */
  | 'REMOVED';

/** The input of `cancelOrder`, `confirmReceipt`, `shipOrder`. */
export type OrderIdInput = {
  /** The order to move. */
  orderId: string | number;
  /** shipOrder only (other mutations refuse it): the packages leaving now, each with its carrier, tracking number and units of the order's lines; the order stays PARTLY_SHIPPED until every unit has shipped. Without it, shipOrder ships every unit left in one package without carrier or tracking number, which cannot be reported to WeChat's shipping information. */
  packages?: Array<PackageInput> | null | undefined;
};

/** One line of a new order. */
export type OrderLineInput = {
  /** Units, 1 to 999. */
  quantity: number;
  /** The SKU to buy; once per order. */
  skuId: string | number;
};

/** Where an order is; only the moves its mutations describe are possible. */
export type OrderStatus =
  /** Final: unpaid and cancelled; its stock and coupon were returned. */
  | 'CANCELLED'
  /** Received. Money comes back only through after-sales. */
  | 'COMPLETED'
  /** Paid; nothing shipped yet. The buyer may still refund it alone. */
  | 'PAID'
  /** Some packages have left; units are still to ship. */
  | 'PARTLY_SHIPPED'
  /** Placed, its stock held; cancelled if unpaid by `payBy`. */
  | 'PENDING_PAYMENT'
  /** Final: its money is back with the buyer. */
  | 'REFUNDED'
  /** Its money is on its way back to the buyer. */
  | 'REFUNDING'
  /** Every unit has shipped; the buyer confirms receipt. */
  | 'SHIPPED';

/** One package leaving now. */
export type PackageInput = {
  /** A code of the `carriers` query. */
  carrier: string;
  /** What it holds: at least one line. */
  lines: Array<PackageLineInput>;
  /** 1 to 40 letters, digits or dashes. */
  trackingNumber: string;
};

/** Units of one order line in a package. */
export type PackageLineInput = {
  /** Index into Order.lines. */
  lineIndex: number;
  /** Units of that line in the package, at least 1. */
  quantity: number;
};

/** HOME, PRODUCT_DETAIL, CATEGORY and USER_CENTER are built in; LANDING pages have a slug. */
export type PageKind =
  /** The layout of its category pages. */
  | 'CATEGORY'
  /** The shop's home page. */
  | 'HOME'
  /** A campaign page of its own, addressed by slug. */
  | 'LANDING'
  /** The layout of its product pages. */
  | 'PRODUCT_DETAIL'
  /** The buyer's own page at the shop. */
  | 'USER_CENTER';

/** The input of `payCheckout`. */
export type PayCheckoutInput = {
  /** The viewer's checkout, while every order waits for payment. */
  checkoutId: string | number;
  /** 1 to 64 characters: a retry with the same key pays once. */
  idempotencyKey: string;
  /** How to pay. */
  method: PaymentMethod;
};

/** The input of `payOrder`. */
export type PayOrderInput = {
  /** 1 to 64 characters: a retry with the same key pays once. */
  idempotencyKey: string;
  /** How to pay. */
  method: PaymentMethod;
  /** The viewer's unpaid order. */
  orderId: string | number;
};

/** How to pay. */
export type PaymentMethod =
  /** Dev mode only: paid at once, no money moves. */
  | 'DEV_PAY'
  /** WeChat Pay (JSAPI): the payload carries the wx.requestPayment parameters. */
  | 'WECHAT_PAY';

/** The input of `placeOrder`. */
export type PlaceOrderInput = {
  /** A coupon of the viewer's to use. */
  couponId?: string | number | null | undefined;
  /** 1 to 64 characters: a retry with the same key returns the first order. */
  idempotencyKey: string;
  /** 1 to 50 lines, all of one shop. */
  lines: Array<OrderLineInput>;
  /** The share token of the link that led to this purchase (attribution, commission). */
  shareToken?: string | null | undefined;
};

/** What a post is. */
export type PostKind =
  /** Text with up to 9 images. */
  | 'NOTE'
  /** A short video (from uploadVideo) with text. */
  | 'VIDEO';

/** The order of a product search. */
export type ProductSort =
  /** Most sold first. */
  | 'BEST_SELLING'
  /** Newest listed first. */
  | 'NEWEST'
  /** Lowest price first. */
  | 'PRICE_ASC'
  /** Highest price first. */
  | 'PRICE_DESC'
  /** With a query, best selling first; without one, newest first. */
  | 'RELEVANCE';

/** The input of `publishPage`, `rollbackPage`. */
export type PublishPageInput = {
  /** The published revision the editor expects to replace (null: none yet); CONFLICT otherwise. */
  expectedRevisionId?: string | null | undefined;
  /** Which page. */
  kind: PageKind;
  /** The revision to publish (one of the page's). */
  revisionId: string;
  /** The shop's global id. */
  shopId: string | number;
  /** Only for LANDING pages: its slug. */
  slug?: string | null | undefined;
};

/** The input of `rejectAfterSale`. */
export type RejectAfterSaleInput = {
  /** A REQUESTED after-sale of the shop's. */
  afterSaleId: string | number;
  /** 1 to 200 characters, shown to the buyer. */
  reason: string;
};

/** The input of `removeCartLines`. */
export type RemoveCartLinesInput = {
  /** The viewer's cart lines to remove. */
  lineIds: Array<string | number>;
};

/** The input of `requestAfterSale`. */
export type RequestAfterSaleInput = {
  /** Fen; at most what those units were paid less what came back. Unset: all of that. */
  amount?: number | null | undefined;
  /** 1 to 64 characters: a retry with the same key requests once. */
  idempotencyKey: string;
  /** Refund only, or return and refund. */
  kind: AfterSaleKind;
  /** The units asked for, per order line. */
  lines: Array<AfterSaleLineInput>;
  /** The viewer's paid order. */
  orderId: string | number;
  /** At most 9 image URLs (http or https). */
  photos?: Array<string> | null | undefined;
  /** 1 to 200 characters, shown to the shop. */
  reason: string;
};

/** Where an order came from: GROUP (a team), a share link's channel (FRIEND, MOMENTS, POSTER, LIVE, NOTE; DISTRIBUTOR when its sharer is an active distributor of the shop), DIRECT otherwise. */
export type SalesChannel =
  /** No share link and no team. */
  | 'DIRECT'
  /** A share link of an active distributor of the shop. */
  | 'DISTRIBUTOR'
  /** A share link sent to a friend in a chat. */
  | 'FRIEND'
  /** A group-buy team. */
  | 'GROUP'
  /** A share link from a live room. */
  | 'LIVE'
  /** A share link posted to WeChat Moments. */
  | 'MOMENTS'
  /** A share link from a post. */
  | 'NOTE'
  /** A share poster's QR code. */
  | 'POSTER';

/** The input of `savePageDraft`. */
export type SavePageDraftInput = {
  /** The page: {schemaVersion, title, navigationBar, theme, sections}. */
  document: unknown;
  /** The draft the editor started from: CONFLICT if another save moved it since. */
  expectedDraftRevisionId?: string | null | undefined;
  /** Which page. */
  kind: PageKind;
  /** The shop's global id. */
  shopId: string | number;
  /** Only for LANDING pages: its slug. */
  slug?: string | null | undefined;
};

/** The input of `selectCartLines`. */
export type SelectCartLinesInput = {
  /** The viewer's cart lines. */
  lineIds: Array<string | number>;
  /** Select them (true) or unselect them (false). */
  selected?: boolean;
};

/** A dashboard metric; each value's description defines it exactly. */
export type ShopMetric =
  /** Distinct distributors who earned a commission on an order paid in the bucket. */
  | 'ACTIVE_DISTRIBUTORS'
  /** ADD_TO_CART events. */
  | 'ADD_TO_CART'
  /** Average order value (客单价) = GMV / PAYING_BUYERS, in fen; null without paying buyers. */
  | 'AOV'
  /** Fen of commission on orders paid in the bucket, less what was reversed. */
  | 'COMMISSION'
  /** Funnel: visitors of a day who placed an order that day and paid it / visitors, per day (visitor-days over a range). */
  | 'CONVERSION_RATE'
  /** Fen paid for orders paid in the bucket (by payment time), refunds not taken off. */
  | 'GMV'
  /** GMV - REFUNDS of the same bucket. */
  | 'NET_SALES'
  /** GMV - REFUNDS_BY_ORDER_DATE: what the bucket's orders keep. */
  | 'NET_SALES_BY_ORDER_DATE'
  /** Orders paid in the bucket. */
  | 'ORDERS'
  /** PAGE_VIEW events. */
  | 'PAGE_VIEWS'
  /** Distinct buyers with an order paid in the bucket (exact per hour and day; a HyperLogLog estimate over several days). */
  | 'PAYING_BUYERS'
  /** Distinct visitors with a PRODUCT_VIEW at the shop. */
  | 'PRODUCT_VIEWERS'
  /** PRODUCT_VIEW events. */
  | 'PRODUCT_VIEWS'
  /** Fen given back in the bucket (by refund time): full, partial (team price) and after-sale refunds. */
  | 'REFUNDS'
  /** Fen given back so far for the orders paid in the bucket (a late refund lands here too). */
  | 'REFUNDS_BY_ORDER_DATE'
  /** GMV of SHARE_ORDERS. */
  | 'SHARE_GMV'
  /** SHARE_GMV / GMV; null when GMV is 0. */
  | 'SHARE_GMV_SHARE'
  /** Paid orders whose channel is not DIRECT (a share link or a team). */
  | 'SHARE_ORDERS'
  /** Distinct visitors (signed-in user, else client id) with any client event at the shop. */
  | 'VISITORS';

/** One SKU of a new product. */
export type SkuInput = {
  /** This SKU's bargain floor, below its price. Without it the SKU takes the offer's floor, which only a SKU at the lowest price may. */
  bargainFloorPrice?: number | null | undefined;
  /** This SKU's price at each group-buy tier, in tier order, each below its price. Without it the SKU takes the tiers' prices, which only a SKU at the lowest price may. */
  groupBuyPrices?: Array<number> | null | undefined;
  /** Fen, 1 to 10,000,000. */
  price: number;
  /** Up to 5; no two SKUs of a product have the same. */
  specs: Array<SpecValueInput>;
  /** Units, 0 to 1,000,000. */
  stock: number;
  /** Grams, 0 to 1,000,000, for BY_WEIGHT shipping templates; 0 when not given. */
  weightGrams?: number | null | undefined;
};

/** One spec of a SKU; name and value 1 to 20 characters each. */
export type SpecValueInput = {
  /** The spec, such as colour; once per SKU. */
  name: string;
  /** This SKU's value of it. */
  value: string;
};

/** Where a group-buy team is. */
export type TeamStatus =
  /** Closed short of the first tier: every member's order is refunded. */
  | 'FAILED'
  /** Taking members until `expiresAt` or every seat is taken. */
  | 'OPEN'
  /** Closed with at least the first tier's members: the orders ship, at the price reached. */
  | 'SUCCEEDED';

/** Why something a page shows is unavailable; the page keeps it, the client greys it out. */
export type UnavailableReason =
  /** The live room has ended. */
  | 'ENDED'
  /** The coupon is past its validity. */
  | 'EXPIRED'
  /** The block picks by itself and found nothing (no live or scheduled room, no product). */
  | 'NOTHING_TO_SHOW'
  /** It is gone (deleted, or not the shop's). */
  | 'NOT_FOUND'
  /** The product no longer has the group-buy or bargain offer the block shows. */
  | 'OFFER_ENDED'
  /** No coupons are left to claim. */
  | 'SOLD_OUT';

/** The input of `updateCartLine`. */
export type UpdateCartLineInput = {
  /** One of the viewer's cart lines. */
  lineId: string | number;
  /** The new quantity, 1 to 999. */
  quantity: number;
};

/** The input of `block`, `follow`, `unfollow`. */
export type UserIdInput = {
  /** The other user. */
  userId: string | number;
};

export type DevLoginMutationVariables = Exact<{
  nickname: string;
  inviteCode?: string | null | undefined;
}>;


export type DevLoginMutation = { devLogin: { __typename: 'AuthPayload', accessToken: string | null, refreshToken: string | null, user: { __typename: 'User', id: string, nickname: string, inviteCode: string | null } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshTokenMutation = { refreshToken: { __typename: 'AuthPayload', accessToken: string | null, refreshToken: string | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { __typename: 'User', id: string, nickname: string, avatarUrl: string | null, inviteCode: string | null, points: number, level: number, followerCount: number, followingCount: number } | null };

export type ProductCardFragment = { __typename: 'Product', id: string, title: string, images: Array<string>, category: string | null, salesCount: number, price: { __typename: 'Money', amount: number }, groupBuy: { __typename: 'GroupBuyOffer', tiers: Array<{ __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } }> } | null };

export type ProductsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  query?: string | null | undefined;
  category?: string | null | undefined;
  shopId?: string | number | null | undefined;
  sort?: ProductSort | null | undefined;
}>;


export type ProductsQuery = { products: { __typename: 'ProductConnection', edges: Array<{ __typename: 'ProductEdge', cursor: string, node: { __typename: 'Product', id: string, title: string, images: Array<string>, category: string | null, salesCount: number, price: { __typename: 'Money', amount: number }, groupBuy: { __typename: 'GroupBuyOffer', tiers: Array<{ __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } }> } | null } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };

export type ProductPageQueryVariables = Exact<{
  id: string | number;
}>;


export type ProductPageQuery = { product: { __typename: 'Product', description: string, id: string, title: string, images: Array<string>, category: string | null, salesCount: number, shop: { __typename: 'Shop', id: string, name: string, logoUrl: string | null }, skus: Array<{ __typename: 'Sku', id: string, stock: number, price: { __typename: 'Money', amount: number }, specs: Array<{ __typename: 'SpecValue', name: string, value: string }>, groupBuy: { __typename: 'GroupBuyOffer', tiers: Array<{ __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } }> } | null }>, groupBuy: { __typename: 'GroupBuyOffer', durationMinutes: number, tiers: Array<{ __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } }> } | null, bargain: { __typename: 'BargainOffer', helpersNeeded: number, durationMinutes: number, floorPrice: { __typename: 'Money', amount: number } } | null, openTeams: Array<{ __typename: 'Team', id: string, size: number, maxSize: number, expiresAt: string, currentPrice: { __typename: 'Money', amount: number }, leader: { __typename: 'User', id: string, nickname: string } }>, friendsWhoBought: Array<{ __typename: 'User', id: string, nickname: string }>, similar: Array<{ __typename: 'Product', id: string, title: string, images: Array<string>, category: string | null, salesCount: number, price: { __typename: 'Money', amount: number }, groupBuy: { __typename: 'GroupBuyOffer', tiers: Array<{ __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } }> } | null }>, price: { __typename: 'Money', amount: number } } | null };

export type CreateShopMutationVariables = Exact<{
  input: CreateShopInput;
}>;


export type CreateShopMutation = { createShop: { __typename: 'ShopPayload', shop: { __typename: 'Shop', id: string, name: string } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type CreateProductMutationVariables = Exact<{
  input: CreateProductInput;
}>;


export type CreateProductMutation = { createProduct: { __typename: 'ProductPayload', product: { __typename: 'Product', id: string, title: string, images: Array<string>, category: string | null, salesCount: number, skus: Array<{ __typename: 'Sku', id: string, stock: number, price: { __typename: 'Money', amount: number } }>, price: { __typename: 'Money', amount: number }, groupBuy: { __typename: 'GroupBuyOffer', tiers: Array<{ __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } }> } | null } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type CreateCouponMutationVariables = Exact<{
  input: CreateCouponInput;
}>;


export type CreateCouponMutation = { createCoupon: { __typename: 'CouponPayload', coupon: { __typename: 'Coupon', id: string, title: string, validUntil: string, remaining: number, discount: { __typename: 'Money', amount: number }, minSpend: { __typename: 'Money', amount: number } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type CreateShareLinkMutationVariables = Exact<{
  productId?: string | number | null | undefined;
}>;


export type CreateShareLinkMutation = { createShareLink: { __typename: 'ShareLinkPayload', link: { __typename: 'ShareLink', token: string, path: string } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type AdjustmentFragment = { __typename: 'PriceAdjustment', kind: string, label: string, amount: number };

export type CartViewFragment = { __typename: 'Cart', lineCount: number, selectedSubtotal: { __typename: 'Money', amount: number }, selectedTotal: { __typename: 'Money', amount: number }, shops: Array<{ __typename: 'CartShop', shop: { __typename: 'Shop', id: string, name: string }, selectedTotal: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, lines: Array<{ __typename: 'CartLine', id: string, quantity: number, selected: boolean, stock: number, availability: CartLineAvailability, priceWhenAdded: { __typename: 'Money', amount: number }, unitPrice: { __typename: 'Money', amount: number } | null, product: { __typename: 'Product', id: string, title: string, images: Array<string> } | null, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } | null }> }> };

export type CartQueryVariables = Exact<{ [key: string]: never; }>;


export type CartQuery = { cart: { __typename: 'Cart', lineCount: number, selectedSubtotal: { __typename: 'Money', amount: number }, selectedTotal: { __typename: 'Money', amount: number }, shops: Array<{ __typename: 'CartShop', shop: { __typename: 'Shop', id: string, name: string }, selectedTotal: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, lines: Array<{ __typename: 'CartLine', id: string, quantity: number, selected: boolean, stock: number, availability: CartLineAvailability, priceWhenAdded: { __typename: 'Money', amount: number }, unitPrice: { __typename: 'Money', amount: number } | null, product: { __typename: 'Product', id: string, title: string, images: Array<string> } | null, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } | null }> }> } | null };

export type AddToCartMutationVariables = Exact<{
  input: AddToCartInput;
}>;


export type AddToCartMutation = { addToCart: { __typename: 'CartPayload', cart: { __typename: 'Cart', lineCount: number } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type UpdateCartLineMutationVariables = Exact<{
  input: UpdateCartLineInput;
}>;


export type UpdateCartLineMutation = { updateCartLine: { __typename: 'CartPayload', cart: { __typename: 'Cart', lineCount: number, selectedSubtotal: { __typename: 'Money', amount: number }, selectedTotal: { __typename: 'Money', amount: number }, shops: Array<{ __typename: 'CartShop', shop: { __typename: 'Shop', id: string, name: string }, selectedTotal: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, lines: Array<{ __typename: 'CartLine', id: string, quantity: number, selected: boolean, stock: number, availability: CartLineAvailability, priceWhenAdded: { __typename: 'Money', amount: number }, unitPrice: { __typename: 'Money', amount: number } | null, product: { __typename: 'Product', id: string, title: string, images: Array<string> } | null, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } | null }> }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type RemoveCartLinesMutationVariables = Exact<{
  input: RemoveCartLinesInput;
}>;


export type RemoveCartLinesMutation = { removeCartLines: { __typename: 'CartPayload', cart: { __typename: 'Cart', lineCount: number, selectedSubtotal: { __typename: 'Money', amount: number }, selectedTotal: { __typename: 'Money', amount: number }, shops: Array<{ __typename: 'CartShop', shop: { __typename: 'Shop', id: string, name: string }, selectedTotal: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, lines: Array<{ __typename: 'CartLine', id: string, quantity: number, selected: boolean, stock: number, availability: CartLineAvailability, priceWhenAdded: { __typename: 'Money', amount: number }, unitPrice: { __typename: 'Money', amount: number } | null, product: { __typename: 'Product', id: string, title: string, images: Array<string> } | null, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } | null }> }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type SelectCartLinesMutationVariables = Exact<{
  input: SelectCartLinesInput;
}>;


export type SelectCartLinesMutation = { selectCartLines: { __typename: 'CartPayload', cart: { __typename: 'Cart', lineCount: number, selectedSubtotal: { __typename: 'Money', amount: number }, selectedTotal: { __typename: 'Money', amount: number }, shops: Array<{ __typename: 'CartShop', shop: { __typename: 'Shop', id: string, name: string }, selectedTotal: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, lines: Array<{ __typename: 'CartLine', id: string, quantity: number, selected: boolean, stock: number, availability: CartLineAvailability, priceWhenAdded: { __typename: 'Money', amount: number }, unitPrice: { __typename: 'Money', amount: number } | null, product: { __typename: 'Product', id: string, title: string, images: Array<string> } | null, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } | null }> }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type AddressViewFragment = { __typename: 'Address', id: string, recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string, isDefault: boolean };

export type MyAddressesQueryVariables = Exact<{ [key: string]: never; }>;


export type MyAddressesQuery = { me: { __typename: 'User', id: string, addresses: Array<{ __typename: 'Address', id: string, recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string, isDefault: boolean }> | null } | null };

export type CreateAddressMutationVariables = Exact<{
  input: AddressInput;
}>;


export type CreateAddressMutation = { createAddress: { __typename: 'AddressPayload', address: { __typename: 'Address', id: string, recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string, isDefault: boolean } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type CheckoutPreviewQueryVariables = Exact<{
  input: CheckoutPreviewInput;
}>;


export type CheckoutPreviewQuery = { checkoutPreview: { __typename: 'CheckoutPreview', subtotal: { __typename: 'Money', amount: number }, discount: { __typename: 'Money', amount: number }, shippingFee: { __typename: 'Money', amount: number }, total: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }>, shops: Array<{ __typename: 'CheckoutShop', shop: { __typename: 'Shop', id: string, name: string }, total: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, lines: Array<{ __typename: 'CheckoutLine', cartLineId: string, quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string } | null, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } | null }> }> } };

export type CheckoutMutationVariables = Exact<{
  input: CheckoutInput;
}>;


export type CheckoutMutation = { checkout: { __typename: 'CheckoutPayload', checkout: { __typename: 'Checkout', id: string, number: string, status: CheckoutStatus, total: { __typename: 'Money', amount: number }, orders: Array<{ __typename: 'Order', id: string }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type PayCheckoutMutationVariables = Exact<{
  input: PayCheckoutInput;
}>;


export type PayCheckoutMutation = { payCheckout: { __typename: 'PayCheckoutPayload', checkout: { __typename: 'Checkout', id: string, status: CheckoutStatus, orders: Array<{ __typename: 'Order', id: string, status: OrderStatus }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type OrderDetailFragment = { __typename: 'Order', subtotal: { __typename: 'Money', amount: number }, discount: { __typename: 'Money', amount: number }, shippingFee: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, shippingAddress: { __typename: 'OrderAddress', recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string } | null, shipments: Array<{ __typename: 'Shipment', id: string, trackingNumber: string | null, shippedAt: string, carrier: { __typename: 'Carrier', code: string, name: string } | null, lines: Array<{ __typename: 'ShipmentLine', lineIndex: number, quantity: number }> }>, afterSales: Array<{ __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, amount: { __typename: 'Money', amount: number } }> };

export type OrderDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderDetailQuery = { order: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, buyer: { __typename: 'User', id: string, nickname: string }, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null, subtotal: { __typename: 'Money', amount: number }, discount: { __typename: 'Money', amount: number }, shippingFee: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, shippingAddress: { __typename: 'OrderAddress', recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string } | null, shipments: Array<{ __typename: 'Shipment', id: string, trackingNumber: string | null, shippedAt: string, carrier: { __typename: 'Carrier', code: string, name: string } | null, lines: Array<{ __typename: 'ShipmentLine', lineIndex: number, quantity: number }> }>, afterSales: Array<{ __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, amount: { __typename: 'Money', amount: number } }> } | null };

export type RequestAfterSaleMutationVariables = Exact<{
  input: RequestAfterSaleInput;
}>;


export type RequestAfterSaleMutation = { requestAfterSale: { __typename: 'AfterSalePayload', afterSale: { __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, amount: { __typename: 'Money', amount: number } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type CheckoutWalletQueryVariables = Exact<{ [key: string]: never; }>;


export type CheckoutWalletQuery = { me: { __typename: 'User', id: string, points: number } | null, myCoupons: Array<{ __typename: 'Coupon', id: string, title: string, usable: boolean, validUntil: string, discount: { __typename: 'Money', amount: number }, minSpend: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string } | null }> };

export type ClaimCouponMutationVariables = Exact<{
  input: CouponIdInput;
}>;


export type ClaimCouponMutation = { claimCoupon: { __typename: 'CouponPayload', coupon: { __typename: 'Coupon', id: string, title: string, remaining: number } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type ShopOrdersQueryVariables = Exact<{
  shopId: string | number;
  status?: OrderStatus | null | undefined;
  query?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ShopOrdersQuery = { shop: { __typename: 'Shop', id: string, orderCounts: Array<{ __typename: 'OrderCount', status: OrderStatus, count: number }> | null, orders: { __typename: 'OrderConnection', edges: Array<{ __typename: 'OrderEdge', cursor: string, node: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, buyer: { __typename: 'User', id: string, nickname: string }, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null, subtotal: { __typename: 'Money', amount: number }, discount: { __typename: 'Money', amount: number }, shippingFee: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, shippingAddress: { __typename: 'OrderAddress', recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string } | null, shipments: Array<{ __typename: 'Shipment', id: string, trackingNumber: string | null, shippedAt: string, carrier: { __typename: 'Carrier', code: string, name: string } | null, lines: Array<{ __typename: 'ShipmentLine', lineIndex: number, quantity: number }> }>, afterSales: Array<{ __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, amount: { __typename: 'Money', amount: number } }> } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type CarriersQueryVariables = Exact<{ [key: string]: never; }>;


export type CarriersQuery = { carriers: Array<{ __typename: 'Carrier', code: string, name: string }> };

export type ShipOrderPackagesMutationVariables = Exact<{
  input: OrderIdInput;
}>;


export type ShipOrderPackagesMutation = { shipOrder: { __typename: 'OrderPayload', order: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, buyer: { __typename: 'User', id: string, nickname: string }, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null, subtotal: { __typename: 'Money', amount: number }, discount: { __typename: 'Money', amount: number }, shippingFee: { __typename: 'Money', amount: number }, adjustments: Array<{ __typename: 'PriceAdjustment', kind: string, label: string, amount: number }>, shippingAddress: { __typename: 'OrderAddress', recipient: string, phone: string, provinceName: string, cityName: string, districtName: string, detail: string } | null, shipments: Array<{ __typename: 'Shipment', id: string, trackingNumber: string | null, shippedAt: string, carrier: { __typename: 'Carrier', code: string, name: string } | null, lines: Array<{ __typename: 'ShipmentLine', lineIndex: number, quantity: number }> }>, afterSales: Array<{ __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, amount: { __typename: 'Money', amount: number } }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type AfterSaleRowFragment = { __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, respondBy: string | null, amount: { __typename: 'Money', amount: number }, lines: Array<{ __typename: 'AfterSaleLine', lineIndex: number, quantity: number, orderLine: { __typename: 'OrderLine', product: { __typename: 'Product', id: string, title: string } } }>, order: { __typename: 'Order', id: string, number: string, buyer: { __typename: 'User', id: string, nickname: string } } };

export type ShopAfterSalesQueryVariables = Exact<{
  shopId: string | number;
  status?: AfterSaleStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ShopAfterSalesQuery = { shop: { __typename: 'Shop', id: string, afterSales: { __typename: 'AfterSaleConnection', edges: Array<{ __typename: 'AfterSaleEdge', cursor: string, node: { __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, respondBy: string | null, amount: { __typename: 'Money', amount: number }, lines: Array<{ __typename: 'AfterSaleLine', lineIndex: number, quantity: number, orderLine: { __typename: 'OrderLine', product: { __typename: 'Product', id: string, title: string } } }>, order: { __typename: 'Order', id: string, number: string, buyer: { __typename: 'User', id: string, nickname: string } } } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } } | null };

export type ApproveAfterSaleMutationVariables = Exact<{
  input: AfterSaleIdInput;
}>;


export type ApproveAfterSaleMutation = { approveAfterSale: { __typename: 'AfterSalePayload', afterSale: { __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, respondBy: string | null, amount: { __typename: 'Money', amount: number }, lines: Array<{ __typename: 'AfterSaleLine', lineIndex: number, quantity: number, orderLine: { __typename: 'OrderLine', product: { __typename: 'Product', id: string, title: string } } }>, order: { __typename: 'Order', id: string, number: string, buyer: { __typename: 'User', id: string, nickname: string } } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type RejectAfterSaleMutationVariables = Exact<{
  input: RejectAfterSaleInput;
}>;


export type RejectAfterSaleMutation = { rejectAfterSale: { __typename: 'AfterSalePayload', afterSale: { __typename: 'AfterSale', id: string, kind: AfterSaleKind, status: AfterSaleStatus, reason: string, rejectReason: string | null, createdAt: string, respondBy: string | null, amount: { __typename: 'Money', amount: number }, lines: Array<{ __typename: 'AfterSaleLine', lineIndex: number, quantity: number, orderLine: { __typename: 'OrderLine', product: { __typename: 'Product', id: string, title: string } } }>, order: { __typename: 'Order', id: string, number: string, buyer: { __typename: 'User', id: string, nickname: string } } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type ShopDashboardQueryVariables = Exact<{
  shopId: string | number;
  from: string;
  to: string;
  granularity: DashboardGranularity;
}>;


export type ShopDashboardQuery = { shopDashboard: { __typename: 'ShopDashboardResult', dashboard: { __typename: 'ShopDashboard', from: string, to: string, buckets: Array<string>, timeZone: string, metrics: Array<{ __typename: 'DashboardMetric', metric: ShopMetric, total: number | null, previous: number | null, change: number | null, values: Array<number | null> }>, funnel: { __typename: 'DashboardFunnel', visitors: number, productViewers: number, placedBuyers: number, paidBuyers: number }, channels: Array<{ __typename: 'ChannelStats', channel: SalesChannel, orders: number, gmv: number, gmvShare: number | null }>, topProducts: Array<{ __typename: 'ProductStats', productId: string, units: number, gmv: number, product: { __typename: 'Product', id: string, title: string } | null }> } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type OrderSummaryFragment = { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null };

export type MyOrdersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: OrderStatus | null | undefined;
}>;


export type MyOrdersQuery = { myOrders: { __typename: 'OrderConnection', edges: Array<{ __typename: 'OrderEdge', cursor: string, node: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };

export type OrderQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderQuery = { order: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, buyer: { __typename: 'User', id: string, nickname: string }, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null } | null };

export type PlaceOrderMutationVariables = Exact<{
  input: PlaceOrderInput;
}>;


export type PlaceOrderMutation = { placeOrder: { __typename: 'OrderPayload', order: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type PayOrderMutationVariables = Exact<{
  input: PayOrderInput;
}>;


export type PayOrderMutation = { payOrder: { __typename: 'PayOrderPayload', order: { __typename: 'Order', id: string, status: OrderStatus } | null, payment: { __typename: 'PaymentRequest', method: PaymentMethod, clientParams: string } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type ShipOrderMutationVariables = Exact<{
  orderId: string | number;
}>;


export type ShipOrderMutation = { shipOrder: { __typename: 'OrderPayload', order: { __typename: 'Order', id: string, number: string, status: OrderStatus, createdAt: string, payBy: string | null, buyer: { __typename: 'User', id: string, nickname: string }, total: { __typename: 'Money', amount: number }, shop: { __typename: 'Shop', id: string, name: string }, lines: Array<{ __typename: 'OrderLine', quantity: number, unitPrice: { __typename: 'Money', amount: number }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, sku: { __typename: 'Sku', id: string, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> } }>, team: { __typename: 'Team', id: string, status: TeamStatus, size: number } | null } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type OrderStatusSubscriptionVariables = Exact<{
  orderId: string | number;
}>;


export type OrderStatusSubscription = { orderStatus: { __typename: 'Order', id: string, status: OrderStatus } };

export type RenderedPageFragment = { __typename: 'ShopPage', id: string, kind: PageKind, revisionId: string, preview: boolean, title: string, document: unknown, theme: { __typename: 'ShopTheme', background: string, text: string, accent: string, button: string, buttonText: string, radius: number, fontScale: number }, sections: Array<{ __typename: 'PageSection', id: string, type: string, settings: unknown, blocks: unknown, data: unknown, available: boolean, reason: UnavailableReason | null }>, shop: { __typename: 'Shop', id: string, name: string, logoUrl: string | null, owner: { __typename: 'User', id: string } } };

export type PublishedPageQueryVariables = Exact<{
  shopId: string | number;
  kind: PageKind;
  slug?: string | null | undefined;
}>;


export type PublishedPageQuery = { shopPage: { __typename: 'ShopPage', id: string, kind: PageKind, revisionId: string, preview: boolean, title: string, document: unknown, theme: { __typename: 'ShopTheme', background: string, text: string, accent: string, button: string, buttonText: string, radius: number, fontScale: number }, sections: Array<{ __typename: 'PageSection', id: string, type: string, settings: unknown, blocks: unknown, data: unknown, available: boolean, reason: UnavailableReason | null }>, shop: { __typename: 'Shop', id: string, name: string, logoUrl: string | null, owner: { __typename: 'User', id: string } } } | null };

export type PagePreviewQueryVariables = Exact<{
  shopId: string | number;
  kind: PageKind;
  slug?: string | null | undefined;
  previewToken: string;
}>;


export type PagePreviewQuery = { shopPage: { __typename: 'ShopPage', id: string, kind: PageKind, revisionId: string, preview: boolean, title: string, document: unknown, theme: { __typename: 'ShopTheme', background: string, text: string, accent: string, button: string, buttonText: string, radius: number, fontScale: number }, sections: Array<{ __typename: 'PageSection', id: string, type: string, settings: unknown, blocks: unknown, data: unknown, available: boolean, reason: UnavailableReason | null }>, shop: { __typename: 'Shop', id: string, name: string, logoUrl: string | null, owner: { __typename: 'User', id: string } } } | null };

export type EditablePageFragment = { __typename: 'Page', id: string, kind: PageKind, slug: string | null, draftRevisionId: string | null, publishedRevisionId: string | null, updatedAt: string, publishedAt: string | null };

export type ShopPagesQueryVariables = Exact<{
  shopId: string | number;
}>;


export type ShopPagesQuery = { shopPages: Array<{ __typename: 'Page', id: string, kind: PageKind, slug: string | null, draftRevisionId: string | null, publishedRevisionId: string | null, updatedAt: string, publishedAt: string | null }> };

export type PageDraftsQueryVariables = Exact<{
  shopId: string | number;
}>;


export type PageDraftsQuery = { shopPages: Array<{ __typename: 'Page', id: string, kind: PageKind, slug: string | null, draftRevisionId: string | null, publishedRevisionId: string | null, updatedAt: string, publishedAt: string | null, draft: { __typename: 'PageRevision', id: string, document: unknown } | null }> };

export type PageComponentsQueryVariables = Exact<{ [key: string]: never; }>;


export type PageComponentsQuery = { pageComponents: Array<{ __typename: 'PageComponent', type: string, name: string, description: string, available: boolean, unavailableReason: string | null, maxBlocks: number, minBlocks: number, maxPerPage: number, blockTypes: Array<string>, schema: unknown, default: unknown }>, pageLimits: { __typename: 'PageLimits', maxSections: number, maxBytes: number, schema: unknown } };

export type SavePageDraftMutationVariables = Exact<{
  input: SavePageDraftInput;
}>;


export type SavePageDraftMutation = { savePageDraft: { __typename: 'PagePayload', page: { __typename: 'Page', id: string, kind: PageKind, slug: string | null, draftRevisionId: string | null, publishedRevisionId: string | null, updatedAt: string, publishedAt: string | null } | null, revision: { __typename: 'PageRevision', id: string } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type PublishPageMutationVariables = Exact<{
  input: PublishPageInput;
}>;


export type PublishPageMutation = { publishPage: { __typename: 'PagePayload', page: { __typename: 'Page', id: string, kind: PageKind, slug: string | null, draftRevisionId: string | null, publishedRevisionId: string | null, updatedAt: string, publishedAt: string | null } | null, revision: { __typename: 'PageRevision', id: string } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type CreatePagePreviewMutationVariables = Exact<{
  input: CreatePagePreviewInput;
}>;


export type CreatePagePreviewMutation = { createPagePreview: { __typename: 'PagePreviewPayload', token: string | null, revisionId: string | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type PageTemplatesQueryVariables = Exact<{ [key: string]: never; }>;


export type PageTemplatesQuery = { pageTemplates: Array<{ __typename: 'PageTemplate', key: string, name: string, pageKinds: Array<string> }> };

export type ApplyTemplateMutationVariables = Exact<{
  input: ApplyTemplateInput;
}>;


export type ApplyTemplateMutation = { applyTemplate: { __typename: 'ApplyTemplatePayload', notes: Array<string>, pages: Array<{ __typename: 'Page', id: string, kind: PageKind, slug: string | null, draftRevisionId: string | null, publishedRevisionId: string | null, updatedAt: string, publishedAt: string | null }>, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type FollowShopOwnerMutationVariables = Exact<{
  input: UserIdInput;
}>;


export type FollowShopOwnerMutation = { follow: { __typename: 'UserPayload', user: { __typename: 'User', id: string, followerCount: number, viewerFollows: boolean } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type ActivityItemFragment = { __typename: 'Activity', id: string, verb: ActivityVerb, at: string, actor: { __typename: 'User', id: string, nickname: string }, post: { __typename: 'Post', id: string, title: string, body: string, likeCount: number, commentCount: number } | null, product: { __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } } | null, team: { __typename: 'Team', id: string, status: TeamStatus } | null, liveRoom: { __typename: 'LiveRoom', id: string, title: string, status: LiveStatus } | null };

export type FeedQueryVariables = Exact<{
  kind: FeedKind;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FeedQuery = { feed: { __typename: 'ActivityConnection', edges: Array<{ __typename: 'ActivityEdge', cursor: string, node: { __typename: 'Activity', id: string, verb: ActivityVerb, at: string, actor: { __typename: 'User', id: string, nickname: string }, post: { __typename: 'Post', id: string, title: string, body: string, likeCount: number, commentCount: number } | null, product: { __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } } | null, team: { __typename: 'Team', id: string, status: TeamStatus } | null, liveRoom: { __typename: 'LiveRoom', id: string, title: string, status: LiveStatus } | null } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };

export type FeedUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type FeedUpdatesSubscription = { feedUpdates: { __typename: 'Activity', id: string, verb: ActivityVerb, at: string, actor: { __typename: 'User', id: string, nickname: string }, post: { __typename: 'Post', id: string, title: string, body: string, likeCount: number, commentCount: number } | null, product: { __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } } | null, team: { __typename: 'Team', id: string, status: TeamStatus } | null, liveRoom: { __typename: 'LiveRoom', id: string, title: string, status: LiveStatus } | null } };

export type PostQueryVariables = Exact<{
  id: string | number;
}>;


export type PostQuery = { post: { __typename: 'Post', id: string, kind: PostKind, title: string, body: string, images: Array<string>, likeCount: number, commentCount: number, createdAt: string, viewerLiked: boolean, author: { __typename: 'User', id: string, nickname: string }, products: Array<{ __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } }>, topics: Array<{ __typename: 'Topic', name: string }>, comments: { __typename: 'CommentConnection', edges: Array<{ __typename: 'CommentEdge', node: { __typename: 'Comment', id: string, body: string, author: { __typename: 'User', id: string, nickname: string } } }> } } | null };

export type CreatePostMutationVariables = Exact<{
  input: CreatePostInput;
}>;


export type CreatePostMutation = { createPost: { __typename: 'PostPayload', post: { __typename: 'Post', id: string, title: string, moderation: ModerationStatus | null } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type LikePostMutationVariables = Exact<{
  postId: string | number;
}>;


export type LikePostMutation = { likePost: { __typename: 'PostPayload', post: { __typename: 'Post', id: string, likeCount: number, viewerLiked: boolean } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type LiveRoomsQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type LiveRoomsQuery = { liveRooms: { __typename: 'LiveRoomConnection', edges: Array<{ __typename: 'LiveRoomEdge', node: { __typename: 'LiveRoom', id: string, title: string, status: LiveStatus, viewerCount: number, likeCount: number, host: { __typename: 'User', id: string, nickname: string } } }> } };

export type LiveRoomQueryVariables = Exact<{
  id: string | number;
}>;


export type LiveRoomQuery = { liveRoom: { __typename: 'LiveRoom', id: string, title: string, status: LiveStatus, viewerCount: number, likeCount: number, host: { __typename: 'User', id: string, nickname: string }, pinnedProduct: { __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } } | null, products: Array<{ __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } }>, recentComments: Array<{ __typename: 'LiveComment', id: string, body: string, at: string, author: { __typename: 'User', id: string, nickname: string } }> } | null };

export type CreateLiveRoomMutationVariables = Exact<{
  input: CreateLiveRoomInput;
}>;


export type CreateLiveRoomMutation = { createLiveRoom: { __typename: 'LiveRoomPayload', room: { __typename: 'LiveRoom', id: string, title: string, status: LiveStatus } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type StartLiveMutationVariables = Exact<{
  roomId: string | number;
}>;


export type StartLiveMutation = { startLive: { __typename: 'LiveRoomPayload', room: { __typename: 'LiveRoom', id: string, status: LiveStatus } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type SendLiveCommentMutationVariables = Exact<{
  roomId: string | number;
  body: string;
}>;


export type SendLiveCommentMutation = { sendLiveComment: { __typename: 'LiveCommentPayload', comment: { __typename: 'LiveComment', id: string, body: string, at: string, author: { __typename: 'User', id: string, nickname: string } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type LikeLiveMutationVariables = Exact<{
  roomId: string | number;
  count: number;
}>;


export type LikeLiveMutation = { likeLive: { __typename: 'LiveRoomPayload', room: { __typename: 'LiveRoom', id: string, likeCount: number } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type LiveCommentsSubscriptionVariables = Exact<{
  roomId: string | number;
}>;


export type LiveCommentsSubscription = { liveComments: { __typename: 'LiveComment', id: string, body: string, at: string, author: { __typename: 'User', id: string, nickname: string } } };

export type LiveRoomEventsSubscriptionVariables = Exact<{
  roomId: string | number;
}>;


export type LiveRoomEventsSubscription = { liveRoomEvents:
    | { __typename: 'LikesAdded', likeCount: number }
    | { __typename: 'LiveEnded' }
    | { __typename: 'ProductPinned', product: { __typename: 'Product', id: string, title: string, price: { __typename: 'Money', amount: number } } }
    | { __typename: 'ViewerCountChanged', viewerCount: number }
   };

export type TeamViewFragment = { __typename: 'Team', id: string, status: TeamStatus, size: number, minSize: number, maxSize: number, expiresAt: string, currentPrice: { __typename: 'Money', amount: number }, nextTier: { __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } } | null, leader: { __typename: 'User', id: string, nickname: string }, members: Array<{ __typename: 'TeamMember', paid: boolean, joinedAt: string, user: { __typename: 'User', id: string, nickname: string } }>, product: { __typename: 'Product', id: string, title: string, images: Array<string>, skus: Array<{ __typename: 'Sku', id: string, price: { __typename: 'Money', amount: number }, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> }> } };

export type TeamQueryVariables = Exact<{
  id: string | number;
}>;


export type TeamQuery = { team: { __typename: 'Team', id: string, status: TeamStatus, size: number, minSize: number, maxSize: number, expiresAt: string, currentPrice: { __typename: 'Money', amount: number }, nextTier: { __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } } | null, leader: { __typename: 'User', id: string, nickname: string }, members: Array<{ __typename: 'TeamMember', paid: boolean, joinedAt: string, user: { __typename: 'User', id: string, nickname: string } }>, product: { __typename: 'Product', id: string, title: string, images: Array<string>, skus: Array<{ __typename: 'Sku', id: string, price: { __typename: 'Money', amount: number }, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> }> } } | null };

export type StartTeamMutationVariables = Exact<{
  skuId: string | number;
  idempotencyKey: string;
}>;


export type StartTeamMutation = { startTeam: { __typename: 'TeamPayload', team: { __typename: 'Team', id: string, status: TeamStatus, size: number, minSize: number, maxSize: number, expiresAt: string, currentPrice: { __typename: 'Money', amount: number }, nextTier: { __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } } | null, leader: { __typename: 'User', id: string, nickname: string }, members: Array<{ __typename: 'TeamMember', paid: boolean, joinedAt: string, user: { __typename: 'User', id: string, nickname: string } }>, product: { __typename: 'Product', id: string, title: string, images: Array<string>, skus: Array<{ __typename: 'Sku', id: string, price: { __typename: 'Money', amount: number }, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> }> } } | null, order: { __typename: 'Order', id: string, status: OrderStatus, total: { __typename: 'Money', amount: number } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type JoinTeamMutationVariables = Exact<{
  teamId: string | number;
  skuId: string | number;
  idempotencyKey: string;
}>;


export type JoinTeamMutation = { joinTeam: { __typename: 'TeamPayload', team: { __typename: 'Team', id: string, status: TeamStatus, size: number, minSize: number, maxSize: number, expiresAt: string, currentPrice: { __typename: 'Money', amount: number }, nextTier: { __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } } | null, leader: { __typename: 'User', id: string, nickname: string }, members: Array<{ __typename: 'TeamMember', paid: boolean, joinedAt: string, user: { __typename: 'User', id: string, nickname: string } }>, product: { __typename: 'Product', id: string, title: string, images: Array<string>, skus: Array<{ __typename: 'Sku', id: string, price: { __typename: 'Money', amount: number }, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> }> } } | null, order: { __typename: 'Order', id: string, status: OrderStatus, total: { __typename: 'Money', amount: number } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export type TeamProgressSubscriptionVariables = Exact<{
  teamId: string | number;
}>;


export type TeamProgressSubscription = { teamProgress: { __typename: 'Team', id: string, status: TeamStatus, size: number, minSize: number, maxSize: number, expiresAt: string, currentPrice: { __typename: 'Money', amount: number }, nextTier: { __typename: 'GroupBuyTier', size: number, price: { __typename: 'Money', amount: number } } | null, leader: { __typename: 'User', id: string, nickname: string }, members: Array<{ __typename: 'TeamMember', paid: boolean, joinedAt: string, user: { __typename: 'User', id: string, nickname: string } }>, product: { __typename: 'Product', id: string, title: string, images: Array<string>, skus: Array<{ __typename: 'Sku', id: string, price: { __typename: 'Money', amount: number }, specs: Array<{ __typename: 'SpecValue', name: string, value: string }> }> } } };

export type BargainQueryVariables = Exact<{
  id: string | number;
}>;


export type BargainQuery = { bargain: { __typename: 'Bargain', id: string, status: BargainStatus, expiresAt: string, shareToken: string, startPrice: { __typename: 'Money', amount: number }, currentPrice: { __typename: 'Money', amount: number }, floorPrice: { __typename: 'Money', amount: number }, owner: { __typename: 'User', id: string, nickname: string }, product: { __typename: 'Product', id: string, title: string, images: Array<string> }, cuts: Array<{ __typename: 'BargainCut', amount: { __typename: 'Money', amount: number }, helper: { __typename: 'User', id: string, nickname: string } }> } | null };

export type StartBargainMutationVariables = Exact<{
  skuId: string | number;
}>;


export type StartBargainMutation = { startBargain: { __typename: 'BargainPayload', bargain: { __typename: 'Bargain', id: string, shareToken: string, currentPrice: { __typename: 'Money', amount: number } } | null, errors: Array<{ __typename: 'UserError', code: ErrorCode, field: Array<string> | null, message: string }> } };

export const ProductCardFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ProductCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Product"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"images"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"salesCount"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"groupBuy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tiers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<ProductCardFragment, unknown>;
export const AdjustmentFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Adjustment"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PriceAdjustment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<AdjustmentFragment, unknown>;
export const CartViewFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CartView"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Cart"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineCount"}},{"kind":"Field","name":{"kind":"Name","value":"selectedSubtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"selectedTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"shop"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"selectedTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"adjustments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Adjustment"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"selected"}},{"kind":"Field","name":{"kind":"Name","value":"stock"}},{"kind":"Field","name":{"kind":"Name","value":"availability"}},{"kind":"Field","name":{"kind":"Name","value":"priceWhenAdded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"images"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sku"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"specs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Adjustment"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PriceAdjustment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<CartViewFragment, unknown>;
export const AddressViewFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AddressView"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Address"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recipient"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"provinceName"}},{"kind":"Field","name":{"kind":"Name","value":"cityName"}},{"kind":"Field","name":{"kind":"Name","value":"districtName"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<AddressViewFragment, unknown>;
export const OrderDetailFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderDetail"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"discount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shippingFee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"adjustments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Adjustment"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shippingAddress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recipient"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"provinceName"}},{"kind":"Field","name":{"kind":"Name","value":"cityName"}},{"kind":"Field","name":{"kind":"Name","value":"districtName"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shipments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"carrier"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"shippedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineIndex"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"afterSales"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Adjustment"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PriceAdjustment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<OrderDetailFragment, unknown>;
export const AfterSaleRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AfterSaleRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AfterSale"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rejectReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"respondBy"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineIndex"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"orderLine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"buyer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<AfterSaleRowFragment, unknown>;
export const OrderSummaryFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OrderSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Order"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"payBy"}},{"kind":"Field","name":{"kind":"Name","value":"shop"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"images"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sku"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"specs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"team"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<OrderSummaryFragment, unknown>;
export const RenderedPageFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RenderedPage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ShopPage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"revisionId"}},{"kind":"Field","name":{"kind":"Name","value":"preview"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"document"}},{"kind":"Field","name":{"kind":"Name","value":"theme"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"background"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"accent"}},{"kind":"Field","name":{"kind":"Name","value":"button"}},{"kind":"Field","name":{"kind":"Name","value":"buttonText"}},{"kind":"Field","name":{"kind":"Name","value":"radius"}},{"kind":"Field","name":{"kind":"Name","value":"fontScale"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sections"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"settings"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"}},{"kind":"Field","name":{"kind":"Name","value":"data"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shop"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"logoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<RenderedPageFragment, unknown>;
export const EditablePageFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EditablePage"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Page"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"draftRevisionId"}},{"kind":"Field","name":{"kind":"Name","value":"publishedRevisionId"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"publishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<EditablePageFragment, unknown>;
export const ActivityItemFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ActivityItem"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Activity"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"verb"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"post"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"likeCount"}},{"kind":"Field","name":{"kind":"Name","value":"commentCount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"team"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"liveRoom"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<ActivityItemFragment, unknown>;
export const TeamViewFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TeamView"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Team"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"minSize"}},{"kind":"Field","name":{"kind":"Name","value":"maxSize"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"currentPrice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nextTier"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"leader"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"paid"}},{"kind":"Field","name":{"kind":"Name","value":"joinedAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"images"}},{"kind":"Field","name":{"kind":"Name","value":"skus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"specs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<TeamViewFragment, unknown>;
export const DevLoginDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:a51e16acec1b0e5418497b4be6975e9853e5f869d5a54c317dcc521de060237c"}} as unknown as DocumentNode<DevLoginMutation, DevLoginMutationVariables>;
export const RefreshTokenDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:6e109d1d97455578a36f39d6852f26e352da0117b31c84d3e8fa5fdb533ddefe"}} as unknown as DocumentNode<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const MeDocument = {"__meta__":{"operation":"query","documentId":"sha256:2a116d0615389cd080acaf91e17aedab7715bc5e902de1bae7d04d36d3d9fb95"}} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const ProductsDocument = {"__meta__":{"operation":"query","documentId":"sha256:df0b286dd07098286e605b8c2cc52b9d92cf229f800a9e47df5fe7277bdc4eba"}} as unknown as DocumentNode<ProductsQuery, ProductsQueryVariables>;
export const ProductPageDocument = {"__meta__":{"operation":"query","documentId":"sha256:f58b5aab262098665160e219b21647737bed10feceffcfe8778eb0488a2e6c47"}} as unknown as DocumentNode<ProductPageQuery, ProductPageQueryVariables>;
export const CreateShopDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:a76b1b1b9406273fbcf045ff63178f1315ff48d750dd9bda8afbbf0815179836"}} as unknown as DocumentNode<CreateShopMutation, CreateShopMutationVariables>;
export const CreateProductDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:39275b1c4fbfbe2bcff176a678078101041113175a951763080513c1bbfa7e0e"}} as unknown as DocumentNode<CreateProductMutation, CreateProductMutationVariables>;
export const CreateCouponDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:0f09119382911d04e945b1dae38f74f844e118d9758aa046731efd510b5cfe1a"}} as unknown as DocumentNode<CreateCouponMutation, CreateCouponMutationVariables>;
export const CreateShareLinkDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:b6994c8532114bcf14d4dd51217ffe640995d971e45294ee175beecfef9d7ce0"}} as unknown as DocumentNode<CreateShareLinkMutation, CreateShareLinkMutationVariables>;
export const CartDocument = {"__meta__":{"operation":"query","documentId":"sha256:d925442be942c873aea48cb92d82ae62c38bc9cfb516c578898e0c41aab8b672"}} as unknown as DocumentNode<CartQuery, CartQueryVariables>;
export const AddToCartDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:904fb7d6e2ed35f5410572df3b07328fd2ce39bdd08a8b005ffe44f794d4a357"}} as unknown as DocumentNode<AddToCartMutation, AddToCartMutationVariables>;
export const UpdateCartLineDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:d2423383e815aa57274b053b5c379edef13a12250d8f2b62f3e1aff95a1c589b"}} as unknown as DocumentNode<UpdateCartLineMutation, UpdateCartLineMutationVariables>;
export const RemoveCartLinesDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:47970fb9e9a9747b152982d267272377dafc59a752e35baba9af6814100edb11"}} as unknown as DocumentNode<RemoveCartLinesMutation, RemoveCartLinesMutationVariables>;
export const SelectCartLinesDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:4184cbba80bacae04ab73af70062ad6932c28ec6b0396319e3dee684926df7b9"}} as unknown as DocumentNode<SelectCartLinesMutation, SelectCartLinesMutationVariables>;
export const MyAddressesDocument = {"__meta__":{"operation":"query","documentId":"sha256:680370b75c8fb020e419acb7312fdd146ddc30e0e1f686a3b81618f38d570381"}} as unknown as DocumentNode<MyAddressesQuery, MyAddressesQueryVariables>;
export const CreateAddressDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:082b1c87b097efeb7701f8bd7969cc8744ff133a48c29300658549c669cec2c8"}} as unknown as DocumentNode<CreateAddressMutation, CreateAddressMutationVariables>;
export const CheckoutPreviewDocument = {"__meta__":{"operation":"query","documentId":"sha256:31835336d457eccfe000542265da63793a7ce7f3296221b370213949732317db"}} as unknown as DocumentNode<CheckoutPreviewQuery, CheckoutPreviewQueryVariables>;
export const CheckoutDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:a07b9df19e267c85e7ed21de151a7a2d1c0b598dd8d1f5b21e248fb91dc96bc6"}} as unknown as DocumentNode<CheckoutMutation, CheckoutMutationVariables>;
export const PayCheckoutDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:a4511deaf161c6cde6aa9d0fe116df60c1c0e0b7580017daf108af82855bd07f"}} as unknown as DocumentNode<PayCheckoutMutation, PayCheckoutMutationVariables>;
export const OrderDetailDocument = {"__meta__":{"operation":"query","documentId":"sha256:e063e2f17c80d77058b5976d29ecf0b0ea296ef8fe1278179da3f6cdd262f299"}} as unknown as DocumentNode<OrderDetailQuery, OrderDetailQueryVariables>;
export const RequestAfterSaleDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:1e73281c609c0f4d5df2929de2a83c833769d74746d5f69eda474b9432ac1571"}} as unknown as DocumentNode<RequestAfterSaleMutation, RequestAfterSaleMutationVariables>;
export const CheckoutWalletDocument = {"__meta__":{"operation":"query","documentId":"sha256:5ea2594a45015be45f5916de890e2866ce897b5fdca981f988914af76ff177f2"}} as unknown as DocumentNode<CheckoutWalletQuery, CheckoutWalletQueryVariables>;
export const ClaimCouponDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:fda84006262adc014813a4338d8affbf83625f0f50d49bdc3f3b2ddbeaec5055"}} as unknown as DocumentNode<ClaimCouponMutation, ClaimCouponMutationVariables>;
export const ShopOrdersDocument = {"__meta__":{"operation":"query","documentId":"sha256:a87a95840f186947ade474b3917bbdc85754686bdcb39057149e7775dd55db16"}} as unknown as DocumentNode<ShopOrdersQuery, ShopOrdersQueryVariables>;
export const CarriersDocument = {"__meta__":{"operation":"query","documentId":"sha256:45f0bbc89cf038d80cbc90c1ea5814b8e9b75cc3618a811a57017bc3f7e4d333"}} as unknown as DocumentNode<CarriersQuery, CarriersQueryVariables>;
export const ShipOrderPackagesDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:624e534018fb5d26d42380790557ac08b528f23f574e6dc2fdab72154b0d838f"}} as unknown as DocumentNode<ShipOrderPackagesMutation, ShipOrderPackagesMutationVariables>;
export const ShopAfterSalesDocument = {"__meta__":{"operation":"query","documentId":"sha256:666403ad091f8228eb0537022059e92dfe35f228f752a8a14612e72b5d7709b4"}} as unknown as DocumentNode<ShopAfterSalesQuery, ShopAfterSalesQueryVariables>;
export const ApproveAfterSaleDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:270086431d8b744d3fa45e05284b6e79e05cd142863bf6c085aba4feb8fc8aa0"}} as unknown as DocumentNode<ApproveAfterSaleMutation, ApproveAfterSaleMutationVariables>;
export const RejectAfterSaleDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:68f3c0dbe5941c0f94ce11b0dfe557f1998fc75657d508bf0e90d58be1b4326e"}} as unknown as DocumentNode<RejectAfterSaleMutation, RejectAfterSaleMutationVariables>;
export const ShopDashboardDocument = {"__meta__":{"operation":"query","documentId":"sha256:eb62e46ef54e4c52f46d344e627d2c76be133a8c87a5852fe1c717154a34bf84"}} as unknown as DocumentNode<ShopDashboardQuery, ShopDashboardQueryVariables>;
export const MyOrdersDocument = {"__meta__":{"operation":"query","documentId":"sha256:2fda28e6e6e55caf597ec288a6211b126ba5226af7fd88475ebd7c85b4fe7a6d"}} as unknown as DocumentNode<MyOrdersQuery, MyOrdersQueryVariables>;
export const OrderDocument = {"__meta__":{"operation":"query","documentId":"sha256:9a3e7ea8b9b3f3b22eaeb3dd42bc393b017672dc3940a92964575779b00b3839"}} as unknown as DocumentNode<OrderQuery, OrderQueryVariables>;
export const PlaceOrderDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:2d10e63078d9d4b68b4ab1250e69cf39348b6d1cfc52e742e5b314f4cd640435"}} as unknown as DocumentNode<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const PayOrderDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:96cdda83510b5f5037a6324a4ad333c2704838e007a8ba9109482e76f4aae5f9"}} as unknown as DocumentNode<PayOrderMutation, PayOrderMutationVariables>;
export const ShipOrderDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:06239f790549ffa0aa8e61e839a53c7db0e7d05e4c810838895e3b38bc49cb80"}} as unknown as DocumentNode<ShipOrderMutation, ShipOrderMutationVariables>;
export const OrderStatusDocument = {"__meta__":{"operation":"subscription","documentId":"sha256:2e6489f5a23ed4c11e67475e0257c96773133dd1f2ffe4ca17bc7d1e50d5669b"}} as unknown as DocumentNode<OrderStatusSubscription, OrderStatusSubscriptionVariables>;
export const PublishedPageDocument = {"__meta__":{"operation":"query","documentId":"sha256:236103bd82caa8241c39a7b528ae832388fdbecb117648944da8e64fcf0de496"}} as unknown as DocumentNode<PublishedPageQuery, PublishedPageQueryVariables>;
export const PagePreviewDocument = {"__meta__":{"operation":"query","documentId":"sha256:9fe1efae0bf8e0492b562ec22d710907dde534b1b01e234d1b711000c11907a3"}} as unknown as DocumentNode<PagePreviewQuery, PagePreviewQueryVariables>;
export const ShopPagesDocument = {"__meta__":{"operation":"query","documentId":"sha256:d294b83179e863e3121d46acd9faab229f5b73bd2f55f965b9d33e5d09aaf8b1"}} as unknown as DocumentNode<ShopPagesQuery, ShopPagesQueryVariables>;
export const PageDraftsDocument = {"__meta__":{"operation":"query","documentId":"sha256:1259c1ae82c04c5cc203751e3614925ea0e42652f76383b9662a223cf37aeab6"}} as unknown as DocumentNode<PageDraftsQuery, PageDraftsQueryVariables>;
export const PageComponentsDocument = {"__meta__":{"operation":"query","documentId":"sha256:fb0ae6837befa6e5aec1448551463e2e4cef218683718eefa36411f30827aea9"}} as unknown as DocumentNode<PageComponentsQuery, PageComponentsQueryVariables>;
export const SavePageDraftDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:b9d59386f5590b411b34b9378761a0b29b79e8ff3575754e044e2014f2ff8d57"}} as unknown as DocumentNode<SavePageDraftMutation, SavePageDraftMutationVariables>;
export const PublishPageDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:f6e118ef121af38b6eda4b661ae04788736ec36d80c056bbd7fe523ba875588c"}} as unknown as DocumentNode<PublishPageMutation, PublishPageMutationVariables>;
export const CreatePagePreviewDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:2a195870f8174d572966f2b4f87f676e9337981d4725a92f03867ca06b1689ab"}} as unknown as DocumentNode<CreatePagePreviewMutation, CreatePagePreviewMutationVariables>;
export const PageTemplatesDocument = {"__meta__":{"operation":"query","documentId":"sha256:d4bb4f03724958acd6d87338f39b1f8d2928ee1fe1517abe34c89a24e3545d7a"}} as unknown as DocumentNode<PageTemplatesQuery, PageTemplatesQueryVariables>;
export const ApplyTemplateDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:1ff265fa8a8cc699ffad9ed39537fc11329aba303aaf0eafc2944c51590482b4"}} as unknown as DocumentNode<ApplyTemplateMutation, ApplyTemplateMutationVariables>;
export const FollowShopOwnerDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:79fa1f3fb4bcbec1db857fa777634d0e54228950f29bb63dcedaa18b375ec87e"}} as unknown as DocumentNode<FollowShopOwnerMutation, FollowShopOwnerMutationVariables>;
export const FeedDocument = {"__meta__":{"operation":"query","documentId":"sha256:af2a3fd0a9afd955c6b64059e64c20f7d1694f658fcdc192900ab6986c7de2db"}} as unknown as DocumentNode<FeedQuery, FeedQueryVariables>;
export const FeedUpdatesDocument = {"__meta__":{"operation":"subscription","documentId":"sha256:d77710ccf362de4321c256254aa8ee234093319f2c698f6bc90413584614e496"}} as unknown as DocumentNode<FeedUpdatesSubscription, FeedUpdatesSubscriptionVariables>;
export const PostDocument = {"__meta__":{"operation":"query","documentId":"sha256:2e143d4672ee342e72fb4be3d8566f9c2236137f27e60a5bd23826c63af866af"}} as unknown as DocumentNode<PostQuery, PostQueryVariables>;
export const CreatePostDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:c5551718be71bbc12eae5e87952688c2b5e9be32f1ef76f045993217f49d83b7"}} as unknown as DocumentNode<CreatePostMutation, CreatePostMutationVariables>;
export const LikePostDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:35d657b07e51c54e46080604a49f8206f4ec36390a1e61460608637c8e1a24d5"}} as unknown as DocumentNode<LikePostMutation, LikePostMutationVariables>;
export const LiveRoomsDocument = {"__meta__":{"operation":"query","documentId":"sha256:0eb03f73f2b86ee7a1e2c04dba78e30e8341c3d4274609aa27e557502ea3c960"}} as unknown as DocumentNode<LiveRoomsQuery, LiveRoomsQueryVariables>;
export const LiveRoomDocument = {"__meta__":{"operation":"query","documentId":"sha256:482b10568f52eebcea0e920c43b161d105f032a2dc361488a4494441a90181fd"}} as unknown as DocumentNode<LiveRoomQuery, LiveRoomQueryVariables>;
export const CreateLiveRoomDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:03cac8c8fa38e73e957ae34b100f8a32db94eafa473c29381c517c5b0d76822f"}} as unknown as DocumentNode<CreateLiveRoomMutation, CreateLiveRoomMutationVariables>;
export const StartLiveDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:1b495cd1be432b8651db64a362cc75a1c8f76f68ae24f579f537aaa54ab31bb5"}} as unknown as DocumentNode<StartLiveMutation, StartLiveMutationVariables>;
export const SendLiveCommentDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:b263b72d53d5cdd0b3c4e55564524da129e81c9a39562fab3d1620cadd3807cf"}} as unknown as DocumentNode<SendLiveCommentMutation, SendLiveCommentMutationVariables>;
export const LikeLiveDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:851d6dd3ecbdccb2ab7570bf7b42f88d944ef413056e5d1cc3f2a67e81fab0d9"}} as unknown as DocumentNode<LikeLiveMutation, LikeLiveMutationVariables>;
export const LiveCommentsDocument = {"__meta__":{"operation":"subscription","documentId":"sha256:c778f9e5a30dccb2bcd9b008d2c7c61a1550ff3dc098aa7ad28d77f4d7fcb62d"}} as unknown as DocumentNode<LiveCommentsSubscription, LiveCommentsSubscriptionVariables>;
export const LiveRoomEventsDocument = {"__meta__":{"operation":"subscription","documentId":"sha256:99d295713b309fc09b0ce7c4c079371a878788bd642cccdf2cd7f10f7e497342"}} as unknown as DocumentNode<LiveRoomEventsSubscription, LiveRoomEventsSubscriptionVariables>;
export const TeamDocument = {"__meta__":{"operation":"query","documentId":"sha256:17e0fa3dc7998b274ea8c4adf1115a773ef4d31fa21d86d2392fd8656820b48e"}} as unknown as DocumentNode<TeamQuery, TeamQueryVariables>;
export const StartTeamDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:cbe3f7cb0031ed642c3d0dfef6f6df5a10aa4f7c33972af74718ab4bb92708b0"}} as unknown as DocumentNode<StartTeamMutation, StartTeamMutationVariables>;
export const JoinTeamDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:b9eaeafb1a538fa4098e3829f4e7bdd540efb01de07fff271741c9f68dc1521b"}} as unknown as DocumentNode<JoinTeamMutation, JoinTeamMutationVariables>;
export const TeamProgressDocument = {"__meta__":{"operation":"subscription","documentId":"sha256:f37ddb1598c608a1f59d091f98248ddebc907cc5cf6421f6bcd2a1e30e472d85"}} as unknown as DocumentNode<TeamProgressSubscription, TeamProgressSubscriptionVariables>;
export const BargainDocument = {"__meta__":{"operation":"query","documentId":"sha256:9c8fc26857e4942aef479d17b2a4d153d984610d85c03750b128f4a2445c0749"}} as unknown as DocumentNode<BargainQuery, BargainQueryVariables>;
export const StartBargainDocument = {"__meta__":{"operation":"mutation","documentId":"sha256:aa7d10971f4ec64e2dc8a865cf4f6e72458eab9662fef2a1156f167135a2633b"}} as unknown as DocumentNode<StartBargainMutation, StartBargainMutationVariables>;