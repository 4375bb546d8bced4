import type { RequestError, UserError } from '@youxianggou/sdk';
import { useState, type FormEvent, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router-dom';

export function yuan(fen: number | null | undefined): string {
  return fen == null ? '' : `¥${(fen / 100).toFixed(2)}`;
}

export function Price({ fen, strike = false }: { fen: number | null | undefined; strike?: boolean }) {
  return <span className={strike ? 'price strike' : 'price'}>{yuan(fen)}</span>;
}

/** Only images this server holds (its /media/) are loaded; any other address shows a placeholder instead. */
export function Img({ src, alt, size }: { src?: string | null; alt: string; size?: number }) {
  const local = !!src && (src.startsWith('/') ? !src.startsWith('//') : src.startsWith(location.origin + '/'));
  const style = size ? { width: size, height: size } : undefined;
  if (local) return <img className="img" src={src!} alt={alt} style={style} loading="lazy" />;
  return (
    <div className="img placeholder" style={style} aria-label={alt}>
      {alt.slice(0, 2)}
    </div>
  );
}

export function Loading() {
  return <div className="state">加载中…</div>;
}

export function ErrorState({ error, retry }: { error: RequestError | string; retry?: () => void }) {
  const message = typeof error === 'string' ? error : error.code === 'NETWORK_ERROR' ? '网络不可用，请稍后再试' : error.message;
  return (
    <div className="state error" role="alert">
      <p>出错了：{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          重试
        </button>
      )}
    </div>
  );
}

export function UserErrors({ errors }: { errors: readonly UserError[] }) {
  if (!errors.length) return null;
  return (
    <ul className="user-errors" role="alert">
      {errors.map((e, i) => (
        <li key={i}>{e.message}</li>
      ))}
    </ul>
  );
}

export function Page({ title, children, back = false }: { title: string; children: ReactNode; back?: boolean }) {
  return (
    <>
      <header className="top">
        {back && (
          <button type="button" className="back" onClick={() => history.back()} aria-label="返回">
            ‹
          </button>
        )}
        <h1>{title}</h1>
      </header>
      <main>{children}</main>
    </>
  );
}

export function TabBar() {
  const tabs: [string, string][] = [
    ['/', '首页'],
    ['/feed', '动态'],
    ['/live', '直播'],
    ['/cart', '购物车'],
    ['/orders', '订单'],
    ['/me', '我的'],
  ];
  return (
    <nav className="tabs">
      {tabs.map(([to, label]) => (
        <NavLink key={to} to={to} end={to === '/'}>
          {label}
        </NavLink>
      ))}
    </nav>
  );
}

const STATUS: Record<string, string> = {
  PENDING_PAYMENT: '待付款',
  PAID: '已付款',
  PARTLY_SHIPPED: '部分发货',
  SHIPPED: '已发货',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
  OPEN: '拼团中',
  SUCCEEDED: '拼团成功',
  FAILED: '拼团失败',
  LIVE: '直播中',
  SCHEDULED: '未开播',
  ENDED: '已结束',
  REQUESTED: '待处理',
  APPROVED: '已同意',
  REJECTED: '已拒绝',
  AWAITING_RETURN: '待退货',
  RETURN_SHIPPED: '退货中',
  RETURN_RECEIVED: '已收到退货',
};

export function statusText(status: string): string {
  return STATUS[status] ?? status;
}

export function SearchBox({ initial = '', placeholder = '搜索商品' }: { initial?: string; placeholder?: string }) {
  const navigate = useNavigate();
  const [q, setQ] = useState(initial);
  return (
    <form className="search" role="search" onSubmit={(e: FormEvent) => (e.preventDefault(), navigate(`/search?q=${encodeURIComponent(q)}`))}>
      <input value={q} onChange={(e) => setQ(e.target.value)} placeholder={placeholder} aria-label="搜索商品" />
      <button type="submit">搜索</button>
    </form>
  );
}
