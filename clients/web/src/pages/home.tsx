import { ProductsDocument, ShopHomePageDocument } from '@youxianggou/sdk';
import { useEffect } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '../api';
import { PageSections } from '../sections/Sections';
import type { SectionView } from '../sections/types';
import { ErrorState, Loading, Page, SearchBox } from '../ui';
import { ProductGrid } from './shop';

// The home: a shop's published HOME page (the shop builder's JSON, section by section), or its best sellers when
// it has published none. `/shop/:id` is a shop's home; `/` is the home of the shop this browser last opened
// (or `/?shop=ID`), and the whole catalogue's best sellers before it opened any.
const SHOP_KEY = 'yxg.shop';

function BestSellers({ shopId }: { shopId?: string }) {
  const { data, error, loading, reload } = useQuery(ProductsDocument, { first: 20, sort: 'BEST_SELLING', shopId: shopId ?? null });
  if (error) return <ErrorState error={error} retry={reload} />;
  if (loading && !data) return <Loading />;
  return <ProductGrid products={data?.products.edges.map((e) => e.node) ?? []} />;
}

function ShopHome({ shopId }: { shopId: string }) {
  const { data, error, loading, reload } = useQuery(ShopHomePageDocument, { shopId });
  if (error) return <Page title="店铺首页"><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !data) return <Page title="店铺首页"><Loading /></Page>;
  const page = data?.shopPage;
  if (!page) {
    return (
      <Page title="店铺首页">
        <SearchBox />
        <BestSellers shopId={shopId} />
      </Page>
    );
  }
  const nav = (page.document as { navigationBar?: { title?: string } }).navigationBar;
  return (
    <Page title={nav?.title || page.shop.name}>
      <PageSections sections={page.sections as SectionView[]} shopId={shopId} theme={page.theme} />
      <p className="pad muted"><Link to="/search">查看全部商品 ›</Link></p>
    </Page>
  );
}

export function ShopHomeRoute() {
  const { id = '' } = useParams();
  useEffect(() => localStorage.setItem(SHOP_KEY, id), [id]);
  return <ShopHome shopId={id} />;
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
