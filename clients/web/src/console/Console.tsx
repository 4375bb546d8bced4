import { CreateCouponDocument, CreateLiveRoomDocument, CreateProductDocument, CreateShopDocument, OrderDocument, ProductsDocument, ShipOrderDocument, StartLiveDocument, type OrderSummaryFragment, type UserError } from '@youxianggou/sdk';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { Link, NavLink, Route, Routes } from 'react-router-dom';
import { client, signedIn, useQuery } from '../api';
import { AfterSales, OrderDesk } from './OrderDesk';

import { PageList } from './pages/PageList';
import { ErrorState, Loading, Price, statusText, UserErrors, yuan } from '../ui';

// ECharts is only downloaded by who opens the dashboard, react-jsonschema-form by who opens the page editor.
const Dashboard = lazy(() => import('./Dashboard'));
const PageEditor = lazy(() => import('./pages/PageEditor'));

// The merchant console (/console): the shop, its products, the order desk and after-sales (./OrderDesk), the page
// editor (./pages), coupons, a live room, and shipping an order found by its id. The shop's id is kept in this browser.
const SHOP_KEY = 'yxg.console.shop';

function useShop(): [string | null, (id: string) => void] {
  const [shop, setShop] = useState(() => localStorage.getItem(SHOP_KEY));
  return [shop, (id) => (localStorage.setItem(SHOP_KEY, id), setShop(id))];
}

function Field({ label, ...props }: { label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input {...props} />
    </label>
  );
}

