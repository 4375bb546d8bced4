import { ApproveAfterSaleDocument, CarriersDocument, RejectAfterSaleDocument, ShipOrderPackagesDocument, ShopAfterSalesDocument, ShopOrdersDocument, type AfterSaleRowFragment, type AfterSaleStatus, type OrderStatus, type ShopOrdersQuery, type UserError } from '@youxianggou/sdk';
import { useState, type FormEvent } from 'react';
import { client, useQuery } from '../api';
import { ErrorState, Loading, Price, statusText, UserErrors } from '../ui';

type DeskOrder = NonNullable<NonNullable<ShopOrdersQuery['shop']>['orders']>['edges'][number]['node'];

const ORDER_FILTERS: (OrderStatus | null)[] = [null, 'PAID', 'PARTLY_SHIPPED', 'SHIPPED', 'PENDING_PAYMENT', 'COMPLETED', 'REFUNDING', 'REFUNDED', 'CANCELLED'];
const SHIPPABLE = ['PAID', 'PARTLY_SHIPPED'];

/** Units of each line not shipped yet: what a package may still carry. */
function unshipped(order: DeskOrder): { lineIndex: number; quantity: number }[] {
  const shipped = new Map<number, number>();
  for (const s of order.shipments) for (const l of s.lines) shipped.set(l.lineIndex, (shipped.get(l.lineIndex) ?? 0) + l.quantity);
  return order.lines.map((l, i) => ({ lineIndex: i, quantity: l.quantity - (shipped.get(i) ?? 0) })).filter((l) => l.quantity > 0);
}

function ShipForm({ order, onShipped }: { order: DeskOrder; onShipped: (o: DeskOrder) => void }) {
  const carriers = useQuery(CarriersDocument, {});
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [busy, setBusy] = useState(false);
  async function ship(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const code = carrier || carriers.data?.carriers[0]?.code || '';
    const r = await client.mutate(ShipOrderPackagesDocument, { input: { orderId: order.id, packages: [{ carrier: code, trackingNumber: tracking.trim(), lines: unshipped(order) }] } });
    setBusy(false);
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    if (r.data.shipOrder.order && !r.userErrors.length) onShipped(r.data.shipOrder.order);
  }
  if (carriers.error) return <ErrorState error={carriers.error} retry={carriers.reload} />;
  return (
    <form className="form ship" onSubmit={ship}>
      <label>
        快递公司
        <select value={carrier || carriers.data?.carriers[0]?.code || ''} onChange={(e) => setCarrier(e.target.value)}>
          {carriers.data?.carriers.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        快递单号
        <input value={tracking} onChange={(e) => setTracking(e.target.value)} required />
      </label>
      <UserErrors errors={errors} />
      <button type="submit" className="primary" disabled={busy || !carriers.data}>
        发货
      </button>
    </form>
  );
}

function OrderRow({ order: initial }: { order: DeskOrder }) {
  const [order, setOrder] = useState(initial);
  const [open, setOpen] = useState(false);
  const a = order.shippingAddress;
  return (
    <li className="desk-order" data-testid="desk-order">
      <button type="button" className="row-button" onClick={() => setOpen(!open)}>
        <span>{order.number}</span>
        <span>{order.buyer.nickname}</span>
        <span>{order.lines.map((l) => `${l.product.title}×${l.quantity}`).join('，')}</span>
        <Price fen={order.total.amount} />
        <span className="tag" data-testid="console-order-status">{statusText(order.status)}</span>
      </button>
      {open && (
        <div className="desk-detail">
          {a && <p className="muted">收货：{a.recipient} {a.phone} {a.provinceName}{a.cityName}{a.districtName}{a.detail}</p>}
          {order.shipments.map((s) => (
            <p key={s.id} className="muted">
              已发：{s.carrier?.name ?? '—'} {s.trackingNumber ?? ''}
            </p>
          ))}
          {SHIPPABLE.includes(order.status) && <ShipForm order={order} onShipped={setOrder} />}
        </div>
      )}
    </li>
  );
}

/** The order desk: the shop's orders by status (with counts) or found by number, nickname or phone; shipping each. */
export function OrderDesk({ shopId }: { shopId: string }) {
  const [status, setStatus] = useState<OrderStatus | null>('PAID');
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const { data, error, loading, reload } = useQuery(ShopOrdersDocument, { shopId, status, query, first: 30 });
  const counts = new Map((data?.shop?.orderCounts ?? []).map((c) => [c.status, c.count]));
  const orders = data?.shop?.orders;
  return (
    <section>
      <form className="search pad" onSubmit={(e) => (e.preventDefault(), setQuery(typed.trim() || null))}>
        <input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="订单号 / 买家昵称 / 手机后四位" aria-label="搜索订单" />
        <button type="submit">搜索</button>
      </form>
      <div className="chips pad">
        {ORDER_FILTERS.map((s) => (
          <button key={s ?? 'ALL'} type="button" className={s === status ? 'chip on' : 'chip'} onClick={() => setStatus(s)}>
            {s ? statusText(s) : '全部'}
            {s && counts.get(s) ? ` ${counts.get(s)}` : ''}
          </button>
        ))}
      </div>
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : !orders ? <ErrorState error="你不是这家店的员工，看不到订单" /> : (
        <ul className="list">
          {orders.edges.length === 0 && <li className="state">没有订单</li>}
          {orders.edges.map(({ node }) => (
            <OrderRow key={node.id} order={node} />
          ))}
        </ul>
      )}
      <p className="pad">
        <button type="button" onClick={reload}>刷新</button>
      </p>
    </section>
  );
}

