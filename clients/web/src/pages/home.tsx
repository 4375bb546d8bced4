import { ProductsDocument, PublishedPageDocument, type PageKind } from '@youxianggou/sdk';
import { useEffect, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '../api';
import { PageSections } from '../sections/Sections';
import type { SectionView } from '../sections/types';
import { ErrorState, Loading, Page, SearchBox } from '../ui';
import { ProductGrid } from './shop';

// A shop's published pages, drawn from the shop builder's JSON section by section. `/shop/:id` is a shop's home
// (its HOME page, or its best sellers when it has published none); `/shop/:id/p/:slug` a landing page. `/` is the
// home of the shop this browser last opened (or `/?shop=ID`), and the whole catalogue's best sellers before any.
const SHOP_KEY = 'yxg.shop';

function BestSellers({ shopId }: { shopId?: string }) {
  const { data, error, loading, reload } = useQuery(ProductsDocument, { first: 20, sort: 'BEST_SELLING', shopId: shopId ?? null });
  if (error) return <ErrorState error={error} retry={reload} />;
  if (loading && !data) return <Loading />;
  return <ProductGrid products={data?.products.edges.map((e) => e.node) ?? []} />;
}

function PublishedPage({ shopId, kind, slug = null, title, unpublished }: { shopId: string; kind: PageKind; slug?: string | null; title: string; unpublished: ReactNode }) {
  const { data, error, loading, reload } = useQuery(PublishedPageDocument, { shopId, kind, slug });
  if (error) return <Page title={title}><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !data) return <Page title={title}><Loading /></Page>;
  const page = data?.shopPage;
  if (!page) return <Page title={title}>{unpublished}</Page>;
  const nav = (page.document as { navigationBar?: { title?: string } }).navigationBar;
  return (
    <Page title={nav?.title || page.shop.name} back={kind !== 'HOME'}>
      <PageSections sections={page.sections as SectionView[]} shopId={shopId} ownerId={page.shop.owner.id} theme={page.theme} />
      <p className="pad muted"><Link to="/search">查看全部商品 ›</Link></p>
    </Page>
  );
}

function ShopHome({ shopId }: { shopId: string }) {
  const fallback = (
    <>
      <SearchBox />
      <BestSellers shopId={shopId} />
    </>
  );
  return <PublishedPage shopId={shopId} kind="HOME" title="店铺首页" unpublished={fallback} />;
}

export function ShopHomeRoute() {
  const { id = '' } = useParams();
  useEffect(() => localStorage.setItem(SHOP_KEY, id), [id]);
  return <ShopHome shopId={id} />;
}

export function LandingRoute() {
  const { id = '', slug = '' } = useParams();
  return <PublishedPage shopId={id} kind="LANDING" slug={slug} title="活动" unpublished={<ErrorState error="活动页不存在或尚未发布" />} />;
}

export function Home() {
  const [params] = useSearchParams();
  const named = params.get('shop');
  useEffect(() => void (named && localStorage.setItem(SHOP_KEY, named)), [named]);
  const shopId = named ?? localStorage.getItem(SHOP_KEY);
  if (shopId) return <ShopHome shopId={shopId} />;
  return (
    <Page title="友享购">
      <SearchBox />
      <BestSellers />
    </Page>
  );
}
