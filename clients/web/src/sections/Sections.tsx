import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { ClaimCouponDocument, FollowShopOwnerDocument } from '@youxianggou/sdk';
import { Link, useNavigate } from 'react-router-dom';
import { client, signedIn } from '../api';
import { Img, Price, SearchBox, yuan } from '../ui';
import { h5Link } from './links';
import { safeHtml } from './richText';
import type { PageCouponItem, PageProductItem, PageTheme, SectionView } from './types';

// One component per section type of the shop builder (README "Components"), drawn from the document's settings
// and blocks and the server's resolved `data`. The H5 home and the console's preview both draw pages with these.
// `preview` (the console) also shows what a shopper would not see: empty sections and references that died.

interface Props {
  section: SectionView;
  shopId: string;
  ownerId?: string;
  preview: boolean;
}

const REASONS: Record<string, string> = {
  NOT_FOUND: '已删除',
  OFFER_ENDED: '活动已结束',
  EXPIRED: '已过期',
  SOLD_OUT: '已领完',
  ENDED: '已结束',
  NOTHING_TO_SHOW: '暂无内容',
};

function reasonText(reason: string | null | undefined): string {
  return reason ? REASONS[reason] ?? reason : '';
}

function Linked({ link, shopId, className, children, label }: { link?: string; shopId: string; className?: string; children: ReactNode; label?: string }) {
  const target = h5Link(link, shopId);
  if (target && 'to' in target) return <Link to={target.to} className={className} aria-label={label}>{children}</Link>;
  if (target) return <a href={target.external} className={className} rel="noopener noreferrer" target="_blank" aria-label={label}>{children}</a>;
  return <div className={className} aria-label={label}>{children}</div>;
}

function Title({ text }: { text?: string }) {
  return text ? <h3 className="section-title">{text}</h3> : null;
}

function Empty({ preview, text = '暂无内容' }: { preview: boolean; text?: string }) {
  return preview ? <div className="muted section-empty">{text}</div> : null;
}

function SearchBar({ section }: Props) {
  const { placeholder, sticky, shape } = section.settings;
  return (
    <div className={`section-search${sticky ? ' sticky' : ''}${shape === 'SQUARE' ? ' square' : ''}`}>
      <SearchBox placeholder={placeholder || '搜索商品'} />
      {section.blocks.length > 0 && (
        <div className="chips">
          {section.blocks.map((b) => (
            <Link key={b.id} className="chip" to={`/search?q=${encodeURIComponent(b.settings.text ?? '')}`}>{b.settings.text}</Link>
          ))}
        </div>
      )}
    </div>
  );
}

function NoticeBar({ section, shopId }: Props) {
  const speed = { SLOW: 16, NORMAL: 10, FAST: 6 }[section.settings.speed as string] ?? 10;
  return (
    <div className="notice-bar" style={{ background: section.settings.background }} role="marquee">
      <span className="tag">公告</span>
      <div className="notice-window"><div className="notice-track" style={{ animationDuration: `${speed * Math.max(1, section.blocks.length)}s` }}>
        {section.blocks.map((b) => (
          <Linked key={b.id} link={b.settings.link} shopId={shopId} className="notice">{b.settings.text}</Linked>
        ))}
      </div></div>
    </div>
  );
}

function Picture({ src, alt, caption }: { src?: string; alt: string; caption?: boolean }) {
  return (
    <div className="picture">
      <Img src={src} alt={alt} />
      {caption && alt && <span className="caption">{alt}</span>}
    </div>
  );
}

function BannerCarousel({ section, shopId }: Props) {
  const { autoplayMs = 4000, height = 360, indicator = 'DOTS' } = section.settings;
  const slides = section.blocks;
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (slides.length < 2) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % slides.length), autoplayMs);
    return () => clearInterval(timer);
  }, [slides.length, autoplayMs]);
  const current = slides[index % Math.max(1, slides.length)];
  if (!current) return null;
  // rpx: 750 to the phone's width
  return (
    <div className="banner" style={{ aspectRatio: `750 / ${height}` }} aria-roledescription="轮播图">
      <Linked link={current.settings.link} shopId={shopId} className="banner-slide" label={current.settings.alt || '轮播图'}>
        <Picture src={current.settings.image} alt={current.settings.alt || '轮播图'} caption />
      </Linked>
      {indicator === 'DOTS' && slides.length > 1 && (
        <div className="dots">{slides.map((s, i) => <span key={s.id} className={i === index ? 'on' : ''} />)}</div>
      )}
      {indicator === 'NUMBER' && <span className="counter">{index + 1}/{slides.length}</span>}
    </div>
  );
}

