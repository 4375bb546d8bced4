import { DevLoginDocument, MeDocument, MyOrdersDocument, OrderDetailDocument, OrderStatusDocument, PayOrderDocument, RequestAfterSaleDocument, type AfterSaleKind, type OrderSummaryFragment, type UserError } from '@youxianggou/sdk';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { client, idempotencyKey, signedIn, useQuery, useSubscription } from '../api';
import { ErrorState, Loading, Page, Price, statusText, UserErrors } from '../ui';
import { Adjustments } from './cart';

export function Orders() {
  const { data, error, loading, reload } = useQuery(MyOrdersDocument, { first: 20 }, !signedIn());
  if (!signedIn()) return <Page title="我的订单"><div className="state">请先<Link to="/me?next=/orders">登录</Link></div></Page>;
  return (
    <Page title="我的订单">
      {error ? <ErrorState error={error} retry={reload} /> : loading && !data ? <Loading /> : (
        <ul className="list">
          {data?.myOrders.edges.length === 0 && <li className="state">还没有订单</li>}
          {data?.myOrders.edges.map(({ node: o }) => (
            <li key={o.id}>
              <Link to={`/order/${encodeURIComponent(o.id)}`}>
                {o.lines[0]?.product.title} · <Price fen={o.total.amount} /> · <span className="tag">{statusText(o.status)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

const AFTER_SALE_KIND: Record<string, string> = { REFUND_ONLY: '仅退款', RETURN_AND_REFUND: '退货退款' };
const CAN_REQUEST = ['PAID', 'PARTLY_SHIPPED', 'SHIPPED', 'COMPLETED'];

/** An after-sale request for some of the order's lines: refund only, or return and refund. */
function AfterSaleForm({ order, onDone }: { order: OrderSummaryFragment; onDone: () => void }) {
  const [kind, setKind] = useState<AfterSaleKind>('REFUND_ONLY');
  const [reason, setReason] = useState('');
  const [picked, setPicked] = useState<number[]>(() => order.lines.map((_, i) => i));
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const key = useRef(idempotencyKey());
  async function submit(e: FormEvent) {
    e.preventDefault();
    const lines = picked.map((i) => ({ lineIndex: i, quantity: order.lines[i].quantity }));
    const r = await client.mutate(RequestAfterSaleDocument, { input: { orderId: order.id, kind, lines, reason, idempotencyKey: key.current } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', message: r.error.message }]);
    setErrors(r.userErrors);
    if (r.data.requestAfterSale.afterSale) onDone();
  }
  return (
    <form className="panel form" onSubmit={submit}>
      <h3>申请售后</h3>
      <div className="chips">
        {Object.entries(AFTER_SALE_KIND).map(([k, label]) => (
          <button key={k} type="button" className={k === kind ? 'chip on' : 'chip'} onClick={() => setKind(k as AfterSaleKind)}>
            {label}
          </button>
        ))}
      </div>
      {order.lines.map((l, i) => (
        <label key={i} className="row">
          <input type="checkbox" checked={picked.includes(i)} onChange={(e) => setPicked(e.target.checked ? [...picked, i] : picked.filter((x) => x !== i))} />
          {l.product.title} × {l.quantity}
        </label>
      ))}
      <label>
        原因
        <input value={reason} onChange={(e) => setReason(e.target.value)} required />
      </label>
      <UserErrors errors={errors} />
      <button type="submit" className="primary" disabled={!picked.length}>
        提交申请
      </button>
    </form>
  );
}

/** An order, its status live (orderStatus), its price adjustments, shipments and after-sales, and DEV_PAY for a pending one. */
export function Order() {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useQuery(OrderDetailDocument, { id });
  const [status, setStatus] = useState<string | null>(null);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [asking, setAsking] = useState(false);
  useSubscription(OrderStatusDocument, { orderId: id }, (d) => {
    setStatus(d.orderStatus.status);
    if (d.orderStatus.status !== data?.order?.status) reload(); // shipments and after-sales change with it
  }, !!data?.order);
  if (error) return <Page title="订单" back><ErrorState error={error} retry={reload} /></Page>;
  if (loading && !data) return <Page title="订单" back><Loading /></Page>;
  const order = data?.order;
  if (!order) return <Page title="订单" back><ErrorState error="订单不存在" /></Page>;
  const shown = status ?? order.status;

  async function pay() {
    const result = await client.mutate(PayOrderDocument, { input: { orderId: order!.id, method: 'DEV_PAY', idempotencyKey: `pay-${order!.id}` } });
    if (!result.ok) return setErrors([{ code: 'REQUEST', message: result.error.message }]);
    setErrors(result.userErrors);
    if (result.data.payOrder.order) setStatus(result.data.payOrder.order.status);
  }

  const address = order.shippingAddress;
  const open = order.afterSales.some((a) => !['REJECTED', 'CANCELLED', 'REFUNDED'].includes(a.status));
  return (
    <Page title="订单详情" back>
      <section className="panel">
        <h2 data-testid="order-status">{statusText(shown)}</h2>
        <p className="muted">订单号 {order.number} · {order.shop.name}</p>
        <p className="muted">订单 ID <code data-testid="order-id">{order.id}</code></p>
        <ul className="list">
          {order.lines.map((l, i) => (
            <li key={i}>
              {l.product.title} {l.sku.specs.map((s) => s.value).join('/')} × {l.quantity} · <Price fen={l.unitPrice.amount} />
            </li>
          ))}
        </ul>
        <p className="row">商品金额 <Price fen={order.subtotal.amount} /></p>
        <Adjustments adjustments={order.adjustments} />
        <p>
          合计 <Price fen={order.total.amount} />
        </p>
        {order.team && (
          <p>
            <Link to={`/team/${encodeURIComponent(order.team.id)}`}>查看拼团（{statusText(order.team.status)}）</Link>
          </p>
        )}
      </section>
      {address && (
        <section className="panel">
          <h3>收货地址</h3>
          <p>
            {address.recipient} {address.phone}
            <br />
            <span className="muted">{address.provinceName} {address.cityName} {address.districtName} {address.detail}</span>
          </p>
        </section>
      )}
      {order.shipments.length > 0 && (
        <section className="panel" data-testid="shipments">
          <h3>物流</h3>
          <ul className="list">
            {order.shipments.map((s) => (
              <li key={s.id}>
                {s.carrier?.name ?? '未填快递公司'} {s.trackingNumber ?? ''} · <span className="muted">{new Date(s.shippedAt).toLocaleString('zh-CN')}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {order.afterSales.length > 0 && (
        <section className="panel" data-testid="after-sales">
          <h3>售后</h3>
          <ul className="list">
            {order.afterSales.map((a) => (
              <li key={a.id}>
                {AFTER_SALE_KIND[a.kind] ?? a.kind} · <Price fen={a.amount.amount} /> · <span className="tag">{statusText(a.status)}</span> {a.reason}
                {a.rejectReason && <div className="muted">拒绝原因：{a.rejectReason}</div>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <UserErrors errors={errors} />
      {asking && <AfterSaleForm order={order} onDone={() => (setAsking(false), reload())} />}
      {shown === 'PENDING_PAYMENT' && (
        <div className="actions">
          <button type="button" className="primary" onClick={pay}>
            模拟支付（DEV_PAY）
          </button>
        </div>
      )}
      {CAN_REQUEST.includes(shown) && !open && !asking && (
        <div className="actions">
          <button type="button" onClick={() => setAsking(true)}>
            申请售后
          </button>
        </div>
      )}
    </Page>
  );
}

/** Sign-in (devLogin on a dev server; WeChat login lives in the mini-program) and the viewer's page. */
export function Me() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [nickname, setNickname] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [, rerender] = useState(0);
  const me = useQuery(MeDocument, {}, !signedIn());
  const invite = params.get('invite') ?? localStorage.getItem('yxg.invite');

  async function login(e: FormEvent) {
    e.preventDefault();
    const result = await client.mutate(DevLoginDocument, { nickname, inviteCode: invite });
    if (!result.ok) return setErrors([{ code: 'REQUEST', message: result.error.message }]);
    const payload = result.data.devLogin;
    setErrors(payload.errors);
    if (payload.accessToken && payload.refreshToken) {
      client.signIn({ accessToken: payload.accessToken, refreshToken: payload.refreshToken });
      localStorage.removeItem('yxg.invite');
      navigate(params.get('next') ?? '/');
    }
  }

  if (!signedIn())
    return (
      <Page title="登录">
        <form className="panel form" onSubmit={login}>
          <label>
            昵称
            <input value={nickname} onChange={(e) => setNickname(e.target.value)} placeholder="你的昵称" required />
          </label>
          {invite && <p className="muted">邀请码 {invite}（好友的分享链接）</p>}
          <UserErrors errors={errors} />
          <button type="submit" className="primary">
            登录 / 注册
          </button>
        </form>
      </Page>
    );
  const user = me.data?.me;
  return (
    <Page title="我的">
      {me.error ? <ErrorState error={me.error} retry={me.reload} /> : !user ? <Loading /> : (
        <section className="panel">
          <h2>{user.nickname}</h2>
          <p className="muted">
            积分 {user.points} · 等级 {user.level} · 粉丝 {user.followerCount} · 关注 {user.followingCount}
          </p>
          <p>
            我的邀请码 <code data-testid="invite-code">{user.inviteCode}</code>
          </p>
          <p>
            <Link to="/console">商家后台</Link>
          </p>
          <button type="button" onClick={() => (client.signOut(), rerender((n) => n + 1))}>
            退出登录
          </button>
        </section>
      )}
    </Page>
  );
}
