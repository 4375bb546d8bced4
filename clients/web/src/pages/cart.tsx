import { CartDocument, CheckoutDocument, CheckoutPreviewDocument, CreateAddressDocument, MyAddressesDocument, PayCheckoutDocument, RemoveCartLinesDocument, SelectCartLinesDocument, UpdateCartLineDocument, type AdjustmentFragment, type CartViewFragment, type Result, type UserError } from '@youxianggou/sdk';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { client, idempotencyKey, signedIn, useQuery } from '../api';
import { ErrorState, Img, Loading, Page, Price, UserErrors, yuan } from '../ui';
import { aboutSpend, NOTHING_SPENT, WalletPicker, type Spend } from './wallet';

const AVAILABILITY: Record<string, string> = {
  OFF_SHELF: '已下架',
  OUT_OF_STOCK: '库存不足',
  PRICE_CHANGED: '价格有变',
  LOW_STOCK: '库存紧张',
  OK: '',
};

function SignInFirst({ title, next }: { title: string; next: string }) {
  return (
    <Page title={title}>
      <div className="state">
        请先<Link to={`/me?next=${encodeURIComponent(next)}`}>登录</Link>
      </div>
    </Page>
  );
}

/** A mutation's request error as a UserError, so that one list shows both. */
function failed(result: Result<unknown>): readonly UserError[] {
  return result.ok ? result.userErrors : [{ code: 'REQUEST', message: result.error.message }];
}

export function Adjustments({ adjustments }: { adjustments: readonly AdjustmentFragment[] }) {
  if (!adjustments.length) return null;
  return (
    <ul className="adjustments" data-testid="adjustments">
      {adjustments.map((a, i) => (
        <li key={i}>
          <span>{a.label}</span>
          <span className={a.amount < 0 ? 'price' : ''}>{a.amount < 0 ? `-${yuan(-a.amount)}` : `+${yuan(a.amount)}`}</span>
        </li>
      ))}
    </ul>
  );
}

/** The cart by shop: quantities, removal, selection for checkout, and each line's availability. */
export function Cart() {
  const navigate = useNavigate();
  const { data, error, loading, reload } = useQuery(CartDocument, {}, !signedIn());
  const [cart, setCart] = useState<CartViewFragment | null>(null);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => setCart(data?.cart ?? null), [data]);
  if (!signedIn()) return <SignInFirst title="购物车" next="/cart" />;
  if (error) return <Page title="购物车"><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !cart) return <Page title="购物车"><Loading /></Page>;

  async function change<R>(run: () => Promise<Result<R>>, pick: (data: R) => CartViewFragment | null | undefined) {
    setBusy(true);
    const result = await run();
    setBusy(false);
    setErrors(failed(result));
    const next = result.ok ? pick(result.data) : null;
    if (next) setCart(next);
  }

  const lines = cart?.shops.flatMap((s) => s.lines) ?? [];
  const selected = lines.filter((l) => l.selected && l.availability !== 'OFF_SHELF' && l.availability !== 'OUT_OF_STOCK');
  return (
    <Page title="购物车">
      {lines.length === 0 && (
        <div className="state">
          购物车是空的，<Link to="/">去逛逛</Link>
        </div>
      )}
      {cart?.shops.map((s) => (
        <section key={s.shop.id} className="panel">
          <h3>{s.shop.name}</h3>
          <ul className="list">
            {s.lines.map((l) => (
              <li key={l.id} className="cart-line" data-testid="cart-line">
                <input type="checkbox" aria-label="选中" checked={l.selected} disabled={busy} onChange={(e) => change(() => client.mutate(SelectCartLinesDocument, { input: { lineIds: [l.id], selected: e.target.checked } }), (d) => d.selectCartLines.cart)} />
                <Img src={l.product?.images[0]} alt={l.product?.title ?? '商品'} size={56} />
                <div className="grow">
                  <div>{l.product?.title ?? '商品已删除'}</div>
                  <div className="muted">{l.sku?.specs.map((x) => x.value).join(' / ')}</div>
                  <div className="row">
                    <Price fen={l.unitPrice?.amount ?? l.priceWhenAdded.amount} />
                    {l.availability === 'PRICE_CHANGED' && <Price fen={l.priceWhenAdded.amount} strike />}
                    {AVAILABILITY[l.availability] && <span className="tag" data-testid="availability">{AVAILABILITY[l.availability]}{l.availability === 'LOW_STOCK' ? `（剩 ${l.stock} 件）` : ''}</span>}
                  </div>
                </div>
                <div className="stepper">
                  <button type="button" aria-label="减少" disabled={busy || l.quantity <= 1} onClick={() => change(() => client.mutate(UpdateCartLineDocument, { input: { lineId: l.id, quantity: l.quantity - 1 } }), (d) => d.updateCartLine.cart)}>−</button>
                  <span data-testid="quantity">{l.quantity}</span>
                  <button type="button" aria-label="增加" disabled={busy} onClick={() => change(() => client.mutate(UpdateCartLineDocument, { input: { lineId: l.id, quantity: l.quantity + 1 } }), (d) => d.updateCartLine.cart)}>+</button>
                  <button type="button" className="link" disabled={busy} onClick={() => change(() => client.mutate(RemoveCartLinesDocument, { input: { lineIds: [l.id] } }), (d) => d.removeCartLines.cart)}>删除</button>
                </div>
              </li>
            ))}
          </ul>
          <Adjustments adjustments={s.adjustments} />
        </section>
      ))}
      <UserErrors errors={errors} />
      {lines.length > 0 && (
        <div className="actions">
          <span>
            合计 <Price fen={cart?.selectedTotal.amount} />
          </span>
          <button type="button" className="primary" disabled={busy || selected.length === 0} onClick={() => navigate(`/checkout?lines=${selected.map((l) => encodeURIComponent(l.id)).join(',')}`)}>
            去结算（{selected.length}）
          </button>
        </div>
      )}
    </Page>
  );
}