const AFTER_SALE_FILTERS: (AfterSaleStatus | null)[] = [null, 'REQUESTED', 'AWAITING_RETURN', 'RETURN_SHIPPED', 'REFUNDED', 'REJECTED'];

function AfterSaleItem({ initial }: { initial: AfterSaleRowFragment }) {
  const [row, setRow] = useState(initial);
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  async function decide(approve: boolean) {
    const r = approve
      ? await client.mutate(ApproveAfterSaleDocument, { input: { afterSaleId: row.id } })
      : await client.mutate(RejectAfterSaleDocument, { input: { afterSaleId: row.id, reason } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    const next = 'approveAfterSale' in r.data ? r.data.approveAfterSale.afterSale : r.data.rejectAfterSale.afterSale;
    if (next) (setRow(next), setRejecting(false));
  }
  return (
    <li data-testid="after-sale">
      <div>
        {row.order.number} · {row.order.buyer.nickname} · {row.kind === 'REFUND_ONLY' ? '仅退款' : '退货退款'} · <Price fen={row.amount.amount} /> ·{' '}
        <span className="tag" data-testid="after-sale-status">{statusText(row.status)}</span>
      </div>
      <div className="muted">
        {row.lines.map((l) => `${l.orderLine.product.title}×${l.quantity}`).join('，')} · 原因：{row.reason}
        {row.respondBy && row.status === 'REQUESTED' && ` · 请在 ${new Date(row.respondBy).toLocaleString('zh-CN')} 前处理`}
      </div>
      {row.rejectReason && <div className="muted">拒绝原因：{row.rejectReason}</div>}
      <UserErrors errors={errors} />
      {row.status === 'REQUESTED' && (
        <div className="row">
          <button type="button" className="primary" onClick={() => decide(true)}>同意</button>
          {rejecting ? (
            <form className="row" onSubmit={(e) => (e.preventDefault(), decide(false))}>
              <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="拒绝原因" aria-label="拒绝原因" required />
              <button type="submit">确认拒绝</button>
            </form>
          ) : (
            <button type="button" onClick={() => setRejecting(true)}>拒绝</button>
          )}
        </div>
      )}
    </li>
  );
}

/** The shop's after-sale requests by status, each approved or rejected with a reason. */
export function AfterSales({ shopId }: { shopId: string }) {
  const [status, setStatus] = useState<AfterSaleStatus | null>('REQUESTED');
  const { data, error, loading, reload } = useQuery(ShopAfterSalesDocument, { shopId, status, first: 30 });
  const rows = data?.shop?.afterSales.edges ?? [];
  return (
    <section>
      <div className="chips pad">
        {AFTER_SALE_FILTERS.map((s) => (
          <button key={s ?? 'ALL'} type="button" className={s === status ? 'chip on' : 'chip'} onClick={() => setStatus(s)}>
            {s ? statusText(s) : '全部'}
          </button>
        ))}
      </div>
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : (
        <ul className="list">
          {rows.length === 0 && <li className="state">没有售后申请</li>}
          {rows.map(({ node }) => (
            <AfterSaleItem key={node.id} initial={node} />
          ))}
        </ul>
      )}
    </section>
  );
}