function ShopSetup({ onShop }: { onShop: (id: string) => void }) {
  const [name, setName] = useState('');
  const [existing, setExisting] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  async function create(e: FormEvent) {
    e.preventDefault();
    const r = await client.mutate(CreateShopDocument, { input: { name } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    if (r.data.createShop.shop) onShop(r.data.createShop.shop.id);
  }
  return (
    <div>
      <form className="panel form" onSubmit={create}>
        <h3>开一家店</h3>
        <Field label="店名" value={name} onChange={(e) => setName(e.target.value)} required />
        <UserErrors errors={errors} />
        <button type="submit" className="primary">开店</button>
      </form>
      <form className="panel form" onSubmit={(e) => (e.preventDefault(), onShop(existing))}>
        <Field label="已有店铺 ID" value={existing} onChange={(e) => setExisting(e.target.value)} required />
        <button type="submit">管理这家店</button>
      </form>
    </div>
  );
}

function Products({ shopId }: { shopId: string }) {
  const { data, error, loading, reload } = useQuery(ProductsDocument, { shopId, first: 50, sort: 'NEWEST' });
  const [form, setForm] = useState({ title: '', price: '', stock: '10', spec: '默认', teamSize: '', teamPrice: '' });
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  async function create(e: FormEvent) {
    e.preventDefault();
    const price = Math.round(Number(form.price) * 100);
    const groupBuy = form.teamSize ? { tiers: [{ size: Number(form.teamSize), price: Math.round(Number(form.teamPrice) * 100) }], durationMinutes: 1440 } : null;
    const r = await client.mutate(CreateProductDocument, { input: { shopId, title: form.title, description: '', images: [], skus: [{ specs: [{ name: '规格', value: form.spec }], price, stock: Number(form.stock) }], groupBuy } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    if (!r.userErrors.length) (setForm({ ...form, title: '', price: '' }), reload());
  }
  return (
    <>
      <form className="panel form" onSubmit={create}>
        <h3>上架商品</h3>
        <Field label="标题" value={form.title} onChange={set('title')} required />
        <Field label="价格（元）" value={form.price} onChange={set('price')} inputMode="decimal" required />
        <Field label="规格" value={form.spec} onChange={set('spec')} required />
        <Field label="库存" value={form.stock} onChange={set('stock')} inputMode="numeric" required />
        <Field label="拼团人数（可选）" value={form.teamSize} onChange={set('teamSize')} inputMode="numeric" />
        <Field label="拼团价（元）" value={form.teamPrice} onChange={set('teamPrice')} inputMode="decimal" />
        <UserErrors errors={errors} />
        <button type="submit" className="primary">上架</button>
      </form>
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : (
        <table className="table">
          <thead><tr><th>商品</th><th>价格</th><th>已售</th></tr></thead>
          <tbody>
            {data?.products.edges.map(({ node: p }) => (
              <tr key={p.id}><td><Link to={`/product/${encodeURIComponent(p.id)}`}>{p.title}</Link></td><td>{yuan(p.price.amount)}</td><td>{p.salesCount}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Ship() {
  const [orderId, setOrderId] = useState('');
  const [order, setOrder] = useState<(OrderSummaryFragment & { buyer: { nickname: string } }) | null>(null);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  async function find(e: FormEvent) {
    e.preventDefault();
    const r = await client.query(OrderDocument, { id: orderId.trim() }, 'network-only');
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setOrder(r.data.order ?? null);
    setErrors(r.data.order ? [] : [{ code: 'NOT_FOUND', message: '没有这个订单（或不是你的店的）' }]);
  }
  async function ship() {
    const r = await client.mutate(ShipOrderDocument, { orderId: order!.id });
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    if (r.data.shipOrder.order) setOrder(r.data.shipOrder.order);
  }
  return (
    <>
      <form className="panel form" onSubmit={find}>
        <h3>订单发货</h3>
        <Field label="订单 ID" value={orderId} onChange={(e) => setOrderId(e.target.value)} required />
        <button type="submit">查找</button>
      </form>
      <UserErrors errors={errors} />
      {order && (
        <section className="panel">
          <p>
            {order.number} · 买家 {order.buyer.nickname} · <Price fen={order.total.amount} /> · <span className="tag" data-testid="console-order-status">{statusText(order.status)}</span>
          </p>
          <ul className="list">{order.lines.map((l, i) => <li key={i}>{l.product.title} × {l.quantity}</li>)}</ul>
          {order.status === 'PAID' && <button type="button" className="primary" onClick={ship}>发货</button>}
        </section>
      )}
    </>
  );
}

function Coupons({ shopId }: { shopId: string }) {
  const [form, setForm] = useState({ title: '', discount: '', minSpend: '', quantity: '100', days: '7' });
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [made, setMade] = useState<string[]>([]);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  async function create(e: FormEvent) {
    e.preventDefault();
    const validUntil = new Date(Date.now() + Number(form.days) * 86_400_000).toISOString();
    const r = await client.mutate(CreateCouponDocument, { input: { shopId, title: form.title, discount: Math.round(Number(form.discount) * 100), minSpend: Math.round(Number(form.minSpend) * 100), validUntil, quantity: Number(form.quantity) } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    const c = r.data.createCoupon.coupon;
    if (c) setMade((m) => [`${c.title}：满${yuan(c.minSpend.amount)}减${yuan(c.discount.amount)}，剩 ${c.remaining} 张（ID ${c.id}）`, ...m]);
  }
  return (
    <form className="panel form" onSubmit={create}>
      <h3>优惠券</h3>
      <Field label="名称" value={form.title} onChange={set('title')} required />
      <Field label="减（元）" value={form.discount} onChange={set('discount')} inputMode="decimal" required />
      <Field label="满（元）" value={form.minSpend} onChange={set('minSpend')} inputMode="decimal" required />
      <Field label="数量" value={form.quantity} onChange={set('quantity')} inputMode="numeric" required />
      <Field label="有效天数" value={form.days} onChange={set('days')} inputMode="numeric" required />
      <UserErrors errors={errors} />
      <button type="submit" className="primary">创建</button>
      <ul className="list">{made.map((m) => <li key={m}>{m}</li>)}</ul>
    </form>
  );
}

function Live() {
  const [title, setTitle] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [room, setRoom] = useState<string | null>(null);
  async function start(e: FormEvent) {
    e.preventDefault();
    const made = await client.mutate(CreateLiveRoomDocument, { input: { title } });
    if (!made.ok) return setErrors([{ code: 'REQUEST', message: made.error.message }]);
    setErrors(made.userErrors);
    const id = made.data.createLiveRoom.room?.id;
    if (!id) return;
    const started = await client.mutate(StartLiveDocument, { roomId: id });
    setErrors(started.userErrors);
    setRoom(id);
  }
  return (
    <form className="panel form" onSubmit={start}>
      <h3>开直播</h3>
      <Field label="直播标题" value={title} onChange={(e) => setTitle(e.target.value)} required />
      <UserErrors errors={errors} />
      <button type="submit" className="primary">开播</button>
      {room && <p><Link to={`/live/${encodeURIComponent(room)}`}>进入直播间</Link></p>}
    </form>
  );
}

export default function Console() {
  const [shop, setShop] = useShop();
  if (!signedIn()) return <div className="console"><div className="state">请先<Link to="/me?next=/console">登录</Link></div></div>;
  return (
    <div className="console">
      <header className="top"><h1>商家后台</h1><Link to="/">返回商城</Link></header>
      {!shop ? <ShopSetup onShop={setShop} /> : (
        <>
          <nav className="chips pad">
            <NavLink to="/console" end className="chip">商品</NavLink>
            <NavLink to="/console/desk" className="chip">订单</NavLink>
            <NavLink to="/console/dashboard" className="chip">数据</NavLink>
            <NavLink to="/console/after-sales" className="chip">售后</NavLink>
            <NavLink to="/console/orders" className="chip">按 ID 发货</NavLink>
            <NavLink to="/console/pages" className="chip">店铺装修</NavLink>
            <NavLink to="/console/coupons" className="chip">优惠券</NavLink>
            <NavLink to="/console/live" className="chip">直播</NavLink>
            <button type="button" className="chip" onClick={() => (localStorage.removeItem(SHOP_KEY), location.reload())}>换店</button>
          </nav>
          <p className="muted pad">店铺 ID <code data-testid="shop-id">{shop}</code></p>
          <Routes>
            <Route index element={<Products shopId={shop} />} />
            <Route path="desk" element={<OrderDesk shopId={shop} />} />
            <Route path="dashboard" element={<Suspense fallback={<Loading />}><Dashboard shopId={shop} /></Suspense>} />
            <Route path="after-sales" element={<AfterSales shopId={shop} />} />
            <Route path="orders" element={<Ship />} />
            <Route path="pages" element={<PageList shopId={shop} />} />
            <Route path="pages/:kind/:slug?" element={<Suspense fallback={<Loading />}><PageEditor shopId={shop} /></Suspense>} />
            <Route path="coupons" element={<Coupons shopId={shop} />} />
            <Route path="live" element={<Live />} />
          </Routes>
        </>
      )}
    </div>
  );
}