// A few districts to pick from (GB/T 2260), and any other by its six-digit code: province and city follow from it.
const DISTRICTS: [string, string][] = [
  ['110101', '北京市 东城区'],
  ['310101', '上海市 黄浦区'],
  ['440106', '广东省 广州市 天河区'],
  ['440305', '广东省 深圳市 南山区'],
  ['330106', '浙江省 杭州市 西湖区'],
  ['510107', '四川省 成都市 武侯区'],
];

function AddressForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [form, setForm] = useState({ recipient: '', phone: '', district: DISTRICTS[0][0], detail: '' });
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  async function create(e: FormEvent) {
    e.preventDefault();
    const d = form.district.trim();
    const input = { recipient: form.recipient, phone: form.phone, provinceCode: `${d.slice(0, 2)}0000`, cityCode: `${d.slice(0, 4)}00`, districtCode: d, detail: form.detail, isDefault: true };
    const result = await client.mutate(CreateAddressDocument, { input });
    setErrors(failed(result));
    if (result.ok && result.data.createAddress.address) onCreated(result.data.createAddress.address.id);
  }
  return (
    <form className="panel form" onSubmit={create}>
      <h3>新建收货地址</h3>
      <label>
        收货人
        <input value={form.recipient} onChange={set('recipient')} required />
      </label>
      <label>
        手机号
        <input value={form.phone} onChange={set('phone')} inputMode="tel" required />
      </label>
      <label>
        地区
        <select value={form.district} onChange={set('district')}>
          {DISTRICTS.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        详细地址
        <input value={form.detail} onChange={set('detail')} required />
      </label>
      <UserErrors errors={errors} />
      <button type="submit" className="primary">
        保存地址
      </button>
    </form>
  );
}

