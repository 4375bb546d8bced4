import { AddToCartDocument, CreateShareLinkDocument, PlaceOrderDocument, ProductPageDocument, ProductsDocument, StartBargainDocument, StartTeamDocument, type ProductCardFragment, type UserError } from '@youxianggou/sdk';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { client, idempotencyKey, signedIn, useQuery } from '../api';
import { ErrorState, Img, Loading, Page, Price, SearchBox, UserErrors } from '../ui';

export function ProductGrid({ products }: { products: readonly ProductCardFragment[] }) {
  if (!products.length) return <div className="state">暂无商品</div>;
  return (
    <ul className="grid">
      {products.map((p) => (
        <li key={p.id}>
          <Link to={`/product/${encodeURIComponent(p.id)}`} className="card">
            <Img src={p.images[0]} alt={p.title} />
            <div className="title">{p.title}</div>
            <div className="row">
              <Price fen={p.price.amount} />
              {p.groupBuy && <span className="tag">拼团 {p.groupBuy.tiers[0]?.size}人</span>}
              <span className="muted">已售 {p.salesCount}</span>
            </div>
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function Search() {
  const [params] = useSearchParams();
  const q = params.get('q') ?? '';
  const { data, error, loading, reload } = useQuery(ProductsDocument, { first: 20, query: q || null, sort: 'RELEVANCE' });
  return (
    <Page title="搜索" back>
      <SearchBox initial={q} />
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : <ProductGrid products={data?.products.edges.map((e) => e.node) ?? []} />}
    </Page>
  );
}

export function Product() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { data, error, loading, reload } = useQuery(ProductPageDocument, { id });
  const [skuIndex, setSkuIndex] = useState(0);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [busy, setBusy] = useState(false);
  const [share, setShare] = useState<string | null>(null);
  const [added, setAdded] = useState(false);
  if (error) return <Page title="商品" back><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !data) return <Page title="商品" back><Loading /></Page>;
  const product = data?.product;
  if (!product) return <Page title="商品" back><ErrorState error="商品不存在或已下架" /></Page>;
  const sku = product.skus[skuIndex] ?? product.skus[0];

  async function act(run: () => Promise<{ ok: boolean; userErrors: readonly UserError[]; error?: { message: string } } & Record<string, any>>, next: (r: any) => string | null) {
    if (!signedIn()) return navigate(`/me?next=${encodeURIComponent(location.pathname)}`);
    setBusy(true);
    const result = await run();
    setBusy(false);
    if (!result.ok) return setErrors([{ code: 'REQUEST', message: result.error?.message ?? '请求失败' }]);
    setErrors(result.userErrors);
    const to = result.userErrors.length ? null : next(result.data);
    if (to) navigate(to);
  }

  return (
    <Page title="商品详情" back>
      <Img src={product.images[0]} alt={product.title} />
      <section className="panel">
        <h2>{product.title}</h2>
        <div className="row">
          <Price fen={sku?.price.amount ?? product.price.amount} />
          <span className="muted">已售 {product.salesCount}</span>
        </div>
        <p>{product.description}</p>
        <div className="muted">店铺：<Link to={`/shop/${encodeURIComponent(product.shop.id)}`}>{product.shop.name}</Link></div>
      </section>
      <section className="panel">
        <h3>规格</h3>
        <div className="chips">
          {product.skus.map((s, i) => (
            <button key={s.id} type="button" className={i === skuIndex ? 'chip on' : 'chip'} onClick={() => setSkuIndex(i)} disabled={s.stock <= 0}>
              {s.specs.map((x) => x.value).join(' / ')} · <Price fen={s.price.amount} />
              {s.stock <= 0 ? ' 缺货' : ''}
            </button>
          ))}
        </div>
      </section>
      {sku?.groupBuy && (
        <section className="panel">
          <h3>拼团价</h3>
          <div className="chips">
            {sku.groupBuy.tiers.map((t) => (
              <span key={t.size} className="tag">
                {t.size}人团 <Price fen={t.price.amount} />
              </span>
            ))}
          </div>
          {product.openTeams.length > 0 && (
            <ul className="list">
              {product.openTeams.map((t) => (
                <li key={t.id}>
                  <Link to={`/team/${encodeURIComponent(t.id)}`}>
                    {t.leader.nickname} 的团 · 已有 {t.size}/{t.maxSize} 人 · 现价 <Price fen={t.currentPrice.amount} /> · 去参团
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {product.friendsWhoBought.length > 0 && (
        <section className="panel">
          <h3>好友买过</h3>
          <p>{product.friendsWhoBought.map((f) => f.nickname).join('、')}</p>
        </section>
      )}
      {product.bargain && <section className="panel muted">砍价：最低 <Price fen={product.bargain.floorPrice.amount} />，需 {product.bargain.helpersNeeded} 位好友帮砍</section>}
      <UserErrors errors={errors} />
      {added && <p className="panel" role="status">已加入购物车，<Link to="/cart">去购物车结算</Link></p>}
      {share && <p className="panel">分享链接：<code>{share}</code></p>}
      <div className="actions">
        <button type="button" disabled={busy || !sku} onClick={() => act(() => client.mutate(AddToCartDocument, { input: { skuId: sku.id, quantity: 1 } }), () => (setShare(null), setAdded(true), null))}>
          加入购物车
        </button>
        <button type="button" disabled={busy || !sku} onClick={() => act(() => client.mutate(PlaceOrderDocument, { input: { lines: [{ skuId: sku.id, quantity: 1 }], idempotencyKey: idempotencyKey() } }), (d) => `/order/${encodeURIComponent(d.placeOrder.order.id)}`)}>
          立即购买
        </button>
        {sku?.groupBuy && (
          <button type="button" className="primary" disabled={busy} onClick={() => act(() => client.mutate(StartTeamDocument, { skuId: sku.id, idempotencyKey: idempotencyKey() }), (d) => `/order/${encodeURIComponent(d.startTeam.order.id)}`)}>
            发起拼团
          </button>
        )}
        {product.bargain && (
          <button type="button" disabled={busy} onClick={() => act(() => client.mutate(StartBargainDocument, { skuId: sku.id }), (d) => (setShare(`${location.origin}/bargain/${d.startBargain.bargain.id}`), null))}>
            找人砍价
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => act(() => client.mutate(CreateShareLinkDocument, { productId: product.id }), (d) => (setShare(`${location.origin}/product/${encodeURIComponent(product.id)}?s=${d.createShareLink.link.token}`), null))}>
          分享
        </button>
      </div>
      {product.similar.length > 0 && (
        <section>
          <h3 className="pad">相似商品</h3>
          <ProductGrid products={product.similar} />
        </section>
      )}
    </Page>
  );
}