function ImageHotspot({ section, shopId }: Props) {
  return (
    <div className="hotspot">
      <Picture src={section.settings.image} alt={section.settings.alt || '热区图'} />
      {section.blocks.map((b) => (
        <Linked key={b.id} link={b.settings.link} shopId={shopId} className="spot" label={b.settings.link}>
          <span style={{ left: `${b.settings.x}%`, top: `${b.settings.y}%`, width: `${b.settings.width}%`, height: `${b.settings.height}%` }} />
        </Linked>
      ))}
    </div>
  );
}

function NavGrid({ section, shopId }: Props) {
  return (
    <ul className="nav-grid" style={{ gridTemplateColumns: `repeat(${section.settings.columns ?? 4}, 1fr)` }}>
      {section.blocks.map((b) => (
        <li key={b.id}>
          <Linked link={b.settings.link} shopId={shopId} className="nav-item">
            <Img src={b.settings.icon} alt={b.settings.label ?? ''} size={40} />
            <span>{b.settings.label}</span>
          </Linked>
        </li>
      ))}
    </ul>
  );
}

function RichText({ section }: Props) {
  return <div className="rich-text" style={{ padding: section.settings.padding ?? 12 }} dangerouslySetInnerHTML={{ __html: safeHtml(section.settings.html ?? '') }} />;
}

function Video({ section }: Props) {
  const { url, poster, autoplay, muted } = section.settings;
  const local = typeof url === 'string' && url.startsWith('/media/');
  if (!local) return <Picture src={poster} alt="视频" caption />;
  return <video className="video" src={url} poster={poster?.startsWith('/media/') ? poster : undefined} autoPlay={autoplay} muted={muted} controls playsInline />;
}

function Spacer({ section }: Props) {
  const { height = 16, divider, colour } = section.settings;
  return <div style={{ height, display: 'flex', alignItems: 'center' }}>{divider && <hr className="divider" style={{ borderColor: colour }} />}</div>;
}

function Badges({ item }: { item: PageProductItem }) {
  return (
    <>
      {item.badges?.map((b) => (
        <span key={b.kind} className="tag">{b.kind === 'GROUP_BUY' ? `${b.teamSize}人团 ${yuan(b.price)}` : `砍价低至 ${yuan(b.price)}`}</span>
      ))}
    </>
  );
}