/** Checkout of the chosen cart lines: an address (or a new one), the preview with its adjustments, then DEV_PAY. */
export function Checkout() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const lineIds = (params.get('lines') ?? '').split(',').filter(Boolean);
  const book = useQuery(MyAddressesDocument, {}, !signedIn());
  const [addressId, setAddressId] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const addresses = book.data?.me?.addresses ?? [];
  const chosen = addressId ?? addresses.find((a) => a.isDefault)?.id ?? addresses[0]?.id ?? null;
  const [spend, setSpend] = useState<Spend>(NOTHING_SPENT);
  const spent = { couponIds: spend.couponIds, points: spend.points || null };
  const preview = useQuery(CheckoutPreviewDocument, { input: { cartLineIds: lineIds, addressId: chosen ?? '', ...spent } }, !chosen || !lineIds.length);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [busy, setBusy] = useState(false);
  const key = useRef(idempotencyKey()); // one checkout per visit, however often the button is pressed

  if (!signedIn()) return <SignInFirst title="确认订单" next={location.pathname + location.search} />;
  if (!lineIds.length) return <Page title="确认订单" back><ErrorState error="没有选中的商品" /></Page>;
  if (book.error) return <Page title="确认订单" back><ErrorState error={book.error} retry={book.reload} /></Page>;
  if (book.loading && !book.data) return <Page title="确认订单" back><Loading /></Page>;

  async function submit() {
    if (!chosen) return;
    setBusy(true);
    const placed = await client.mutate(CheckoutDocument, { input: { cartLineIds: lineIds, addressId: chosen, idempotencyKey: key.current, ...spent } });
    const checkout = placed.ok ? placed.data.checkout.checkout : null;
    if (!checkout) return (setBusy(false), setErrors(failed(placed)));
    const paid = await client.mutate(PayCheckoutDocument, { input: { checkoutId: checkout.id, method: 'DEV_PAY', idempotencyKey: `pay-${checkout.id}` } });
    setBusy(false);
    setErrors(failed(paid));
    if (!paid.ok || paid.userErrors.length) return;
    const orders = checkout.orders;
    navigate(orders.length === 1 ? `/order/${encodeURIComponent(orders[0].id)}` : '/orders');
  }

  const p = preview.data?.checkoutPreview;
  return (
    <Page title="确认订单" back>
      <section className="panel">
        <h3>收货地址</h3>
        {addresses.length === 0 && !adding && <p className="muted">还没有收货地址</p>}
        <ul className="list">
          {addresses.map((a) => (
            <li key={a.id}>
              <label className="row">
                <input type="radio" name="address" checked={a.id === chosen} onChange={() => setAddressId(a.id)} />
                <span>
                  {a.recipient} {a.phone}
                  <br />
                  <span className="muted">
                    {a.provinceName} {a.cityName} {a.districtName} {a.detail}
                  </span>
                </span>
              </label>
            </li>
          ))}
        </ul>
        {!adding && addresses.length > 0 && (
          <button type="button" onClick={() => setAdding(true)}>
            新建地址
          </button>
        )}
      </section>
      {(adding || addresses.length === 0) && (
        <AddressForm
          onCreated={(id) => {
            setAdding(false);
            setAddressId(id);
            book.reload();
          }}
        />
      )}
      {chosen && (preview.error ? <ErrorState error={preview.error} retry={preview.reload} /> : !p ? <Loading /> : (
        <>
          {p.shops.map((s) => (
            <section key={s.shop.id} className="panel">
              <h3>{s.shop.name}</h3>
              <ul className="list">
                {s.lines.map((l) => (
                  <li key={l.cartLineId}>
                    {l.product?.title} {l.sku?.specs.map((x) => x.value).join('/')} × {l.quantity} · <Price fen={l.unitPrice.amount} />
                  </li>
                ))}
              </ul>
              <p className="row">
                小计 <Price fen={s.total.amount} />
              </p>
            </section>
          ))}
          <WalletPicker shops={p.shops.map((s) => s.shop)} value={spend} onChange={setSpend} errors={p.errors.filter(aboutSpend)} />
          <section className="panel">
            <p className="row">商品金额 <Price fen={p.subtotal.amount} /></p>
            <Adjustments adjustments={p.adjustments} />
            <p className="row">
              应付 <strong data-testid="checkout-total"><Price fen={p.total.amount} /></strong>
            </p>
          </section>
          <UserErrors errors={p.errors.filter((e) => !aboutSpend(e))} />
        </>
      ))}
      <UserErrors errors={errors} />
      <div className="actions">
        <button type="button" className="primary" disabled={busy || !chosen || !p || p.errors.length > 0} onClick={submit}>
          提交订单并支付（DEV_PAY）
        </button>
      </div>
    </Page>
  );
}
