import { DevLoginDocument, MeDocument, MyOrdersDocument, OrderDocument, OrderStatusDocument, PayOrderDocument, type UserError } from '@youxianggou/sdk';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { client, idempotencyKey, signedIn, useQuery, useSubscription } from '../api';
import { ErrorState, Loading, Page, Price, statusText, UserErrors } from '../ui';

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

/** An order, its status live (orderStatus), and DEV_PAY for a pending one. */
export function Order() {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useQuery(OrderDocument, { id });
  const [status, setStatus] = useState<string | null>(null);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  useSubscription(OrderStatusDocument, { orderId: id }, (d) => setStatus(d.orderStatus.status), !!data?.order);
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
        <p>
          合计 <Price fen={order.total.amount} />
        </p>
        {order.team && (
          <p>
            <Link to={`/team/${encodeURIComponent(order.team.id)}`}>查看拼团（{statusText(order.team.status)}）</Link>
          </p>
        )}
      </section>
      <UserErrors errors={errors} />
      {shown === 'PENDING_PAYMENT' && (
        <div className="actions">
          <button type="button" className="primary" onClick={pay}>
            模拟支付（DEV_PAY）
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