function ProductItems({ section, preview }: Props) {
  const { title, columns = 2, showPrice = true } = section.settings;
  const items = (section.data?.products ?? []).filter((p) => preview || p.available);
  if (!items.length && !preview) return null;
  return (
    <section className="page-section">
      <Title text={title} />
      {!section.data ? <Empty preview={preview} text="保存后显示商品" /> : !items.length ? <Empty preview={preview} /> : (
        <ul className="grid" style={{ gridTemplateColumns: `repeat(${columns}, 1fr)` }}>
          {items.map((p, i) => {
            const card = (
              <>
                <Img src={p.image} alt={p.title ?? '商品'} />
                <div className="title">{p.title ?? reasonText(p.reason)}</div>
                <div className="row">
                  {showPrice && <Price fen={p.price} />}
                  {!p.available && <span className="muted">{reasonText(p.reason)}</span>}
                  <Badges item={p} />
                </div>
              </>
            );
            return (
              <li key={p.id ?? p.ref ?? i} className={p.available ? undefined : 'unavailable'}>
                {p.id ? <Link to={`/product/${encodeURIComponent(p.id)}`} className="card">{card}</Link> : <div className="card">{card}</div>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function ClaimButton({ coupon, preview }: { coupon: PageCouponItem; preview: boolean }) {
  const navigate = useNavigate();
  const [state, setState] = useState<'idle' | 'busy' | 'claimed' | string>(coupon.claimed ? 'claimed' : 'idle');
  if (state === 'claimed') return <span className="muted">已领取</span>;
  if (!coupon.claimable) return null;
  async function claim() {
    if (!signedIn()) return navigate(`/me?next=${encodeURIComponent(location.pathname)}`);
    setState('busy');
    const r = await client.mutate(ClaimCouponDocument, { input: { couponId: coupon.id! } });
    setState(r.ok && !r.userErrors.length ? 'claimed' : r.ok ? r.userErrors[0].message : r.error.message);
  }
  return (
    <>
      <button type="button" className="claim" disabled={preview || state === 'busy'} onClick={claim}>领取</button>
      {state !== 'idle' && state !== 'busy' && <span role="alert" className="muted">{state}</span>}
    </>
  );
}

function Coupon({ coupon, preview }: { coupon: PageCouponItem; preview: boolean }) {
  return (
    <li className={coupon.available ? 'coupon' : 'coupon unavailable'} data-testid="page-coupon">
      <strong>{yuan(coupon.discount)}</strong>
      <span>{coupon.minSpend ? `满${yuan(coupon.minSpend)}可用` : '无门槛'}</span>
      <span className="muted">{coupon.available ? coupon.title : reasonText(coupon.reason)}</span>
      {coupon.available && coupon.id && <ClaimButton coupon={coupon} preview={preview} />}
    </li>
  );
}

function CouponStrip({ section, preview }: Props) {
  const coupons = (section.data?.coupons ?? []).filter((c) => preview || c.available);
  if (!coupons.length && !preview) return null;
  return (
    <section className="page-section">
      <Title text={section.settings.title} />
      {coupons.length ? <ul className="coupons">{coupons.map((c, i) => <Coupon key={c.id ?? c.ref ?? i} coupon={c} preview={preview} />)}</ul> : <Empty preview={preview} text={section.data ? '暂无可领的券' : '保存后显示优惠券'} />}
    </section>
  );
}

function LiveRoomCard({ section, preview }: Props) {
  const room = section.data?.liveRoom;
  if (!room?.available || !room.id) return preview ? <section className="page-section"><Title text={section.settings.title} /><Empty preview text={room ? '暂无直播间' : '保存后显示直播间'} /></section> : null;
  return (
    <section className="page-section">
      <Title text={section.settings.title} />
      <Link to={`/live/${encodeURIComponent(room.id)}`} className="live-card">
        <span className="tag">{room.status === 'LIVE' ? '直播中' : room.status === 'SCHEDULED' ? '未开播' : '已结束'}</span>
        <strong>{room.title}</strong>
        <span className="muted">{room.viewerCount ?? 0} 人在看</span>
      </Link>
    </section>
  );
}

function NotesWaterfall({ section, preview }: Props) {
  const notes = section.data?.notes ?? [];
  if (!notes.length && !preview) return null;
  return (
    <section className="page-section">
      <Title text={section.settings.title} />
      {!notes.length ? <Empty preview={preview} text={section.data ? '暂无笔记' : '保存后显示笔记'} /> : (
        <ul className="grid">
          {notes.map((n) => (
            <li key={n.id}>
              <Link to={`/post/${encodeURIComponent(n.id)}`} className="card">
                <Img src={n.image} alt={n.title} />
                <div className="title">{n.title}</div>
                <div className="row muted">{n.author.nickname} · ♥ {n.likeCount}</div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ShopInfo({ section, preview }: Props) {
  const shop = section.data?.shop;
  if (!shop) return <Empty preview={preview} text="保存后显示店铺信息" />;
  return (
    <section className="page-section shop-info">
      {section.settings.showLogo !== false && <Img src={shop.logoUrl} alt={shop.name} size={48} />}
      <div>
        <strong>{shop.name}</strong>
        <div className="muted">{shop.followerCount} 人关注</div>
      </div>
    </section>
  );
}

function FollowShop({ section, ownerId, preview }: Props) {
  const shop = section.data?.shop;
  const navigate = useNavigate();
  const [follows, setFollows] = useState<{ count: number; on: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!shop) return <section className="page-section follow-shop"><span>{section.settings.text}</span><Empty preview={preview} text="保存后显示关注数" /></section>;
  const { count, on } = follows ?? { count: shop.followerCount, on: shop.viewerFollows };
  async function follow() {
    if (!signedIn()) return navigate(`/me?next=${encodeURIComponent(location.pathname)}`);
    const r = await client.mutate(FollowShopOwnerDocument, { input: { userId: ownerId! } });
    const user = r.ok ? r.data.follow.user : null;
    if (user) setFollows({ count: user.followerCount, on: user.viewerFollows });
    setError(r.ok ? r.userErrors[0]?.message ?? null : r.error.message);
  }
  return (
    <section className="page-section follow-shop">
      <span>{section.settings.text}</span>
      <span className="muted">{count} 人关注</span>
      {on ? <span className="muted">已关注</span> : <button type="button" className="primary" disabled={preview || !ownerId} onClick={follow}>{section.settings.buttonText || '关注'}</button>}
      {error && <span role="alert" className="muted">{error}</span>}
    </section>
  );
}

function FloatingPromotion({ section, preview }: Props) {
  const campaign = section.data?.campaign;
  const target = campaign?.product?.id ? `/product/${encodeURIComponent(campaign.product.id)}` : campaign?.liveRoom?.id ? `/live/${encodeURIComponent(campaign.liveRoom.id)}` : null;
  if (!campaign?.available && !preview) return null;
  const position = String(section.settings.position ?? 'BOTTOM_RIGHT').toLowerCase().replace('_', '-');
  const label = section.settings.text || '活动';
  return (
    <div className={`floating ${position}${campaign?.available ? '' : ' unavailable'}`}>
      {target ? <Link to={target}>{label}</Link> : <span>{label}</span>}
    </div>
  );
}

function TabBarSection({ section, preview }: Props) {
  // The H5 has its own tab bar (ui.tsx); the page's is the mini-program's, shown in the console's preview only.
  if (!preview) return null;
  return <nav className="page-tabs" aria-label="底部导航（小程序）">{section.blocks.map((b) => <span key={b.id}>{b.settings.label}</span>)}</nav>;
}

const SECTIONS: Record<string, (props: Props) => ReactNode> = {
  search_bar: SearchBar,
  notice_bar: NoticeBar,
  banner_carousel: BannerCarousel,
  image_hotspot: ImageHotspot,
  nav_grid: NavGrid,
  rich_text: RichText,
  video: Video,
  spacer: Spacer,
  product_grid: ProductItems,
  smart_product_list: ProductItems,
  group_buy_zone: ProductItems,
  bargain_zone: ProductItems,
  coupon_strip: CouponStrip,
  live_room_card: LiveRoomCard,
  notes_waterfall: NotesWaterfall,
  shop_info: ShopInfo,
  follow_shop: FollowShop,
  floating_promotion: FloatingPromotion,
  tab_bar: TabBarSection,
};

function themeStyle(theme: PageTheme | null | undefined): CSSProperties | undefined {
  if (!theme) return undefined;
  return {
    '--page-bg': theme.background,
    '--page-text': theme.text,
    '--page-accent': theme.accent,
    '--page-button': theme.button,
    '--page-button-text': theme.buttonText,
    '--page-radius': `${theme.radius}px`,
    fontSize: `${theme.fontScale}em`,
  } as CSSProperties;
}

/** A page's sections in order, in the shop's theme. Unknown types (a newer server's) are skipped. */
export function PageSections({ sections, shopId, ownerId, theme, preview = false }: { sections: readonly SectionView[]; shopId: string; ownerId?: string; theme?: PageTheme | null; preview?: boolean }) {
  return (
    <div className="shop-page" style={themeStyle(theme)} data-testid="shop-page">
      {sections.map((section) => {
        const Section = SECTIONS[section.type];
        return Section ? <div key={section.id} data-section={section.type}><Section section={section} shopId={shopId} ownerId={ownerId} preview={preview} /></div> : null;
      })}
    </div>
  );
}
